package bijectors

import (
	"github.com/nflowgo/nflow/ops"
	"gorgonia.org/gorgonia"
)

// elementwise is y = f(x) applied to every coordinate, with log-det
// Σ_d log|f'(x_d)|.
type elementwise struct {
	name    string
	fwd, bw ops.Func
}

// Exp returns y = exp(x); inverse log y; FLDJ Σ x.
func Exp() Bijector { return &elementwise{"Exp", ops.Exp, ops.Log} }

// Sigmoid returns y = 1/(1+exp(-x)) onto (0, 1); inverse logit.
func Sigmoid() Bijector { return &elementwise{"Sigmoid", ops.SigmoidFn, ops.Logit} }

// Tanh returns y = tanh(x) onto (-1, 1); inverse atanh.
func Tanh() Bijector { return &elementwise{"Tanh", ops.TanhFn, ops.Atanh} }

// Softplus returns y = log(1 + exp(x)) onto (0, ∞); inverse log(expm1(y)).
func Softplus() Bijector { return &elementwise{"Softplus", ops.SoftplusFn, ops.SoftplusInv} }

func (e *elementwise) String() string   { return e.name }
func (e *elementwise) EventSize() int   { return 0 }
func (e *elementwise) Params() []*Param { return nil }

func (e *elementwise) ForwardNode(_ *Graph, x *gorgonia.Node) (*gorgonia.Node, *gorgonia.Node, error) {
	return pointwiseNodes(e.fwd, x)
}

func (e *elementwise) InverseNode(_ *Graph, y *gorgonia.Node) (*gorgonia.Node, *gorgonia.Node, error) {
	return pointwiseNodes(e.bw, y)
}

func pointwiseNodes(f ops.Func, x *gorgonia.Node) (*gorgonia.Node, *gorgonia.Node, error) {
	y, err := Apply(ops.NewPointwise(f), x)
	if err != nil {
		return nil, nil, err
	}
	l, err := Apply(ops.NewPointwiseLDJ(f), x)
	return y, l, err
}
