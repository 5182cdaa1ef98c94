package vi

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/nflowgo/nflow/bijectors"
	"github.com/nflowgo/nflow/dist"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// ReparameterizedBase is a base distribution with trainable parameters
// whose samples are a differentiable function x(u) of parameter-free
// noise u; Fit then trains it with the flow, its samples drawn inside the
// compiled step. A base whose noise stratifies the batch also has
//
//	RowWeightNode(g *bijectors.Graph, u *gorgonia.Node) (*gorgonia.Node, error)
//
// returning the rows' weights [N] (mean 1), which Fit's loss and its
// ELBO and ESS estimates then apply.
type ReparameterizedBase interface {
	dist.Distribution
	// NoiseSize is the width of the noise u [N, NoiseSize].
	NoiseSize() int
	// Noise fills u (row-major [N, NoiseSize]) with fresh draws.
	Noise(u []float64, rng *rand.Rand)
	// SampleNode adds the samples x(u) [N, D] to g.
	SampleNode(g *bijectors.Graph, u *gorgonia.Node) (*gorgonia.Node, error)
}

// GaussianMixture is the mixture of K diagonal Gaussians
//
//	q₀(x) = Σ_k π_k Π_d N(x_d; μ_kd, σ_kd²),  σ = exp(LogScale),  π = softmax(Logits),
//
// with trainable means Loc [K, D], log standard deviations LogScale
// [K, D] and weight logits Logits [1, K]: a base that gives a flow K
// modes to start from ("a mixture-friendly architecture" for multimodal
// targets; Stimper et al., "Resampling base distributions of normalizing
// flows", AISTATS 2022, compare such bases). A sample of component k is
// x = μ_k + σ_k ⊙ z, z standard normal: the noise is u = (z, v) with k =
// ⌊vK⌋, and x is differentiable in μ and σ for fixed u. In training
// (Noise) the batch is stratified, row n drawn from component n mod K
// and weighted K π_k (RowWeightNode), so that the loss
// Σ_k π_k E_{q_k}[log q - log p̃] is differentiable in the weights too
// and components that share a mode can give up mass to one another.
// Reverse KL repels the components through q's entropy, so under
// annealing they spread over a flattened target and then settle into
// its modes. Use a batch size that is a multiple of K, or the
// stratified estimate is biased toward the first components.
type GaussianMixture struct {
	K, D                  int
	Loc, LogScale, Logits *bijectors.Param
	dtype                 tensor.Dtype
	sampleOp, rwOp        gorgonia.Op
}

// NewGaussianMixture returns K components in D dimensions with means
// drawn from N(0, spread²) (seeded) and standard deviations scale.
func NewGaussianMixture(k, d int, spread, scale float64, seed uint64, dt tensor.Dtype) (*GaussianMixture, error) {
	switch {
	case k < 1 || d < 1:
		return nil, fmt.Errorf("vi: GaussianMixture with K = %d, D = %d, expected both >= 1", k, d)
	case !(spread >= 0) || math.IsInf(spread, 0) || !(scale > 0) || math.IsInf(scale, 0):
		return nil, fmt.Errorf("vi: GaussianMixture spread %g and scale %g, expected spread >= 0 and scale > 0, finite", spread, scale)
	case dt != tensor.Float32 && dt != tensor.Float64:
		return nil, fmt.Errorf("vi: GaussianMixture dtype %v, expected float32 or float64", dt)
	}
	rng := rand.New(rand.NewPCG(seed, 0x676d6d))
	loc, ls := make([]float64, k*d), make([]float64, k*d)
	for i := range loc {
		loc[i] = spread * rng.NormFloat64()
		ls[i] = math.Log(scale)
	}
	m := &GaussianMixture{K: k, D: d, dtype: dt,
		Loc:      &bijectors.Param{Name: "mixture/loc", Value: bijectors.NewTensor(dt, loc, k, d)},
		LogScale: &bijectors.Param{Name: "mixture/log_scale", Value: bijectors.NewTensor(dt, ls, k, d)},
		Logits:   &bijectors.Param{Name: "mixture/logits", Value: bijectors.NewTensor(dt, make([]float64, k), 1, k)}}
	m.rwOp = &rowWeightOp{opBase: opBase{name: "MixtureRowWeight", inDims: []int{2, 2}, outDims: 1}, k: k, d: d}
	m.sampleOp = &mixtureSampleOp{opBase: opBase{name: "MixtureSample", inDims: []int{2, 2, 2}, outDims: 2}, k: k, d: d}
	return m, nil
}

