package bijectors

import (
	"github.com/nflowgo/nflow/ops"
	"gorgonia.org/gorgonia"
)

// conditionerInput returns B·tanh(v/B), elementwise, for B > 0 (v itself
// for B <= 0): what a bounded conditioner network sees. An autoregressive
// or coupling layer stays a bijection whatever function of the preceding
// coordinates its network reads; with bounded inputs its shift m and
// scale σ are bounded functions of y, so a point far from the data gets
// the map of the data's edge, x = (y - m)/σ with |m| <= M and σ >= σ_B,
// and log p grows like -|y|²/(2σ_B²) instead of through the compounded
// linear extrapolation of a ReLU network (1e11 nats and more on heavy-
// tailed tables). Near 0, B·tanh(v/B) ≈ v - v³/(3B²).
func conditionerInput(v *gorgonia.Node, bound float64) (*gorgonia.Node, error) {
	if bound <= 0 {
		return v, nil
	}
	d := v.Shape()[1]
	fill := func(x float64) []float64 {
		a := make([]float64, d)
		for i := range a {
			a[i] = x
		}
		return a
	}
	u, err := Apply(ops.NewConstAffine(fill(1/bound), nil), v)
	if err != nil {
		return nil, err
	}
	if u, err = Apply(ops.NewPointwise(ops.TanhFn), u); err != nil {
		return nil, err
	}
	return Apply(ops.NewConstAffine(fill(bound), nil), u)
}

// netNode is the network's output on y through conditionerInput.
func (m *MaskedAutoregressiveFlow) netNode(g *Graph, y *gorgonia.Node) (*gorgonia.Node, error) {
	in, err := conditionerInput(y, m.InputBound)
	if err != nil {
		return nil, err
	}
	return m.Net.Node(g, in)
}
