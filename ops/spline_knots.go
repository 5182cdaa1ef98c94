package ops

import (
	"fmt"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// RQSplineKnots normalizes the unconstrained parameters of a
// rational-quadratic spline (Durkan et al., 2019) with K bins on [-B, B]:
// input θ [N, D·P], P = 3K-1, laid out as an AutoregressiveNetwork with
// params = P emits it (column e·P + p is parameter p of feature e: K
// widths, K heights, K-1 interior slopes); output κ [N, D·Q], Q = 3K+1,
// column e·Q + q holding feature e's
//
//	W_k = 2B·(m + (1 - K·m)·softmax(θ[0:K])_k)          k < K: bin widths, Σ W_k = 2B
//	H_k = 2B·(m + (1 - K·m)·softmax(θ[K:2K])_k)         bin heights, Σ H_k = 2B
//	δ_0 = δ_K = 1,  δ_k = softplus(θ[2K+k-1] + c) + m_δ  knot slopes, k = 0..K
//
// with m = SplineMinBin, m_δ = SplineMinDerivative and c = log(e^(1-m_δ) - 1),
// so that all-zero parameters give equal bins and unit slopes: the
// identity. (TFP's examples use softplus(θ) + m_δ without the shift c;
// the slopes at ±B are 1 as in tfb.RationalQuadraticSpline, so the spline
// joins the identity outside [-B, B] smoothly.) RQSpline and
// RQSplineLogDet read κ, so a graph normalizes once per step however many
// spline ops read the same parameters. Cost: 2K exp and K-1 softplus per
// feature; its gradient RQSplineKnotsGrad costs K-1 sigmoids.
type RQSplineKnots struct {
	base
	Bins  int
	Bound float64
}

// NewRQSplineKnots returns the normalization for K = bins on
// [-bound, bound]. bins must be in 1..MaxSplineBins and bound positive.
func NewRQSplineKnots(bins int, bound float64) (*RQSplineKnots, error) {
	if err := checkSpline("ops.RQSplineKnots", bins, bound); err != nil {
		return nil, err
	}
	k := fmt.Sprintf("%d,%g", bins, bound)
	return &RQSplineKnots{base: newBase("RQSplineKnots("+k+")", k, 2, 2), Bins: bins, Bound: bound}, nil
}

// knotShape checks θ [N, D·P] and returns [N, D·Q].
func knotShape(name string, s tensor.Shape, bins int) (tensor.Shape, error) {
	if err := matrix(name, 0, s, -1); err != nil {
		return nil, err
	}
	p := SplineParams(bins)
	if s[1]%p != 0 {
		return nil, fmt.Errorf("%s: θ %v, expected [N, D·%d] (3K-1 parameters per feature for K = %d)", name, s, p, bins)
	}
	return tensor.Shape{s[0], s[1] / p * SplineKnotParams(bins)}, nil
}

// InferShape checks θ [N, D·(3K-1)] and returns [N, D·(3K+1)].
func (op *RQSplineKnots) InferShape(ds ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := shapesOf(op.name, 1, ds)
	if err != nil {
		return nil, err
	}
	return knotShape(op.name, s[0], op.Bins)
}

// Do runs the kernel on values, allocating the output (Gorgonia's machines).
func (op *RQSplineKnots) Do(v ...gorgonia.Value) (gorgonia.Value, error) { return do(op, v) }

// Exec32 is the float32 kernel: it overwrites out and allocates nothing.
func (op *RQSplineKnots) Exec32(out []float32, ins [][]float32, _ []tensor.Shape) {
	rqKnotsAll(out, ins[0], op.Bins, op.Bound)
}

// Exec64 is the float64 kernel: it overwrites out and allocates nothing.
func (op *RQSplineKnots) Exec64(out []float64, ins [][]float64, _ []tensor.Shape) {
	rqKnotsAll(out, ins[0], op.Bins, op.Bound)
}

func rqKnotsAll[T Float](out, th []T, bins int, bound float64) {
	p, q := SplineParams(bins), SplineKnotParams(bins)
	for i := 0; i < len(th)/p; i++ {
		normalizeKnots(out[i*q:(i+1)*q], th[i*p:(i+1)*p], bins, bound)
	}
}

// DiffWRT reports which inputs have a gradient.
func (op *RQSplineKnots) DiffWRT(int) []bool { return []bool{true} }

// SymDiff emits the gradient op for θ.
func (op *RQSplineKnots) SymDiff(in gorgonia.Nodes, kap, g *gorgonia.Node) (gorgonia.Nodes, error) {
	n, err := apply(&RQSplineKnotsGrad{base: newBase("RQSplineKnotsGrad", op.key, 2, 2, 2, 2), kn: op}, in[0], kap, g)
	return gorgonia.Nodes{n}, err
}

// RQSplineKnotsGrad is the gradient of RQSplineKnots: inputs (θ [N, D·P],
// κ [N, D·Q], g [N, D·Q]), output [N, D·P]. The softmax fractions are
// read back from κ, σ_j = (W_j/2B - m)/(1 - K·m):
//
//	dθ_j = 2B(1-Km)·σ_j·(g_W_j - Σ_i σ_i g_W_i)   (widths; heights alike)
//	dθ_{2K+k-1} = g_δ_k·sigmoid(θ_{2K+k-1} + c)    (interior slopes)
//
// The boundary slopes are constants. Cost: O(K) per feature, K-1 sigmoids.
type RQSplineKnotsGrad struct {
	base
	kn *RQSplineKnots
}

// Knots returns the normalization whose gradient this is.
func (op *RQSplineKnotsGrad) Knots() *RQSplineKnots { return op.kn }

// InferShape checks θ, κ and g and returns θ's shape.
func (op *RQSplineKnotsGrad) InferShape(ds ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := shapesOf(op.name, 3, ds)
	if err != nil {
		return nil, err
	}
	ks, err := knotShape(op.name, s[0], op.kn.Bins)
	if err != nil {
		return nil, err
	}
	if !s[1].Eq(ks) || !s[2].Eq(ks) {
		return nil, fmt.Errorf("%s: κ %v and gradient %v, expected %v", op.name, s[1], s[2], ks)
	}
	return s[0].Clone(), nil
}

// Do runs the kernel on values, allocating the output (Gorgonia's machines).
func (op *RQSplineKnotsGrad) Do(v ...gorgonia.Value) (gorgonia.Value, error) { return do(op, v) }

// Exec32 is the float32 kernel: it overwrites out and allocates nothing.
func (op *RQSplineKnotsGrad) Exec32(out []float32, ins [][]float32, _ []tensor.Shape) {
	rqKnotsGradAll(out, ins[0], ins[1], ins[2], op.kn.Bins, op.kn.Bound)
}

// Exec64 is the float64 kernel: it overwrites out and allocates nothing.
func (op *RQSplineKnotsGrad) Exec64(out []float64, ins [][]float64, _ []tensor.Shape) {
	rqKnotsGradAll(out, ins[0], ins[1], ins[2], op.kn.Bins, op.kn.Bound)
}

func rqKnotsGradAll[T Float](out, th, kap, g []T, bins int, bound float64) {
	p, q := SplineParams(bins), SplineKnotParams(bins)
	for i := 0; i < len(th)/p; i++ {
		normalizeKnotsGrad(out[i*p:(i+1)*p], th[i*p:(i+1)*p], kap[i*q:(i+1)*q], g[i*q:(i+1)*q], bins, bound)
	}
}
