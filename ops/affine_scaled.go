package ops

import (
	"fmt"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// The eager (not differentiated) CPU path of an affine autoregressive
// layer evaluates σ(u) once, where AffineAR and LogScaleSum would each
// evaluate it (an exponential and a logarithm or two per entry):
//
//	s = Scales(h)                    s[n, e] = σ(h[n, 2e+1])          [N, D]
//	x = AffineARScaled(v, h, s)      x = (v - m)/s, or y = v·s + m     [N, D]
//	l = LogSumScales(s, h)           l[n] = sign·Σ_e log s[n, e]       [N]
//
// with the same values as AffineAR and LogScaleSum in float64 (bit for
// bit), and in float32 to the rounding of s to float32. Not
// differentiable: training graphs keep AffineAR and LogScaleSum.

// Scales is s = σ(u) for the unconstrained scales u of h [N, 2D].
type Scales struct {
	base
	Scale ScaleFn
}

// NewScales returns the op for scale function f.
func NewScales(f ScaleFn) *Scales {
	return &Scales{base: newBase("Scales("+f.String()+")", f.String(), 2, 2), Scale: f}
}

func (op *Scales) InferShape(ds ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := shapesOf(op.name, 1, ds)
	if err != nil {
		return nil, err
	}
	if err := matrix(op.name, 0, s[0], -1); err != nil {
		return nil, err
	}
	if s[0][1]%2 != 0 {
		return nil, fmt.Errorf("%s: input %v, expected [N, 2D]", op.name, s[0])
	}
	return tensor.Shape{s[0][0], s[0][1] / 2}, nil
}
func (op *Scales) Do(v ...gorgonia.Value) (gorgonia.Value, error) { return do(op, v) }
func (op *Scales) Exec32(out []float32, ins [][]float32, _ []tensor.Shape) {
	scales(out, ins[0], op.Scale)
}
func (op *Scales) Exec64(out []float64, ins [][]float64, _ []tensor.Shape) {
	scales(out, ins[0], op.Scale)
}

func scales[T Float](out, h []T, f ScaleFn) {
	var buf [scaleChunk]float64
	for i0 := 0; i0 < len(out); i0 += scaleChunk {
		b := buf[:min(scaleChunk, len(out)-i0)]
		for i := range b {
			b[i] = float64(h[2*(i0+i)+1])
		}
		batchScales[T](f, b)
		for i, s := range b {
			out[i0+i] = T(s)
		}
	}
}

// AffineARScaled is AffineAR with the scales given: inputs (v [N, D],
// h [N, 2D], s [N, D]).
type AffineARScaled struct {
	base
	Inverse bool
}

// NewAffineARScaled returns the transform in the given direction.
func NewAffineARScaled(inverse bool) *AffineARScaled {
	k := fmt.Sprint(inverse)
	return &AffineARScaled{base: newBase("AffineARScaled("+k+")", k, 2, 2, 2, 2), Inverse: inverse}
}

func (op *AffineARScaled) InferShape(ds ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := affineShapes(op.name, ds, 3)
	if err != nil {
		return nil, err
	}
	if !s[2].Eq(s[0]) {
		return nil, fmt.Errorf("%s: scales %v, expected %v", op.name, s[2], s[0])
	}
	return s[0].Clone(), nil
}
func (op *AffineARScaled) Do(v ...gorgonia.Value) (gorgonia.Value, error) { return do(op, v) }
func (op *AffineARScaled) Exec32(out []float32, ins [][]float32, _ []tensor.Shape) {
	affineARScaled(out, ins[0], ins[1], ins[2], op.Inverse)
}
func (op *AffineARScaled) Exec64(out []float64, ins [][]float64, _ []tensor.Shape) {
	affineARScaled(out, ins[0], ins[1], ins[2], op.Inverse)
}

func affineARScaled[T Float](out, v, h, s []T, inverse bool) {
	for i, vi := range v {
		if inverse {
			out[i] = T((float64(vi) - float64(h[2*i])) / float64(s[i]))
		} else {
			out[i] = T(float64(vi)*float64(s[i]) + float64(h[2*i]))
		}
	}
}

// LogSumScales is LogScaleSum from the scales: inputs (s [N, D], h
// [N, 2D]), out[n] = Sign·Σ_e log σ, with log σ = log s for softplus and
// LogScaleSum's own log σ(u) of h for the others (exp: u itself).
type LogSumScales struct {
	base
	Scale ScaleFn
	Sign  float64
}

// NewLogSumScales returns the reduction with the given sign (+1 or -1).
func NewLogSumScales(f ScaleFn, sign float64) *LogSumScales {
	k := fmt.Sprintf("%v,%g", f, sign)
	return &LogSumScales{base: newBase("LogSumScales("+k+")", k, 1, 2, 2), Scale: f, Sign: sign}
}

func (op *LogSumScales) InferShape(ds ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := shapesOf(op.name, 2, ds)
	if err != nil {
		return nil, err
	}
	if err := matrix(op.name, 0, s[0], -1); err != nil {
		return nil, err
	}
	if err := matrix(op.name, 1, s[1], 2*s[0][1]); err != nil {
		return nil, err
	}
	return tensor.Shape{s[0][0]}, nil
}
func (op *LogSumScales) Do(v ...gorgonia.Value) (gorgonia.Value, error) { return do(op, v) }
func (op *LogSumScales) Exec32(out []float32, ins [][]float32, s []tensor.Shape) {
	logSumScales(out, ins[0], ins[1], s[0][1], op.Scale, op.Sign)
}
func (op *LogSumScales) Exec64(out []float64, ins [][]float64, s []tensor.Shape) {
	logSumScales(out, ins[0], ins[1], s[0][1], op.Scale, op.Sign)
}

// rowSums sums the log σ of a row-major [N, d] matrix's entries, taken a
// chunk at a time in row order, into out[r] = sign·Σ_e: the row a chunk
// ends inside is carried into the next.
type rowSums struct {
	d, r, e int
	sign    float64
	acc     float64
}

// addRows adds the next entries b.
func addRows[T Float](out []T, rs *rowSums, b []float64) {
	for _, l := range b {
		rs.acc += l
		if rs.e++; rs.e == rs.d {
			out[rs.r] = T(rs.sign * rs.acc)
			rs.r, rs.e, rs.acc = rs.r+1, 0, 0
		}
	}
}

func logSumScales[T Float](out, s, h []T, d int, f ScaleFn, sign float64) {
	var buf [scaleChunk]float64
	rs := rowSums{d: d, sign: sign}
	for i0 := 0; i0 < len(out)*d; i0 += scaleChunk { // entries in row order, a chunk at a time
		b := buf[:min(scaleChunk, len(out)*d-i0)]
		if f == ScaleSoftplus { // log σ of σ itself
			for i := range b {
				b[i] = float64(s[i0+i])
			}
			batchLogs[T](b)
		} else {
			for i := range b {
				b[i] = float64(h[2*(i0+i)+1])
			}
			batchLogScales[T](f, b)
		}
		addRows(out, &rs, b)
	}
}
