package bijectors

import (
	"fmt"
	"math"

	"github.com/nflowgo/nflow/ops"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// ActNorm is the activation normalisation of Glow (Kingma & Dhariwal,
// 2018): a per-dimension affine map with trainable log-scale s and shift b,
//
//	forward (sampling): y = x·exp(s) + b
//	inverse (density):  x = (y - b)·exp(-s)
//	FLDJ = Σ_d s_d,  ILDJ = -Σ_d s_d  (the same for every row)
//
// on [N, D] batches. Its parameters start at s = 0, b = 0 and are set from
// data (a DataInitializer): InitFromData sets them so that the inverse of
// the batch it is given has zero mean and unit variance in every
// dimension, Glow's data-dependent initialisation; train.Fit does this
// with the first batch. Cost: 2·N·D flops each way.
type ActNorm struct {
	LogScale *Param // s [D]
	Shift    *Param // b [D]

	d           int
	initialized bool
}

// NewActNorm returns an ActNorm of event size d with parameters of dtype
// dt (float32 or float64), not yet initialised: s = 0, b = 0.
func NewActNorm(d int, dt tensor.Dtype) (*ActNorm, error) {
	if d < 1 {
		return nil, fmt.Errorf("ActNorm: event size %d, expected >= 1", d)
	}
	if dt != tensor.Float32 && dt != tensor.Float64 {
		return nil, fmt.Errorf("ActNorm: dtype %v, expected float32 or float64", dt)
	}
	zeros := make([]float64, d)
	return &ActNorm{d: d,
		LogScale: &Param{Name: "actnorm/log_scale", Value: NewTensor(dt, zeros, d)},
		Shift:    &Param{Name: "actnorm/shift", Value: NewTensor(dt, zeros, d)}}, nil
}

func (a *ActNorm) String() string   { return fmt.Sprintf("ActNorm(D=%d)", a.d) }
func (a *ActNorm) EventSize() int   { return a.d }
func (a *ActNorm) Params() []*Param { return []*Param{a.LogScale, a.Shift} }

// Triangular reports that the Jacobian is diagonal.
func (a *ActNorm) Triangular() bool { return true }

// Initialized reports whether InitFromData has run (or SetInitialized(true)
// was called).
func (a *ActNorm) Initialized() bool { return a.initialized }

// SetInitialized marks the parameters as initialised (true), say after
// loading saved values, or asks for a new data-dependent initialisation
// (false).
func (a *ActNorm) SetInitialized(v bool) { a.initialized = v }

// actNormEps keeps the scale of a constant dimension finite: exp(s) = sd + 1e-6.
const actNormEps = 1e-6

// InitFromData sets b to the per-dimension mean of y [N, D] and s to the
// log of its standard deviation (population, plus 1e-6), so that
// Inverse(y) = (y - b)·exp(-s) has mean 0 and variance 1 in every
// dimension. It needs N >= 2 finite rows of the parameters' dtype and
// marks the bijector initialised. Cost: 3·N·D flops.
func (a *ActNorm) InitFromData(y *tensor.Dense) error {
	if err := checkInput(a, y); err != nil {
		return err
	}
	n := y.Shape()[0]
	if n < 2 {
		return fmt.Errorf("%v: data-dependent initialisation from %d row, expected at least 2", a, n)
	}
	v := floatsOfDense(y)
	for i, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Errorf("%v: data-dependent initialisation: y[%d, %d] = %g, expected finite values", a, i/a.d, i%a.d, x)
		}
	}
	s, b := make([]float64, a.d), make([]float64, a.d)
	for c := 0; c < a.d; c++ {
		var m, q float64
		for r := 0; r < n; r++ {
			m += v[r*a.d+c]
		}
		m /= float64(n)
		for r := 0; r < n; r++ {
			e := v[r*a.d+c] - m
			q += e * e
		}
		b[c] = m
		s[c] = math.Log(math.Sqrt(q/float64(n)) + actNormEps)
	}
	assignDense(a.LogScale.Value, s)
	assignDense(a.Shift.Value, b)
	a.initialized = true
	return nil
}

// floatsOfDense returns the values of a float32 or float64 tensor as float64s.
func floatsOfDense(t *tensor.Dense) []float64 {
	if t.Dtype() == tensor.Float32 {
		f := t.Float32s()
		out := make([]float64, len(f))
		for i, x := range f {
			out[i] = float64(x)
		}
		return out
	}
	return append([]float64(nil), t.Float64s()...)
}

// assignDense overwrites the values of a float32 or float64 tensor in place.
func assignDense(t *tensor.Dense, v []float64) {
	if t.Dtype() == tensor.Float32 {
		f := t.Float32s()
		for i, x := range v {
			f[i] = float32(x)
		}
		return
	}
	copy(t.Float64s(), v)
}

func (a *ActNorm) ForwardNode(g *Graph, x *gorgonia.Node) (*gorgonia.Node, *gorgonia.Node, error) {
	return a.nodes(g, x, false)
}

func (a *ActNorm) InverseNode(g *Graph, y *gorgonia.Node) (*gorgonia.Node, *gorgonia.Node, error) {
	return a.nodes(g, y, true)
}

func (a *ActNorm) nodes(g *Graph, v *gorgonia.Node, inverse bool) (*gorgonia.Node, *gorgonia.Node, error) {
	s, err := g.Param(a.LogScale)
	if err != nil {
		return nil, nil, err
	}
	b, err := g.Param(a.Shift)
	if err != nil {
		return nil, nil, err
	}
	out, err := Apply(ops.NewActNorm(inverse), v, s, b)
	if err != nil {
		return nil, nil, err
	}
	sign := 1.0
	if inverse {
		sign = -1
	}
	ldj, err := Apply(ops.NewActNormLogDet(sign), v, s)
	return out, ldj, err
}
