package bijectors

import (
	"fmt"

	"gorgonia.org/tensor"
)

// DataInitializer is a bijector whose parameters are set from the first
// batch it sees in the density direction (ActNorm's data-dependent
// initialisation). InitFromData receives that batch, [N, D] in the
// bijector's output (data) space, once.
type DataInitializer interface {
	Bijector
	Initialized() bool
	InitFromData(y *tensor.Dense) error
}

// InitFromData walks b in the density (inverse) direction with the batch
// y [N, D] and initialises every DataInitializer it meets from the
// activations that reach it. Bijectors already initialised are left alone.
func InitFromData(b Bijector, y *tensor.Dense) error {
	_, err := initWalk(b, y)
	return err
}

// initWalk initialises what b contains and returns b⁻¹(y).
func initWalk(b Bijector, y *tensor.Dense) (*tensor.Dense, error) {
	switch v := b.(type) {
	case *ChainBijector:
		var err error
		for _, m := range v.Bijectors {
			if y, err = initWalk(m, y); err != nil {
				return nil, err
			}
		}
		return y, nil
	case DataInitializer:
		if !v.Initialized() {
			if err := v.InitFromData(y); err != nil {
				return nil, fmt.Errorf("%v: data-dependent initialisation: %w", v, err)
			}
		}
	}
	return Inverse(b, y)
}

// NeedsDataInit reports whether b, or a member of a Chain b, is a
// DataInitializer not yet initialised. Inverted bijectors are not walked:
// Invert(ActNorm) keeps its initial identity parameters.
func NeedsDataInit(b Bijector) bool {
	switch v := b.(type) {
	case *ChainBijector:
		for _, m := range v.Bijectors {
			if NeedsDataInit(m) {
				return true
			}
		}
	case DataInitializer:
		return !v.Initialized()
	}
	return false
}