func (m *GaussianMixture) String() string {
	return fmt.Sprintf("GaussianMixture(K=%d, D=%d)", m.K, m.D)
}
func (m *GaussianMixture) EventSize() int      { return m.D }
func (m *GaussianMixture) DType() tensor.Dtype { return m.dtype }
func (m *GaussianMixture) Params() []*bijectors.Param {
	return []*bijectors.Param{m.Loc, m.LogScale, m.Logits}
}
func (m *GaussianMixture) NoiseSize() int { return m.D + 1 }

// LogProbNode adds log q₀(x) ([N]) for x [N, D] to g.
func (m *GaussianMixture) LogProbNode(g *bijectors.Graph, x *gorgonia.Node) (*gorgonia.Node, error) {
	loc, ls, err := m.nodes(g)
	if err != nil {
		return nil, err
	}
	a, err := g.Param(m.Logits)
	if err != nil {
		return nil, err
	}
	// An op per node: it keeps its run's responsibilities for its gradients.
	op := &mixtureLogProbOp{opBase: opBase{name: "MixtureLogProb", inDims: []int{2, 2, 2, 2}, outDims: 1}, k: m.K, d: m.D}
	return gorgonia.ApplyOp(op, x, loc, ls, a)
}

// RowWeightNode adds the weights K π_k of the rows of a stratified batch
// u [N, D+1] (Noise) to g: the ELBO's estimate is their weighted mean.
func (m *GaussianMixture) RowWeightNode(g *bijectors.Graph, u *gorgonia.Node) (*gorgonia.Node, error) {
	a, err := g.Param(m.Logits)
	if err != nil {
		return nil, err
	}
	return gorgonia.ApplyOp(m.rwOp, u, a)
}

// SampleNode adds x(u) = μ_k + σ_k ⊙ z, u = (z, v) [N, D+1], to g.
func (m *GaussianMixture) SampleNode(g *bijectors.Graph, u *gorgonia.Node) (*gorgonia.Node, error) {
	loc, ls, err := m.nodes(g)
	if err != nil {
		return nil, err
	}
	return gorgonia.ApplyOp(m.sampleOp, u, loc, ls)
}

func (m *GaussianMixture) nodes(g *bijectors.Graph) (loc, ls *gorgonia.Node, err error) {
	if loc, err = g.Param(m.Loc); err != nil {
		return nil, nil, err
	}
	ls, err = g.Param(m.LogScale)
	return loc, ls, err
}

// Noise fills u [N, D+1] with z standard normal and the stratified
// choice v = (n mod K + ½)/K of row n's component.
func (m *GaussianMixture) Noise(u []float64, rng *rand.Rand) {
	for i := range u {
		if i%(m.D+1) == m.D {
			u[i] = (float64(i/(m.D+1)%m.K) + 0.5) / float64(m.K)
		} else {
			u[i] = rng.NormFloat64()
		}
	}
}

// weights returns π = softmax(Logits).
func (m *GaussianMixture) weights() []float64 {
	a := dist.Float64s(m.Logits.Value)
	mx := math.Inf(-1)
	for _, v := range a {
		mx = math.Max(mx, v)
	}
	var s float64
	for i, v := range a {
		a[i] = math.Exp(v - mx)
		s += a[i]
	}
	for i := range a {
		a[i] /= s
	}
	return a
}

// Sample draws n events using rng.
func (m *GaussianMixture) Sample(n int, rng *rand.Rand) (*tensor.Dense, error) {
	if n < 1 || rng == nil {
		return nil, fmt.Errorf("%v: sample size %d (expected >= 1) and random source %v", m, n, rng)
	}
	u := make([]float64, n*(m.D+1))
	m.Noise(u, rng)
	pi := m.weights()
	for i := 0; i < n; i++ { // component k with probability π_k
		r, k := rng.Float64(), 0
		for ; k < m.K-1 && r >= pi[k]; k++ {
			r -= pi[k]
		}
		u[i*(m.D+1)+m.D] = (float64(k) + 0.5) / float64(m.K)
	}
	loc, ls := dist.Float64s(m.Loc.Value), dist.Float64s(m.LogScale.Value)
	x := make([]float64, n*m.D)
	mixtureSample(x, u, loc, ls, m.K, m.D)
	return bijectors.NewTensor(m.dtype, x, n, m.D), nil
}
