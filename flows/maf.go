package flows

import "github.com/nflowgo/nflow/bijectors"

func init() {
	Register("maf", buildMAF)
	Register("iaf", func(s Spec) (bijectors.Bijector, error) {
		m, err := buildMAF(s)
		if err != nil {
			return nil, err
		}
		return bijectors.Invert(m), nil
	})
}

// buildMAF is the lab's flow: Layers MAFs with reversing permutations.
// With Spec.ContextSize C > 0 every MADE is conditional on a context
// [N, C] (Spec.MADEConfig sets MADEConfig.ContextSize), and so is the IAF.
func buildMAF(s Spec) (bijectors.Bijector, error) {
	c, err := bijectors.NewMAFStack(s.Layers, s.MADEConfig(2), s.ScaleFn())
	if err != nil {
		return nil, err
	}
	for _, b := range c.Bijectors {
		if m, ok := b.(*bijectors.MaskedAutoregressiveFlow); ok {
			m.InputBound = s.InputBound
		}
	}
	return c, nil
}
