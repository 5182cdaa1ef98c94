package ops

import (
	"fmt"
	"math"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// ActNorm is the per-dimension affine map with trainable log-scale s and
// shift b of ActNorm (Kingma & Dhariwal, 2018, "Glow"):
//
//	forward: y[n,d] = x[n,d]·exp(s_d) + b_d
//	inverse: x[n,d] = (y[n,d] - b_d)·exp(-s_d)
//
// Inputs (v [N, D], s [D], b [D]), output [N, D]. Its gradients are
// ActNormGrad:
//
//	forward: dv = g·e^s,  ds = Σ_n g·v·e^s,  db = Σ_n g
//	inverse: dv = g·e^-s, ds = -Σ_n g·x,     db = -Σ_n g·e^-s
//
// with x the inverse's output. Cost: 2·N·D flops and D exps.
type ActNorm struct {
	base
	Inverse bool
}

// NewActNorm returns the op in the given direction.
func NewActNorm(inverse bool) *ActNorm {
	k := fmt.Sprint(inverse)
	return &ActNorm{base: newBase("ActNorm(inverse="+k+")", k, 2, 2, 1, 1), Inverse: inverse}
}

// anVector checks that input i has shape [d].
func anVector(name string, i int, s tensor.Shape, d int) error {
	if len(s) != 1 || s[0] != d {
		return fmt.Errorf("%s: input %d has shape %v, expected [%d]", name, i, s, d)
	}
	return nil
}

// actNormShapes checks (v [N, D], s [D], b [D], then any [N, D] gradients).
func actNormShapes(name string, ds []gorgonia.DimSizer, n int) ([]tensor.Shape, error) {
	s, err := shapesOf(name, n, ds)
	if err != nil {
		return nil, err
	}
	if err := matrix(name, 0, s[0], -1); err != nil {
		return nil, err
	}
	d := s[0][1]
	for i := 1; i < 3; i++ {
		if err := anVector(name, i, s[i], d); err != nil {
			return nil, err
		}
	}
	for i := 3; i < n; i++ {
		if !s[i].Eq(s[0]) {
			return nil, fmt.Errorf("%s: input %d has shape %v, expected %v", name, i, s[i], s[0])
		}
	}
	return s, nil
}

func (op *ActNorm) InferShape(ds ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := actNormShapes(op.name, ds, 3)
	if err != nil {
		return nil, err
	}
	return s[0].Clone(), nil
}
func (op *ActNorm) Do(v ...gorgonia.Value) (gorgonia.Value, error) { return do(op, v) }
func (op *ActNorm) Exec32(out []float32, ins [][]float32, _ []tensor.Shape) {
	actNorm(out, ins[0], ins[1], ins[2], op.Inverse)
}
func (op *ActNorm) Exec64(out []float64, ins [][]float64, _ []tensor.Shape) {
	actNorm(out, ins[0], ins[1], ins[2], op.Inverse)
}

// actNorm walks column by column so that each exp is taken once.
func actNorm[T Float](out, v, s, b []T, inverse bool) {
	d := len(s)
	for c := 0; c < d; c++ {
		bc := float64(b[c])
		if inverse {
			e := math.Exp(-float64(s[c]))
			for i := c; i < len(v); i += d {
				out[i] = T((float64(v[i]) - bc) * e)
			}
			continue
		}
		e := math.Exp(float64(s[c]))
		for i := c; i < len(v); i += d {
			out[i] = T(float64(v[i])*e + bc)
		}
	}
}

func (op *ActNorm) DiffWRT(int) []bool { return op.diffAll(3) }

func (op *ActNorm) SymDiff(in gorgonia.Nodes, _, g *gorgonia.Node) (gorgonia.Nodes, error) {
	out := make(gorgonia.Nodes, 3)
	for wrt := range out {
		n, err := apply(newActNormGrad(op, wrt), in[0], in[1], in[2], g)
		if err != nil {
			return nil, err
		}
		out[wrt] = n
	}
	return out, nil
}

// ActNormGrad is the gradient of ActNorm with respect to v (WRT 0, output
// [N, D]), s (WRT 1, [D]) or b (WRT 2, [D]). Inputs (v, s, b, g [N, D]).
// Cost: 3·N·D flops and D exps.
type ActNormGrad struct {
	base
	an  *ActNorm
	WRT int
}

func newActNormGrad(an *ActNorm, wrt int) *ActNormGrad {
	k := fmt.Sprintf("%v,%d", an.Inverse, wrt)
	out := 1
	if wrt == 0 {
		out = 2
	}
	return &ActNormGrad{base: newBase("ActNormGrad("+k+")", k, out, 2, 1, 1, 2), an: an, WRT: wrt}
}

func (op *ActNormGrad) InferShape(ds ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := actNormShapes(op.name, ds, 4)
	if err != nil {
		return nil, err
	}
	return s[op.WRT].Clone(), nil
}
func (op *ActNormGrad) Do(v ...gorgonia.Value) (gorgonia.Value, error) { return do(op, v) }
func (op *ActNormGrad) Exec32(out []float32, ins [][]float32, _ []tensor.Shape) {
	actNormGrad(out, ins[0], ins[1], ins[2], ins[3], op.an.Inverse, op.WRT)
}
func (op *ActNormGrad) Exec64(out []float64, ins [][]float64, _ []tensor.Shape) {
	actNormGrad(out, ins[0], ins[1], ins[2], ins[3], op.an.Inverse, op.WRT)
}

func actNormGrad[T Float](out, v, s, b, g []T, inverse bool, wrt int) {
	d := len(s)
	for c := 0; c < d; c++ {
		sign := 1.0
		if inverse {
			sign = -1
		}
		e := math.Exp(sign * float64(s[c]))
		bc := float64(b[c])
		var acc float64
		for i := c; i < len(v); i += d {
			gi := float64(g[i])
			switch {
			case wrt == 0:
				out[i] = T(gi * e)
			case wrt == 2:
				acc += gi
			case inverse: // ds = -g·x, x = (v - b)·e^-s
				acc -= gi * (float64(v[i]) - bc) * e
			default: // ds = g·v·e^s
				acc += gi * float64(v[i]) * e
			}
		}
		switch {
		case wrt == 1:
			out[c] = T(acc)
		case wrt == 2 && inverse:
			out[c] = T(-acc * e)
		case wrt == 2:
			out[c] = T(acc)
		}
	}
}

// ActNormLogDet is the log-det-Jacobian of a per-dimension scaling by
// exp(s), the same for every row:
//
//	out[n] = Sign·Σ_d s_d,  inputs (v [N, D], s [D]), out [N]
//
// v is read only for N. Sign +1 gives ActNorm's forward log-det, -1 the
// inverse one. Its gradient with respect to s is ActNormLogDetGrad,
// Sign·Σ_n g[n] in every entry; v gets none. Cost: N + D flops.
type ActNormLogDet struct {
	base
	Sign float64
}

// NewActNormLogDet returns the op with the given sign (+1 or -1).
func NewActNormLogDet(sign float64) *ActNormLogDet {
	k := fmt.Sprint(sign)
	return &ActNormLogDet{base: newBase("ActNormLogDet("+k+")", k, 1, 2, 1), Sign: sign}
}

func (op *ActNormLogDet) InferShape(ds ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := shapesOf(op.name, 2, ds)
	if err != nil {
		return nil, err
	}
	if err := matrix(op.name, 0, s[0], -1); err != nil {
		return nil, err
	}
	if err := anVector(op.name, 1, s[1], s[0][1]); err != nil {
		return nil, err
	}
	return tensor.Shape{s[0][0]}, nil
}
func (op *ActNormLogDet) Do(v ...gorgonia.Value) (gorgonia.Value, error) { return do(op, v) }
func (op *ActNormLogDet) Exec32(out []float32, ins [][]float32, _ []tensor.Shape) {
	fill(out, float32(op.Sign*anSum(ins[1])))
}
func (op *ActNormLogDet) Exec64(out []float64, ins [][]float64, _ []tensor.Shape) {
	fill(out, op.Sign*anSum(ins[1]))
}

func anSum[T Float](v []T) float64 {
	var s float64
	for _, x := range v {
		s += float64(x)
	}
	return s
}

func (op *ActNormLogDet) DiffWRT(int) []bool { return []bool{false, true} }

func (op *ActNormLogDet) SymDiff(in gorgonia.Nodes, _, g *gorgonia.Node) (gorgonia.Nodes, error) {
	k := fmt.Sprint(op.Sign)
	n, err := apply(&ActNormLogDetGrad{base: newBase("ActNormLogDetGrad("+k+")", k, 1, 1, 1), Sign: op.Sign}, in[1], g)
	return gorgonia.Nodes{nil, n}, err
}

// ActNormLogDetGrad is the gradient of ActNormLogDet with respect to s:
// inputs (s [D], g [N]), out[d] = Sign·Σ_n g[n] for every d.
type ActNormLogDetGrad struct {
	base
	Sign float64
}

func (op *ActNormLogDetGrad) InferShape(ds ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := shapesOf(op.name, 2, ds)
	if err != nil {
		return nil, err
	}
	return s[0].Clone(), nil
}
func (op *ActNormLogDetGrad) Do(v ...gorgonia.Value) (gorgonia.Value, error) { return do(op, v) }
func (op *ActNormLogDetGrad) Exec32(out []float32, ins [][]float32, _ []tensor.Shape) {
	fill(out, float32(op.Sign*anSum(ins[1])))
}
func (op *ActNormLogDetGrad) Exec64(out []float64, ins [][]float64, _ []tensor.Shape) {
	fill(out, op.Sign*anSum(ins[1]))
}
