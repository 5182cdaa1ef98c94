package ops

import (
	"fmt"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// RQSpline is the elementwise monotonic rational-quadratic spline of
// Durkan et al., "Neural Spline Flows" (2019), with TFP's conventions
// (tfb.RationalQuadraticSpline): K bins on [-B, B], knot slopes 1 at ±B,
// the identity outside [-B, B]. Inputs (v [N, D], κ [N, D·Q]), Q = 3K+1,
// output [N, D]; κ is the output of RQSplineKnots, feature e's bin widths
// W, heights H and knot slopes δ in columns e·Q..e·Q+Q-1:
//
//	forward: y = g(v; κ)      inverse: x = g⁻¹(v; κ)
//
// With knots x_k = -B + Σ_{j<k} W_j, y_k = -B + Σ_{j<k} H_j, on bin k,
// ξ = (x - x_k)/W_k, s = H_k/W_k, τ = ξ(1-ξ):
//
//	y  = y_k + H_k·(s ξ² + δ_k τ) / (s + (δ_k + δ_{k+1} - 2s) τ)
//	y' = s²·(δ_{k+1} ξ² + 2s τ + δ_k (1-ξ)²) / (s + (δ_k + δ_{k+1} - 2s) τ)²
//
// The inverse finds the bin of y among the y_k and solves the quadratic in
// ξ in closed form (the root 2c/(-b - √(b²-4ac)), free of cancellation).
// The kernels compute in float64 for either dtype. Cost: O(K) per element
// inside [-B, B] (the knot sums and a binary search), a copy outside.
type RQSpline struct {
	base
	Bins    int
	Bound   float64
	Inverse bool
}

// NewRQSpline returns the transform with K = bins on [-bound, bound] in the
// given direction. bins must be in 1..MaxSplineBins and bound positive.
func NewRQSpline(bins int, bound float64, inverse bool) (*RQSpline, error) {
	if err := checkSpline("ops.RQSpline", bins, bound); err != nil {
		return nil, err
	}
	k := fmt.Sprintf("%d,%g,%v", bins, bound, inverse)
	return &RQSpline{base: newBase("RQSpline("+k+")", k, 2, 2, 2), Bins: bins, Bound: bound, Inverse: inverse}, nil
}

// splineShapes checks (v [N, D], κ [N, D·Q], rest...) and returns the shapes.
func splineShapes(name string, ds []gorgonia.DimSizer, n, bins int) ([]tensor.Shape, error) {
	s, err := shapesOf(name, n, ds)
	if err != nil {
		return nil, err
	}
	if err := matrix(name, 0, s[0], -1); err != nil {
		return nil, err
	}
	if err := matrix(name, 1, s[1], s[0][1]*SplineKnotParams(bins)); err != nil {
		return nil, err
	}
	if s[0][0] != s[1][0] {
		return nil, fmt.Errorf("%s: %d rows and %d rows", name, s[0][0], s[1][0])
	}
	return s, nil
}

// InferShape checks the input shapes and returns the output shape.
func (op *RQSpline) InferShape(ds ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := splineShapes(op.name, ds, 2, op.Bins)
	if err != nil {
		return nil, err
	}
	return s[0].Clone(), nil
}

// Do runs the kernel on values, allocating the output (Gorgonia's machines).
func (op *RQSpline) Do(v ...gorgonia.Value) (gorgonia.Value, error) { return do(op, v) }

// Exec32 is the float32 kernel: it overwrites out and allocates nothing.
func (op *RQSpline) Exec32(out []float32, ins [][]float32, _ []tensor.Shape) {
	rqSpline(out, ins[0], ins[1], op.Bins, op.Bound, op.Inverse)
}

// Exec64 is the float64 kernel: it overwrites out and allocates nothing.
func (op *RQSpline) Exec64(out []float64, ins [][]float64, _ []tensor.Shape) {
	rqSpline(out, ins[0], ins[1], op.Bins, op.Bound, op.Inverse)
}

func rqSpline[T Float](out, v, th []T, bins int, bound float64, inverse bool) {
	var kn rqKnots
	var pt rqPoint
	q := SplineKnotParams(bins)
	for i, vi := range v {
		x := float64(vi)
		if x < -bound || x > bound {
			out[i] = vi
			continue
		}
		loadKnots(&kn, th[i*q:(i+1)*q], bins, bound)
		if inverse {
			out[i] = T(kn.inverse(&pt, x, 0))
		} else {
			kn.forward(&pt, x, 0)
			out[i] = T(pt.y)
		}
	}
}

// DiffWRT reports which inputs have a gradient.
func (op *RQSpline) DiffWRT(int) []bool { return []bool{true, true} }

// SymDiff emits the gradient ops for the inputs.
func (op *RQSpline) SymDiff(in gorgonia.Nodes, _, g *gorgonia.Node) (gorgonia.Nodes, error) {
	out := make(gorgonia.Nodes, 2)
	for wrt := range out {
		n, err := apply(newRQSplineGrad(op, wrt), in[0], in[1], g)
		if err != nil {
			return nil, err
		}
		out[wrt] = n
	}
	return out, nil
}

// RQSplineGrad is the gradient of RQSpline with respect to v (WRT 0,
// output [N, D]) or κ (WRT 1, output [N, D·Q]). Inputs (v, κ, g [N, D]).
//
//	forward: dv = g·y'(v),  dκ = g·∂y/∂κ
//	inverse: dv = g/y'(x),  dκ = -g·(∂y/∂κ)/y'(x) at x = g⁻¹(v)
//
// (the inverse by the implicit-function theorem). Outside [-B, B]: dv = g,
// dκ = 0. Cost: O(K) per element.
type RQSplineGrad struct {
	base
	sp  *RQSpline
	WRT int
}

func newRQSplineGrad(sp *RQSpline, wrt int) *RQSplineGrad {
	k := fmt.Sprintf("%s,%d", sp.key, wrt)
	return &RQSplineGrad{base: newBase(fmt.Sprintf("RQSplineGrad(WRT=%d)", wrt), k, 2, 2, 2, 2), sp: sp, WRT: wrt}
}

// Spline returns the transform whose gradient this is.
func (op *RQSplineGrad) Spline() *RQSpline { return op.sp }

// InferShape checks the input shapes and returns the output shape.
func (op *RQSplineGrad) InferShape(ds ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := splineShapes(op.name, ds, 3, op.sp.Bins)
	if err != nil {
		return nil, err
	}
	if !s[2].Eq(s[0]) {
		return nil, fmt.Errorf("%s: gradient %v, expected %v", op.name, s[2], s[0])
	}
	return s[op.WRT].Clone(), nil
}

// Do runs the kernel on values, allocating the output (Gorgonia's machines).
func (op *RQSplineGrad) Do(v ...gorgonia.Value) (gorgonia.Value, error) { return do(op, v) }

// Exec32 is the float32 kernel: it overwrites out and allocates nothing.
func (op *RQSplineGrad) Exec32(out []float32, ins [][]float32, _ []tensor.Shape) {
	rqSplineGrad(out, ins[0], ins[1], ins[2], op.sp, op.WRT)
}

// Exec64 is the float64 kernel: it overwrites out and allocates nothing.
func (op *RQSplineGrad) Exec64(out []float64, ins [][]float64, _ []tensor.Shape) {
	rqSplineGrad(out, ins[0], ins[1], ins[2], op.sp, op.WRT)
}

func rqSplineGrad[T Float](out, v, th, g []T, sp *RQSpline, wrt int) {
	var kn rqKnots
	var pt rqPoint
	var gp [3*MaxSplineBins + 1]float64
	bins, bound := sp.Bins, sp.Bound
	p := SplineKnotParams(bins)
	want := 0
	if wrt == 1 {
		want = wantPartials
	}
	for i, vi := range v {
		x, gi := float64(vi), float64(g[i])
		if x < -bound || x > bound {
			if wrt == 0 {
				out[i] = g[i]
			} else {
				clear(out[i*p : (i+1)*p])
			}
			continue
		}
		loadKnots(&kn, th[i*p:(i+1)*p], bins, bound)
		cy := gi
		if sp.Inverse {
			kn.inverse(&pt, x, want)
			cy = -gi / pt.dydx
		} else {
			kn.forward(&pt, x, want)
		}
		if wrt == 0 {
			if sp.Inverse {
				out[i] = T(gi / pt.dydx)
			} else {
				out[i] = T(gi * pt.dydx)
			}
			continue
		}
		kn.backward(gp[:p], &pt, cy, 0)
		for j, gv := range gp[:p] {
			out[i*p+j] = T(gv)
		}
	}
}
