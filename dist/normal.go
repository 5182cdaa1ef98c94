package dist

import (
	"fmt"
	"math/rand/v2"

	"github.com/nflowgo/nflow/bijectors"
	"github.com/nflowgo/nflow/ops"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// MultivariateNormalDiag is the Gaussian with mean loc and diagonal
// covariance diag(scaleDiag²), as tfd.MultivariateNormalDiag:
//
//	log p(x) = Σ_d -½((x_d-loc_d)/s_d)² - log s_d - ½ log 2π
type MultivariateNormalDiag struct {
	loc, scale []float64
	dtype      tensor.Dtype
	op         *ops.NormalLogProb
}

// NewMultivariateNormalDiag returns the distribution in dtype dt (Float32
// or Float64). scaleDiag nil means all ones; otherwise it has loc's length
// and positive finite entries.
func NewMultivariateNormalDiag(loc, scaleDiag []float64, dt tensor.Dtype) (*MultivariateNormalDiag, error) {
	if scaleDiag == nil {
		scaleDiag = make([]float64, len(loc))
		for i := range scaleDiag {
			scaleDiag[i] = 1
		}
	}
	if dt != tensor.Float32 && dt != tensor.Float64 {
		return nil, fmt.Errorf("MultivariateNormalDiag: dtype %v, expected float32 or float64", dt)
	}
	op, err := ops.NewNormalLogProb(loc, scaleDiag)
	if err != nil {
		return nil, fmt.Errorf("MultivariateNormalDiag: %w", err)
	}
	return &MultivariateNormalDiag{loc: append([]float64(nil), op.Loc...), scale: append([]float64(nil), op.Scale...), dtype: dt, op: op}, nil
}

// StandardNormal returns the D-dimensional standard normal in dtype dt.
func StandardNormal(d int, dt tensor.Dtype) (*MultivariateNormalDiag, error) {
	return NewMultivariateNormalDiag(make([]float64, d), nil, dt)
}

// Loc returns a copy of the mean.
func (m *MultivariateNormalDiag) Loc() []float64 { return append([]float64(nil), m.loc...) }

// ScaleDiag returns a copy of the standard deviations.
func (m *MultivariateNormalDiag) ScaleDiag() []float64 { return append([]float64(nil), m.scale...) }

func (m *MultivariateNormalDiag) String() string {
	return fmt.Sprintf("MultivariateNormalDiag(loc=%v, scale_diag=%v)", m.loc, m.scale)
}
func (m *MultivariateNormalDiag) EventSize() int             { return len(m.loc) }
func (m *MultivariateNormalDiag) DType() tensor.Dtype        { return m.dtype }
func (m *MultivariateNormalDiag) Params() []*bijectors.Param { return nil }

func (m *MultivariateNormalDiag) LogProbNode(_ *bijectors.Graph, x *gorgonia.Node) (*gorgonia.Node, error) {
	return bijectors.Apply(m.op, x)
}

// Sample draws n events loc + scale·ε with ε standard normal from rng.
func (m *MultivariateNormalDiag) Sample(n int, rng *rand.Rand) (*tensor.Dense, error) {
	if n < 1 {
		return nil, fmt.Errorf("dist: sample size %d, expected >= 1 (%s)", n, Brief(m))
	}
	if rng == nil {
		return nil, fmt.Errorf("dist: random source is nil (%s)", Brief(m))
	}
	d := len(m.loc)
	if m.dtype == tensor.Float32 { // drawn into the tensor's own backing: NewTensor's values, one allocation
		v := make([]float32, n*d)
		for i := range v {
			v[i] = float32(m.loc[i%d] + m.scale[i%d]*rng.NormFloat64())
		}
		return tensor.New(tensor.WithShape(n, d), tensor.WithBacking(v)), nil
	}
	v := make([]float64, n*d)
	for i := range v {
		v[i] = m.loc[i%d] + m.scale[i%d]*rng.NormFloat64()
	}
	return tensor.New(tensor.WithShape(n, d), tensor.WithBacking(v)), nil
}

// LogProb returns log p(x) ([N]) for x [N, D].
func (m *MultivariateNormalDiag) LogProb(x *tensor.Dense) (*tensor.Dense, error) {
	return LogProb(m, x)
}

// Prob returns p(x) ([N]) for x [N, D].
func (m *MultivariateNormalDiag) Prob(x *tensor.Dense) (*tensor.Dense, error) { return Prob(m, x) }

// standard reports whether m is N(0, I).
func (m *MultivariateNormalDiag) standard() bool {
	for i := range m.loc {
		if m.loc[i] != 0 || m.scale[i] != 1 {
			return false
		}
	}
	return true
}
