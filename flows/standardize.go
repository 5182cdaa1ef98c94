package flows

import (
	"fmt"

	"github.com/nflowgo/nflow/bijectors"
	"github.com/nflowgo/nflow/dist"
	"gorgonia.org/tensor"
)

// withStandardize returns Chain(Standardize, bij): the flow of the spec
// sees (y - μ)/σ, and its log-densities are in the units of y.
func withStandardize(s Spec, bij bijectors.Bijector) (bijectors.Bijector, error) {
	st, err := bijectors.NewStandardize(s.EventSize, s.Dtype())
	if err != nil {
		return nil, fmt.Errorf("flows: %w", err)
	}
	c, err := bijectors.Chain(st, bij)
	if err != nil {
		return nil, fmt.Errorf("flows: %w", err)
	}
	return c, nil
}

// StandardizerOf returns the Standardize bijector a model built with
// Spec.Standardize starts with (nearest the data), or nil if it has none.
func StandardizerOf(model *dist.TransformedDistribution) *bijectors.Standardize {
	if model == nil {
		return nil
	}
	c, ok := model.Bijector.(*bijectors.ChainBijector)
	if !ok || len(c.Bijectors) == 0 {
		return nil
	}
	st, _ := c.Bijectors[0].(*bijectors.Standardize)
	return st
}

// InitStandardize sets the shift and scale of the model's Standardize
// bijector (see Spec.Standardize) from the training points y [N, D] —
// all of them, not train.Fit's first batch — and marks it initialised, so
// that train.Fit leaves it as it is. The model's other bijectors are not
// touched. It is an error if the model has no Standardize bijector or if
// y is not N >= 1 finite rows of D values of the model's dtype.
func InitStandardize(model *dist.TransformedDistribution, y *tensor.Dense) error {
	st := StandardizerOf(model)
	if st == nil {
		return fmt.Errorf("flows: InitStandardize: %v has no Standardize bijector; build it with Spec.Standardize", model)
	}
	return st.InitFromData(y)
}
