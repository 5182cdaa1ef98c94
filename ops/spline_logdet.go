package ops

import (
	"fmt"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// RQSplineLogDet is the row-sum log-det-Jacobian of RQSpline: inputs
// (v [N, D], κ [N, D·Q]) as RQSpline reads them, output [N].
//
//	forward: out[n] = Σ_e log y'(v[n,e])             (FLDJ at x = v)
//	inverse: out[n] = -Σ_e log y'(g⁻¹(v[n,e]))       (ILDJ at y = v)
//
// Features outside [-B, B] add 0. Cost: O(K) per element.
type RQSplineLogDet struct {
	base
	Bins    int
	Bound   float64
	Inverse bool
}

// NewRQSplineLogDet returns the reduction for the spline with K = bins on
// [-bound, bound] in the given direction.
func NewRQSplineLogDet(bins int, bound float64, inverse bool) (*RQSplineLogDet, error) {
	if err := checkSpline("ops.RQSplineLogDet", bins, bound); err != nil {
		return nil, err
	}
	k := fmt.Sprintf("%d,%g,%v", bins, bound, inverse)
	return &RQSplineLogDet{base: newBase("RQSplineLogDet("+k+")", k, 1, 2, 2), Bins: bins, Bound: bound, Inverse: inverse}, nil
}

// InferShape checks the input shapes and returns the output shape.
func (op *RQSplineLogDet) InferShape(ds ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := splineShapes(op.name, ds, 2, op.Bins)
	if err != nil {
		return nil, err
	}
	return tensor.Shape{s[0][0]}, nil
}

// Do runs the kernel on values, allocating the output (Gorgonia's machines).
func (op *RQSplineLogDet) Do(v ...gorgonia.Value) (gorgonia.Value, error) { return do(op, v) }

// Exec32 is the float32 kernel: it overwrites out and allocates nothing.
func (op *RQSplineLogDet) Exec32(out []float32, ins [][]float32, s []tensor.Shape) {
	rqSplineLogDet(out, ins[0], ins[1], s[0][1], op.Bins, op.Bound, op.Inverse)
}

// Exec64 is the float64 kernel: it overwrites out and allocates nothing.
func (op *RQSplineLogDet) Exec64(out []float64, ins [][]float64, s []tensor.Shape) {
	rqSplineLogDet(out, ins[0], ins[1], s[0][1], op.Bins, op.Bound, op.Inverse)
}

func rqSplineLogDet[T Float](out, v, th []T, d, bins int, bound float64, inverse bool) {
	var kn rqKnots
	var pt rqPoint
	q := SplineKnotParams(bins)
	for r := range out {
		acc := 0.0
		for e := 0; e < d; e++ {
			i := r*d + e
			x := float64(v[i])
			if x < -bound || x > bound {
				continue
			}
			loadKnots(&kn, th[i*q:(i+1)*q], bins, bound)
			if inverse {
				kn.inverse(&pt, x, wantLog)
				acc -= pt.logdydx
			} else {
				kn.forward(&pt, x, wantLog)
				acc += pt.logdydx
			}
		}
		out[r] = T(acc)
	}
}

// DiffWRT reports which inputs have a gradient.
func (op *RQSplineLogDet) DiffWRT(int) []bool { return []bool{true, true} }

// SymDiff emits the gradient ops for the inputs.
func (op *RQSplineLogDet) SymDiff(in gorgonia.Nodes, _, g *gorgonia.Node) (gorgonia.Nodes, error) {
	out := make(gorgonia.Nodes, 2)
	for wrt := range out {
		n, err := apply(newRQSplineLogDetGrad(op, wrt), in[0], in[1], g)
		if err != nil {
			return nil, err
		}
		out[wrt] = n
	}
	return out, nil
}

// RQSplineLogDetGrad is the gradient of RQSplineLogDet with respect to v
// (WRT 0, output [N, D]) or κ (WRT 1, output [N, D·Q]). Inputs (v, κ,
// g [N]). With L = log y' and ∂/∂x taken at fixed κ:
//
//	forward: dv = g·∂L/∂x,         dκ = g·∂L/∂κ
//	inverse: dv = -g·(∂L/∂x)/y',   dκ = -g·∂L/∂κ + g·(∂L/∂x)/y'·∂y/∂κ
//
// at x = g⁻¹(v) for the inverse (x depends on κ through the spline).
// Outside [-B, B] both are 0. Cost: O(K) per element.
type RQSplineLogDetGrad struct {
	base
	ld  *RQSplineLogDet
	WRT int
}

func newRQSplineLogDetGrad(ld *RQSplineLogDet, wrt int) *RQSplineLogDetGrad {
	k := fmt.Sprintf("%s,%d", ld.key, wrt)
	return &RQSplineLogDetGrad{base: newBase(fmt.Sprintf("RQSplineLogDetGrad(WRT=%d)", wrt), k, 2, 2, 2, 1), ld: ld, WRT: wrt}
}

// LogDet returns the reduction whose gradient this is.
func (op *RQSplineLogDetGrad) LogDet() *RQSplineLogDet { return op.ld }

// InferShape checks the input shapes and returns the output shape.
func (op *RQSplineLogDetGrad) InferShape(ds ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := splineShapes(op.name, ds, 3, op.ld.Bins)
	if err != nil {
		return nil, err
	}
	if s[2].TotalSize() != s[0][0] {
		return nil, fmt.Errorf("%s: gradient %v, expected [%d]", op.name, s[2], s[0][0])
	}
	return s[op.WRT].Clone(), nil
}

// Do runs the kernel on values, allocating the output (Gorgonia's machines).
func (op *RQSplineLogDetGrad) Do(v ...gorgonia.Value) (gorgonia.Value, error) { return do(op, v) }

// Exec32 is the float32 kernel: it overwrites out and allocates nothing.
func (op *RQSplineLogDetGrad) Exec32(out []float32, ins [][]float32, s []tensor.Shape) {
	rqSplineLogDetGrad(out, ins[0], ins[1], ins[2], s[0][1], op.ld, op.WRT)
}

// Exec64 is the float64 kernel: it overwrites out and allocates nothing.
func (op *RQSplineLogDetGrad) Exec64(out []float64, ins [][]float64, s []tensor.Shape) {
	rqSplineLogDetGrad(out, ins[0], ins[1], ins[2], s[0][1], op.ld, op.WRT)
}

func rqSplineLogDetGrad[T Float](out, v, th, g []T, d int, ld *RQSplineLogDet, wrt int) {
	var kn rqKnots
	var pt rqPoint
	var gp [3*MaxSplineBins + 1]float64
	bins, bound := ld.Bins, ld.Bound
	p := SplineKnotParams(bins)
	for i, vi := range v {
		x, gi := float64(vi), float64(g[i/d])
		if x < -bound || x > bound {
			if wrt == 0 {
				out[i] = 0
			} else {
				clear(out[i*p : (i+1)*p])
			}
			continue
		}
		loadKnots(&kn, th[i*p:(i+1)*p], bins, bound)
		if !ld.Inverse {
			kn.forward(&pt, x, wantPartials)
			if wrt == 0 {
				out[i] = T(gi * pt.Lxi / kn.w[pt.k])
				continue
			}
			kn.backward(gp[:p], &pt, 0, gi)
		} else {
			kn.inverse(&pt, x, wantPartials)
			lx := pt.Lxi / kn.w[pt.k] // ∂L/∂x
			if wrt == 0 {
				out[i] = T(-gi * lx / pt.dydx)
				continue
			}
			kn.backward(gp[:p], &pt, gi*lx/pt.dydx, -gi)
		}
		for j, gv := range gp[:p] {
			out[i*p+j] = T(gv)
		}
	}
}
