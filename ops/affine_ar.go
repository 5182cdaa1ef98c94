package ops

import (
	"fmt"
	"math"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// ScaleFn maps the unconstrained network output u to the affine scale σ(u)
// of an autoregressive or coupling layer.
type ScaleFn int

const (
	// ScaleSoftplus is σ = softplus(u + log(e-1)) + 1e-3: σ(0) ≈ 1, bounded
	// below by 1e-3 and growing linearly, so exp never overflows (the
	// stabilized scale of nflows, shifted so an untrained layer is near the
	// identity).
	ScaleSoftplus ScaleFn = iota
	// ScaleExp is TFP's raw σ = exp(u): log σ = u, no bound.
	ScaleExp
	// ScaleSoftClip is σ = exp(u / (1 + |u|/6.9)): |log σ| < 6.9 (zuko's soft clip).
	ScaleSoftClip
)

var scaleNames = map[ScaleFn]string{ScaleSoftplus: "softplus", ScaleExp: "exp", ScaleSoftClip: "softclip"}

func (f ScaleFn) String() string {
	if s, ok := scaleNames[f]; ok {
		return s
	}
	return fmt.Sprintf("ScaleFn(%d)", int(f))
}

// Valid reports whether f is a known scale function.
func (f ScaleFn) Valid() bool { _, ok := scaleNames[f]; return ok }

// ParseScaleFn returns the scale function with the given name (softplus, exp, softclip).
func ParseScaleFn(name string) (ScaleFn, error) {
	for f, s := range scaleNames {
		if s == name {
			return f, nil
		}
	}
	return 0, fmt.Errorf("unknown scale function %q, expected softplus, exp or softclip", name)
}

const (
	softplusShift = 0.541324854612918 // log(e - 1): softplus(0 + shift) = 1
	softplusEps   = 1e-3
	softClipBound = 6.9
)

// scaleOnly returns σ(u) alone (the value path of AffineAR).
func scaleOnly(f ScaleFn, u float64) float64 {
	switch f {
	case ScaleExp:
		return math.Exp(u)
	case ScaleSoftClip:
		return math.Exp(u / (1 + math.Abs(u)/softClipBound))
	default:
		return softplus(u+softplusShift) + softplusEps
	}
}

// logScaleOnly returns log σ(u) alone (the value path of LogScaleSum).
func logScaleOnly(f ScaleFn, u float64) float64 {
	switch f {
	case ScaleExp:
		return u
	case ScaleSoftClip:
		return u / (1 + math.Abs(u)/softClipBound)
	default:
		return math.Log(softplus(u+softplusShift) + softplusEps)
	}
}

// scaleOf returns σ(u), log σ(u) and d log σ / du.
func scaleOf(f ScaleFn, u float64) (s, logS, dLogS float64) {
	switch f {
	case ScaleExp:
		return math.Exp(u), u, 1
	case ScaleSoftClip:
		d := 1 + math.Abs(u)/softClipBound
		l := u / d
		return math.Exp(l), l, 1 / (d * d)
	default:
		v := u + softplusShift
		s = softplus(v) + softplusEps
		return s, math.Log(s), sigmoid(v) / s
	}
}

// scaleGrad returns σ(u) and d log σ / du, the gradient paths' needs: no
// logarithm, and for softplus one exponential shared by softplus(v) =
// log1p(eᵛ) and its derivative sigmoid(v) = eᵛ/(1+eᵛ).
func scaleGrad(f ScaleFn, u float64) (s, dLogS float64) {
	switch f {
	case ScaleExp:
		return math.Exp(u), 1
	case ScaleSoftClip:
		d := 1 + math.Abs(u)/softClipBound
		return math.Exp(u / d), 1 / (d * d)
	}
	v := u + softplusShift
	var sp, sg float64
	if v > 30 {
		sp, sg = v, 1/(1+math.Exp(-v))
	} else {
		e := math.Exp(v)
		sp, sg = e, e/(1+e)
		if v >= -30 {
			sp = math.Log1p(e)
		}
	}
	s = sp + softplusEps
	return s, sg / s
}

// AffineAR is the affine autoregressive (or coupling) transform with the
// parameters h laid out as TFP's AutoregressiveNetwork emits them with
// params=2: h [N, 2D], column 2e is the shift m_e and column 2e+1 the
// unconstrained scale u_e of feature e. Inputs (v [N, D], h [N, 2D]).
//
//	forward: y = v·σ(u) + m
//	inverse: x = (v - m) / σ(u)
type AffineAR struct {
	base
	Inverse bool
	Scale   ScaleFn
}

// NewAffineAR returns the transform in the given direction.
func NewAffineAR(inverse bool, f ScaleFn) *AffineAR {
	k := fmt.Sprintf("%v,%v", inverse, f)
	return &AffineAR{base: newBase("AffineAR("+k+")", k, 2, 2, 2), Inverse: inverse, Scale: f}
}

func affineShapes(name string, ds []gorgonia.DimSizer, n int) ([]tensor.Shape, error) {
	s, err := shapesOf(name, n, ds)
	if err != nil {
		return nil, err
	}
	if err := matrix(name, 0, s[0], -1); err != nil {
		return nil, err
	}
	if err := matrix(name, 1, s[1], 2*s[0][1]); err != nil {
		return nil, err
	}
	if s[0][0] != s[1][0] {
		return nil, fmt.Errorf("%s: %d rows and %d rows", name, s[0][0], s[1][0])
	}
	return s, nil
}

func (op *AffineAR) InferShape(ds ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := affineShapes(op.name, ds, 2)
	if err != nil {
		return nil, err
	}
	return s[0].Clone(), nil
}
func (op *AffineAR) Do(v ...gorgonia.Value) (gorgonia.Value, error) { return do(op, v) }
func (op *AffineAR) Exec32(out []float32, ins [][]float32, _ []tensor.Shape) {
	affineAR(out, ins[0], ins[1], op.Inverse, op.Scale)
}
func (op *AffineAR) Exec64(out []float64, ins [][]float64, _ []tensor.Shape) {
	affineAR(out, ins[0], ins[1], op.Inverse, op.Scale)
}

func affineAR[T Float](out, v, h []T, inverse bool, f ScaleFn) {
	var buf [scaleChunk]float64
	for i0 := 0; i0 < len(v); i0 += scaleChunk {
		b := buf[:min(scaleChunk, len(v)-i0)]
		for i := range b {
			b[i] = float64(h[2*(i0+i)+1])
		}
		batchScales[T](f, b)
		for i, s := range b {
			vi, m := float64(v[i0+i]), float64(h[2*(i0+i)])
			if inverse {
				out[i0+i] = T((vi - m) / s)
			} else {
				out[i0+i] = T(vi*s + m)
			}
		}
	}
}

func (op *AffineAR) DiffWRT(int) []bool { return []bool{true, true} }

func (op *AffineAR) SymDiff(in gorgonia.Nodes, _, g *gorgonia.Node) (gorgonia.Nodes, error) {
	out := make(gorgonia.Nodes, 2)
	for wrt := range out {
		k := fmt.Sprintf("%v,%v,%d", op.Inverse, op.Scale, wrt)
		n, err := apply(&AffineARGrad{base: newBase("AffineARGrad("+k+")", k, 2, 2, 2, 2), ar: op, WRT: wrt}, in[0], in[1], g)
		if err != nil {
			return nil, err
		}
		out[wrt] = n
	}
	return out, nil
}

// AffineARGrad is the gradient of AffineAR with respect to v (WRT 0,
// output [N, D]) or h (WRT 1, output [N, 2D]). Inputs (v, h, g).
//
//	forward: dv = g·σ, dm = g, du = g·v·σ·(log σ)'
//	inverse: dv = g/σ, dm = -g/σ, du = -g·x·(log σ)' with x = (v-m)/σ
type AffineARGrad struct {
	base
	ar  *AffineAR
	WRT int
}

func (op *AffineARGrad) InferShape(ds ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := affineShapes(op.name, ds, 3)
	if err != nil {
		return nil, err
	}
	if !s[2].Eq(s[0]) {
		return nil, fmt.Errorf("%s: gradient %v, expected %v", op.name, s[2], s[0])
	}
	return s[op.WRT].Clone(), nil
}
func (op *AffineARGrad) Do(v ...gorgonia.Value) (gorgonia.Value, error) { return do(op, v) }
func (op *AffineARGrad) Exec32(out []float32, ins [][]float32, _ []tensor.Shape) {
	affineARGrad(out, ins[0], ins[1], ins[2], op.ar.Inverse, op.ar.Scale, op.WRT)
}
func (op *AffineARGrad) Exec64(out []float64, ins [][]float64, _ []tensor.Shape) {
	affineARGrad(out, ins[0], ins[1], ins[2], op.ar.Inverse, op.ar.Scale, op.WRT)
}

func affineARGrad[T Float](out, v, h, g []T, inverse bool, f ScaleFn, wrt int) {
	sf := scalesFor[T]()
	for i, vi := range v {
		u := float64(h[2*i+1])
		if wrt == 0 {
			if s := sf.scale(f, u); inverse {
				out[i] = T(float64(g[i]) / s)
			} else {
				out[i] = T(float64(g[i]) * s)
			}
			continue
		}
		s, dl := sf.grad(f, u)
		gi, m := float64(g[i]), float64(h[2*i])
		switch {
		case wrt == 0 && inverse:
			out[i] = T(gi / s)
		case wrt == 0:
			out[i] = T(gi * s)
		case inverse:
			x := (float64(vi) - m) / s
			out[2*i] = T(-gi / s)
			out[2*i+1] = T(-gi * x * dl)
		default:
			out[2*i] = T(gi)
			out[2*i+1] = T(gi * float64(vi) * s * dl)
		}
	}
}

// LogScaleSum is the row-sum log-det reduction of an affine layer:
// out[n] = Sign · Σ_e log σ(h[n, 2e+1]), h [N, 2D], out [N]. With Sign +1
// it is the forward log-det-Jacobian, with -1 the inverse one.
type LogScaleSum struct {
	base
	Scale ScaleFn
	Sign  float64
}

// NewLogScaleSum returns the reduction with the given sign (+1 or -1).
func NewLogScaleSum(f ScaleFn, sign float64) *LogScaleSum {
	k := fmt.Sprintf("%v,%g", f, sign)
	return &LogScaleSum{base: newBase("LogScaleSum("+k+")", k, 1, 2), Scale: f, Sign: sign}
}

func (op *LogScaleSum) InferShape(ds ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := shapesOf(op.name, 1, ds)
	if err != nil {
		return nil, err
	}
	if err := matrix(op.name, 0, s[0], -1); err != nil {
		return nil, err
	}
	if s[0][1]%2 != 0 {
		return nil, fmt.Errorf("%s: input %v, expected an even number of columns [N, 2D]", op.name, s[0])
	}
	return tensor.Shape{s[0][0]}, nil
}
func (op *LogScaleSum) Do(v ...gorgonia.Value) (gorgonia.Value, error) { return do(op, v) }
func (op *LogScaleSum) Exec32(out []float32, ins [][]float32, s []tensor.Shape) {
	logScaleSum(out, ins[0], s[0][1], op.Scale, op.Sign)
}
func (op *LogScaleSum) Exec64(out []float64, ins [][]float64, s []tensor.Shape) {
	logScaleSum(out, ins[0], s[0][1], op.Scale, op.Sign)
}

func logScaleSum[T Float](out, h []T, cols int, f ScaleFn, sign float64) {
	var buf [scaleChunk]float64
	d := cols / 2
	rs := rowSums{d: d, sign: sign}
	for i0 := 0; i0 < len(out)*d; i0 += scaleChunk { // log σ in row order, a chunk at a time
		b := buf[:min(scaleChunk, len(out)*d-i0)]
		for i := range b {
			b[i] = float64(h[2*(i0+i)+1])
		}
		batchLogScales[T](f, b)
		addRows(out, &rs, b)
	}
}

func (op *LogScaleSum) DiffWRT(int) []bool { return []bool{true} }

func (op *LogScaleSum) SymDiff(in gorgonia.Nodes, _, g *gorgonia.Node) (gorgonia.Nodes, error) {
	gop := &LogScaleSumGrad{base: newBase("LogScaleSumGrad", op.key, 2, 2, 1), ls: op}
	n, err := apply(gop, in[0], g)
	return gorgonia.Nodes{n}, err
}

// LogScaleSumGrad is the gradient of LogScaleSum: inputs (h [N, 2D], g [N]),
// output [N, 2D] with 0 in the shift columns and Sign·g·(log σ)'(u) in the scale columns.
type LogScaleSumGrad struct {
	base
	ls *LogScaleSum
}

func (op *LogScaleSumGrad) InferShape(ds ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := shapesOf(op.name, 2, ds)
	if err != nil {
		return nil, err
	}
	return s[0].Clone(), nil
}
func (op *LogScaleSumGrad) Do(v ...gorgonia.Value) (gorgonia.Value, error) { return do(op, v) }
func (op *LogScaleSumGrad) Exec32(out []float32, ins [][]float32, s []tensor.Shape) {
	logScaleSumGrad(out, ins[0], ins[1], s[0][1], op.ls.Scale, op.ls.Sign)
}
func (op *LogScaleSumGrad) Exec64(out []float64, ins [][]float64, s []tensor.Shape) {
	logScaleSumGrad(out, ins[0], ins[1], s[0][1], op.ls.Scale, op.ls.Sign)
}

func logScaleSumGrad[T Float](out, h, g []T, cols int, f ScaleFn, sign float64) {
	sf := scalesFor[T]()
	for r, gr := range g {
		for c := 0; c < cols; c += 2 {
			_, dl := sf.grad(f, float64(h[r*cols+c+1]))
			out[r*cols+c] = 0
			out[r*cols+c+1] = T(sign * float64(gr) * dl)
		}
	}
}
