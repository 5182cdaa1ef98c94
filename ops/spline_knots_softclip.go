package ops

import (
	"fmt"
	"math"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Soft-clip bounds of RQSplineKnotsSoftClip: |log m_δ| with m_δ =
// SplineMinDerivative for the slopes' logarithms, half of it for the
// softmax inputs of the widths and heights.
var (
	splineClipSlope = -math.Log(SplineMinDerivative) // 6.908
	splineClipSize  = splineClipSlope / 2            // 3.454
)

// softClip is u/(1 + |u|/c), in (-c, c), and its derivative 1/(1 + |u|/c)².
func softClip(u, c float64) (v, dv float64) {
	d := 1 + math.Abs(u)/c
	return u / d, 1 / (d * d)
}

// RQSplineKnotsSoftClip is RQSplineKnots with the normalization of zuko's
// MonotonicRQSTransform (zuko 1.6): input θ [N, D·P], P = 3K-1, output κ
// [N, D·Q], Q = 3K+1, in the same layouts, with
//
//	W_k = 2B·softmax(c_s(θ[0:K]))_k           bin widths, Σ W_k = 2B
//	H_k = 2B·softmax(c_s(θ[K:2K]))_k          bin heights
//	δ_0 = δ_K = 1,  δ_k = exp(c_δ(θ[2K+k-1]))  knot slopes, k = 1..K-1
//
// where c_a(u) = u/(1 + |u|/a) is a soft clip to (-a, a), a_δ = |log m_δ|
// (m_δ = SplineMinDerivative, so slopes lie in (m_δ, 1/m_δ)) and a_s =
// a_δ/2 (no bin is narrower than e^(-2a_s) = m_δ times the widest). All-zero
// parameters give equal bins and unit slopes, the identity, as with
// RQSplineKnots. The slopes' exp makes a step in θ change log δ by the same
// amount whatever δ is, where softplus(θ + c) moves small slopes slowly.
// Cost: 2K exp and K-1 exp per feature; its gradient costs nothing more.
type RQSplineKnotsSoftClip struct {
	base
	Bins  int
	Bound float64
}

// NewRQSplineKnotsSoftClip returns the normalization for K = bins on
// [-bound, bound]. bins must be in 1..MaxSplineBins and bound positive.
func NewRQSplineKnotsSoftClip(bins int, bound float64) (*RQSplineKnotsSoftClip, error) {
	if err := checkSpline("ops.RQSplineKnotsSoftClip", bins, bound); err != nil {
		return nil, err
	}
	k := fmt.Sprintf("%d,%g", bins, bound)
	return &RQSplineKnotsSoftClip{base: newBase("RQSplineKnotsSoftClip("+k+")", k, 2, 2), Bins: bins, Bound: bound}, nil
}

// InferShape checks θ [N, D·(3K-1)] and returns [N, D·(3K+1)].
func (op *RQSplineKnotsSoftClip) InferShape(ds ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := shapesOf(op.name, 1, ds)
	if err != nil {
		return nil, err
	}
	return knotShape(op.name, s[0], op.Bins)
}

// Do runs the kernel on values, allocating the output (Gorgonia's machines).
func (op *RQSplineKnotsSoftClip) Do(v ...gorgonia.Value) (gorgonia.Value, error) { return do(op, v) }

// Exec32 is the float32 kernel: it overwrites out and allocates nothing.
func (op *RQSplineKnotsSoftClip) Exec32(out []float32, ins [][]float32, _ []tensor.Shape) {
	softClipKnotsAll(out, ins[0], op.Bins, op.Bound)
}

// Exec64 is the float64 kernel: it overwrites out and allocates nothing.
func (op *RQSplineKnotsSoftClip) Exec64(out []float64, ins [][]float64, _ []tensor.Shape) {
	softClipKnotsAll(out, ins[0], op.Bins, op.Bound)
}

func softClipKnotsAll[T Float](out, th []T, bins int, bound float64) {
	p, q := SplineParams(bins), SplineKnotParams(bins)
	for i := 0; i < len(th)/p; i++ {
		softClipKnots(out[i*q:(i+1)*q], th[i*p:(i+1)*p], bins, bound)
	}
}

// softClipKnots writes one feature's κ [3K+1] from its raw parameters p [3K-1].
func softClipKnots[T Float](kap, p []T, k int, bound float64) {
	span := 2 * bound
	for part := 0; part < 2; part++ {
		raw, out := p[part*k:(part+1)*k], kap[part*k:(part+1)*k]
		var e [MaxSplineBins]float64
		mx := math.Inf(-1)
		for j, v := range raw {
			e[j], _ = softClip(float64(v), splineClipSize)
			mx = math.Max(mx, e[j])
		}
		sum := 0.0
		for j := range raw {
			e[j] = math.Exp(e[j] - mx)
			sum += e[j]
		}
		for j := range out {
			out[j] = T(span * e[j] / sum)
		}
	}
	d := kap[2*k:]
	d[0], d[k] = 1, 1
	for j := 1; j < k; j++ {
		l, _ := softClip(float64(p[2*k+j-1]), splineClipSlope)
		d[j] = T(math.Exp(l))
	}
}

// softClipKnotsGrad writes the gradient gp [3K-1] with respect to p from
// the gradient gk [3K+1] with respect to κ. With σ_j = W_j/2B read back
// from κ and c' the soft clip's derivative:
//
//	gp_j = 2B·c'(p_j)·σ_j·(gW_j - Σ_i σ_i gW_i)   (widths; heights alike)
//	gp_{2K+j-1} = gδ_j·δ_j·c'(p_{2K+j-1})          (interior slopes)
func softClipKnotsGrad[T Float](gp, p, kap, gk []T, k int, bound float64) {
	span := 2 * bound
	for part := 0; part < 2; part++ {
		sizes, g, raw, out := kap[part*k:(part+1)*k], gk[part*k:(part+1)*k], p[part*k:(part+1)*k], gp[part*k:(part+1)*k]
		var sm [MaxSplineBins]float64
		dot := 0.0
		for j, v := range sizes {
			sm[j] = float64(v) / span
			dot += sm[j] * float64(g[j])
		}
		for j := range out {
			_, dc := softClip(float64(raw[j]), splineClipSize)
			out[j] = T(span * dc * sm[j] * (float64(g[j]) - dot))
		}
	}
	for j := 1; j < k; j++ {
		_, dc := softClip(float64(p[2*k+j-1]), splineClipSlope)
		gp[2*k+j-1] = T(float64(gk[2*k+j]) * float64(kap[2*k+j]) * dc)
	}
}

// DiffWRT reports which inputs have a gradient.
func (op *RQSplineKnotsSoftClip) DiffWRT(int) []bool { return []bool{true} }

// SymDiff emits the gradient op for θ.
func (op *RQSplineKnotsSoftClip) SymDiff(in gorgonia.Nodes, kap, g *gorgonia.Node) (gorgonia.Nodes, error) {
	n, err := apply(&RQSplineKnotsSoftClipGrad{base: newBase("RQSplineKnotsSoftClipGrad", op.key, 2, 2, 2, 2), kn: op}, in[0], kap, g)
	return gorgonia.Nodes{n}, err
}

// RQSplineKnotsSoftClipGrad is the gradient of RQSplineKnotsSoftClip:
// inputs (θ [N, D·P], κ [N, D·Q], g [N, D·Q]), output [N, D·P]. Cost: O(K)
// per feature.
type RQSplineKnotsSoftClipGrad struct {
	base
	kn *RQSplineKnotsSoftClip
}

// Knots returns the normalization whose gradient this is.
func (op *RQSplineKnotsSoftClipGrad) Knots() *RQSplineKnotsSoftClip { return op.kn }

// InferShape checks θ, κ and g and returns θ's shape.
func (op *RQSplineKnotsSoftClipGrad) InferShape(ds ...gorgonia.DimSizer) (tensor.Shape, error) {
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
func (op *RQSplineKnotsSoftClipGrad) Do(v ...gorgonia.Value) (gorgonia.Value, error) {
	return do(op, v)
}

// Exec32 is the float32 kernel: it overwrites out and allocates nothing.
func (op *RQSplineKnotsSoftClipGrad) Exec32(out []float32, ins [][]float32, _ []tensor.Shape) {
	softClipKnotsGradAll(out, ins[0], ins[1], ins[2], op.kn.Bins, op.kn.Bound)
}

// Exec64 is the float64 kernel: it overwrites out and allocates nothing.
func (op *RQSplineKnotsSoftClipGrad) Exec64(out []float64, ins [][]float64, _ []tensor.Shape) {
	softClipKnotsGradAll(out, ins[0], ins[1], ins[2], op.kn.Bins, op.kn.Bound)
}

func softClipKnotsGradAll[T Float](out, th, kap, g []T, bins int, bound float64) {
	p, q := SplineParams(bins), SplineKnotParams(bins)
	for i := 0; i < len(th)/p; i++ {
		softClipKnotsGrad(out[i*p:(i+1)*p], th[i*p:(i+1)*p], kap[i*q:(i+1)*q], g[i*q:(i+1)*q], bins, bound)
	}
}
