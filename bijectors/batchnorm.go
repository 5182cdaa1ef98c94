package bijectors

import (
	"fmt"
	"math"

	"github.com/nflowgo/nflow/ops"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Defaults of BatchNormalization: Keras's BatchNormalization layer, which
// tfb.BatchNormalization wraps.
const (
	DefaultBatchNormMomentum = 0.99
	DefaultBatchNormEpsilon  = 1e-3
)

// BatchNormalization is tfb.BatchNormalization (Ioffe & Szegedy, 2015; a
// bijector in RealNVP, Dinh et al., 2017, and MAF, Papamakarios et al.,
// 2017). The inverse (density) direction normalises, the forward
// (sampling) direction undoes it:
//
//	inverse: x = (y - μ)/√(v + ε) · γ + β
//	forward: y = (x - β)/γ · √(v + ε) + μ
//	ILDJ = Σ_d (log γ_d - ½ log(v_d + ε)) = -FLDJ  (the same for every row)
//
// with trainable γ = exp(LogGamma) and β = Beta ([D] each). μ and v are
// the batch's mean and (biased) variance over the N rows in the inverse
// direction of a training graph (Graph.Training), differentiably, as
// Keras's layer with training=True; that graph's kernel also updates the
// running moments, mean ← m·mean + (1-m)·μ and variance ← m·variance +
// (1-m)·v with momentum m, each time it runs. Everywhere else (eager
// Forward, Inverse, LogProb and sampling, the forward direction always) μ
// and v are the running moments, and the two directions are exact
// inverses. So during training, as in TFP, Inverse(Forward(x)) ≠ x.
//
// TFP's differences: γ is parametrised by its log (TFP keeps a raw γ under
// the constraint relu(γ) + 1e-6), and γ and β are per-dimension of the
// [N, D] event. The running moments start at 0 and 1, γ at 1 and β at 0.
// Cost: about 5·N·D flops each way, 8·N·D when training.
type BatchNormalization struct {
	LogGamma *Param // log γ [D], trainable
	Beta     *Param // β [D], trainable
	// Mean and Variance are the running moments [D]: state, not trainable
	// (not in Params); the training graph updates them in place, also on a
	// step whose loss train then rejects as non-finite (train restores
	// Params only). State returns them for saving.
	Mean, Variance *Param

	momentum, epsilon float64
	d                 int
}

// NewBatchNormalization returns the bijector for event size d with the
// given momentum (in [0, 1]; DefaultBatchNormMomentum is Keras's 0.99)
// and epsilon (> 0; DefaultBatchNormEpsilon is 1e-3), its tensors of
// dtype dt.
func NewBatchNormalization(d int, momentum, epsilon float64, dt tensor.Dtype) (*BatchNormalization, error) {
	if d < 1 {
		return nil, fmt.Errorf("BatchNormalization: event size %d, expected >= 1", d)
	}
	if dt != tensor.Float32 && dt != tensor.Float64 {
		return nil, fmt.Errorf("BatchNormalization: dtype %v, expected float32 or float64", dt)
	}
	if !(momentum >= 0 && momentum <= 1) {
		return nil, fmt.Errorf("BatchNormalization: momentum %g, expected a number in [0, 1]", momentum)
	}
	if !(epsilon > 0) || math.IsInf(epsilon, 0) {
		return nil, fmt.Errorf("BatchNormalization: epsilon %g, expected a finite positive number", epsilon)
	}
	zeros, ones := make([]float64, d), make([]float64, d)
	for i := range ones {
		ones[i] = 1
	}
	return &BatchNormalization{d: d, momentum: momentum, epsilon: epsilon,
		LogGamma: &Param{Name: "batch_normalization/log_gamma", Value: NewTensor(dt, zeros, d)},
		Beta:     &Param{Name: "batch_normalization/beta", Value: NewTensor(dt, zeros, d)},
		Mean:     &Param{Name: "batch_normalization/moving_mean", Value: NewTensor(dt, zeros, d)},
		Variance: &Param{Name: "batch_normalization/moving_variance", Value: NewTensor(dt, ones, d)}}, nil
}

func (b *BatchNormalization) String() string { return fmt.Sprintf("BatchNormalization(D=%d)", b.d) }

// Momentum is the momentum m of the running moments' update.
func (b *BatchNormalization) Momentum() float64 { return b.momentum }

// Epsilon is the ε added to the variance.
func (b *BatchNormalization) Epsilon() float64 { return b.epsilon }

// EventSize is D.
func (b *BatchNormalization) EventSize() int { return b.d }

// Params returns the trainable parameters, LogGamma and Beta.
func (b *BatchNormalization) Params() []*Param { return []*Param{b.LogGamma, b.Beta} }

// State returns the non-trainable running moments, Mean and Variance: what
// a saved model needs besides Params. An optimizer must not update them.
func (b *BatchNormalization) State() []*Param { return []*Param{b.Mean, b.Variance} }

// Triangular reports that the Jacobian is diagonal (with the running
// moments, as in every eager call).
func (b *BatchNormalization) Triangular() bool { return true }

// stateNode binds p to a leaf node of g that reads (and, in training, the
// kernel writes) p's memory in place. It bypasses Graph.Param, so state
// never becomes a trainable parameter of the graph.
func stateNode(g *Graph, p *Param) (*gorgonia.Node, error) {
	if p.Value.Dtype() != g.DType {
		return nil, fmt.Errorf("state %s has dtype %v, the graph is %v", p.Name, p.Value.Dtype(), g.DType)
	}
	return gorgonia.NodeFromAny(g.G, p.Value, gorgonia.WithName(fmt.Sprintf("%s@%p", p.Name, p))), nil
}

func (b *BatchNormalization) ForwardNode(g *Graph, x *gorgonia.Node) (*gorgonia.Node, *gorgonia.Node, error) {
	return b.nodes(g, x, ops.BatchNormForward)
}

func (b *BatchNormalization) InverseNode(g *Graph, y *gorgonia.Node) (*gorgonia.Node, *gorgonia.Node, error) {
	if g.Training {
		return b.nodes(g, y, ops.BatchNormTraining)
	}
	return b.nodes(g, y, ops.BatchNormInverse)
}

func (b *BatchNormalization) nodes(g *Graph, v *gorgonia.Node, mode ops.BatchNormMode) (*gorgonia.Node, *gorgonia.Node, error) {
	lg, err := g.Param(b.LogGamma)
	if err != nil {
		return nil, nil, err
	}
	beta, err := g.Param(b.Beta)
	if err != nil {
		return nil, nil, err
	}
	mean, err := stateNode(g, b.Mean)
	if err != nil {
		return nil, nil, err
	}
	variance, err := stateNode(g, b.Variance)
	if err != nil {
		return nil, nil, err
	}
	op, err := ops.NewBatchNorm(mode, b.epsilon, b.momentum)
	if err != nil {
		return nil, nil, err
	}
	out, err := Apply(op, v, mean, variance, lg, beta)
	if err != nil {
		return nil, nil, err
	}
	sign := 1.0 // ILDJ
	if mode == ops.BatchNormForward {
		sign = -1
	}
	ld, err := ops.NewBatchNormLogDet(mode == ops.BatchNormTraining, sign, b.epsilon)
	if err != nil {
		return nil, nil, err
	}
	ldj, err := Apply(ld, v, variance, lg)
	return out, ldj, err
}
