package train

import (
	"fmt"

	"github.com/nflowgo/nflow/dist"
	"github.com/nflowgo/nflow/internal/sysmem"
	"gorgonia.org/tensor"
)

const (
	// stateCopies is how many copies of the parameters training holds: the
	// values, Adam's two moments, the gradients, the last good step's and
	// the best epoch's.
	stateCopies = 6
	// activationCopies is how many values a training step keeps per unit
	// of a layer's output and batch row: the pre-activation, the
	// activation and their gradients.
	activationCopies = 4
)

// checkMemory refuses a training run whose state would not fit in the
// memory available to the process, before it allocates any: the
// parameters, stateCopies times, and a batch of rows through every layer,
// a layer's width being the last dimension of each parameter (a dense
// kernel [in, out] gives out units per row).
func checkMemory(model dist.Distribution, rows int) error {
	avail, ok := sysmem.Available()
	if !ok {
		return nil
	}
	var values, units float64
	for _, p := range model.Params() {
		s := p.Value.Shape()
		values += float64(s.TotalSize())
		if len(s) > 0 {
			units += float64(s[len(s)-1])
		}
	}
	size := 4.0
	if model.DType() == tensor.Float64 {
		size = 8
	}
	need := size * (stateCopies*values + activationCopies*units*float64(rows))
	if need > float64(avail) {
		return fmt.Errorf("train: training needs about %s (%.3g parameters, batches of %d rows); %s of memory is available",
			sysmem.Format(need), values, rows, sysmem.Format(float64(avail)))
	}
	return nil
}
