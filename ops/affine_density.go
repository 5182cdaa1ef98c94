package ops

import (
	"fmt"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// AffineARDensity is an affine autoregressive layer's inverse and its
// log-det in one op, for CPU training graphs: inputs (v [N, D], h [N, 2D]),
// output o [N, D+1] with
//
//	o[:, e] = x_e = (v_e - m_e)/σ(u_e),  o[:, D] = ildj = -Σ_e log σ(u_e),
//
// (columns split off by Columns and LastColumn), the values of AffineAR and
// LogScaleSum bit for bit. Its gradient evaluates σ and (log σ)' once per
// entry where AffineAR's and LogScaleSum's each would:
//
//	dv_e = g_e/σ,  dm_e = -g_e/σ,  du_e = -(g_e·x_e + g_D)·(log σ)'(u_e).
type AffineARDensity struct {
	base
	Scale ScaleFn
}

// NewAffineARDensity returns the op for scale function f.
func NewAffineARDensity(f ScaleFn) *AffineARDensity {
	return &AffineARDensity{base: newBase("AffineARDensity("+f.String()+")", f.String(), 2, 2, 2), Scale: f}
}

func (op *AffineARDensity) InferShape(ds ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := affineShapes(op.name, ds, 2)
	if err != nil {
		return nil, err
	}
	return tensor.Shape{s[0][0], s[0][1] + 1}, nil
}
func (op *AffineARDensity) Do(v ...gorgonia.Value) (gorgonia.Value, error) { return do(op, v) }
func (op *AffineARDensity) Exec32(out []float32, ins [][]float32, s []tensor.Shape) {
	affineDensity(out, ins[0], ins[1], s[0][1], op.Scale)
}
func (op *AffineARDensity) Exec64(out []float64, ins [][]float64, s []tensor.Shape) {
	affineDensity(out, ins[0], ins[1], s[0][1], op.Scale)
}

func affineDensity[T Float](out, v, h []T, d int, f ScaleFn) {
	var sb, lb [scaleChunk]float64
	r, e, acc := 0, 0, 0.0
	n := len(v) / d * d
	for i0 := 0; i0 < n; i0 += scaleChunk { // entries in row order, a chunk at a time
		s, l := sb[:min(scaleChunk, n-i0)], lb[:min(scaleChunk, n-i0)]
		for i := range s {
			s[i] = float64(h[2*(i0+i)+1])
		}
		if f == ScaleSoftplus { // log σ of σ itself: logScaleOnly's value, one exp fewer
			batchScales[T](f, s)
			copy(l, s)
			batchLogs[T](l)
		} else {
			copy(l, s)
			batchScales[T](f, s)
			batchLogScales[T](f, l)
		}
		for i := range s {
			out[r*(d+1)+e] = T((float64(v[i0+i]) - float64(h[2*(i0+i)])) / s[i])
			acc += l[i]
			if e++; e == d {
				out[r*(d+1)+d] = T(-acc)
				r, e, acc = r+1, 0, 0
			}
		}
	}
}

func (op *AffineARDensity) DiffWRT(int) []bool { return []bool{true, true} }

// SymDiff emits dh (AffineARDensityGrad) and dv = -dm from it (NegShifts):
// one evaluation of σ per entry for both.
func (op *AffineARDensity) SymDiff(in gorgonia.Nodes, _, g *gorgonia.Node) (gorgonia.Nodes, error) {
	k := fmt.Sprintf("%v,1", op.Scale)
	dh, err := apply(&AffineARDensityGrad{base: newBase("AffineARDensityGrad("+k+")", k, 2, 2, 2, 2), Scale: op.Scale, WRT: 1}, in[0], in[1], g)
	if err != nil {
		return nil, err
	}
	dv, err := apply(&NegShifts{base: newBase("NegShifts", "", 2, 2)}, dh)
	return gorgonia.Nodes{dv, dh}, err
}

// NegShifts is -h[:, 2e] for h [N, 2D]: out [N, D]. With h = dh of
// AffineARDensityGrad it is dv = g/σ (negation is exact).
type NegShifts struct{ base }

func (op *NegShifts) InferShape(ds ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := shapesOf(op.name, 1, ds)
	if err != nil {
		return nil, err
	}
	if err := matrix(op.name, 0, s[0], -1); err != nil {
		return nil, err
	}
	return tensor.Shape{s[0][0], s[0][1] / 2}, nil
}
func (op *NegShifts) Do(v ...gorgonia.Value) (gorgonia.Value, error) { return do(op, v) }
func (op *NegShifts) Exec32(out []float32, ins [][]float32, _ []tensor.Shape) {
	negShifts(out, ins[0])
}
func (op *NegShifts) Exec64(out []float64, ins [][]float64, _ []tensor.Shape) {
	negShifts(out, ins[0])
}

func negShifts[T Float](out, h []T) {
	for i := range out {
		out[i] = -h[2*i]
	}
}

// AffineARDensityGrad is the gradient of AffineARDensity with respect to v
// (WRT 0, [N, D]) or h (WRT 1, [N, 2D]): inputs (v, h, g [N, D+1]). The
// graph uses WRT 1 and takes dv from it (NegShifts).
type AffineARDensityGrad struct {
	base
	Scale ScaleFn
	WRT   int
}

func (op *AffineARDensityGrad) InferShape(ds ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := shapesOf(op.name, 3, ds)
	if err != nil {
		return nil, err
	}
	if !s[2].Eq(tensor.Shape{s[0][0], s[0][1] + 1}) {
		return nil, fmt.Errorf("%s: gradient %v, expected [%d %d]", op.name, s[2], s[0][0], s[0][1]+1)
	}
	return s[op.WRT].Clone(), nil
}
func (op *AffineARDensityGrad) Do(v ...gorgonia.Value) (gorgonia.Value, error) { return do(op, v) }
func (op *AffineARDensityGrad) Exec32(out []float32, ins [][]float32, s []tensor.Shape) {
	affineDensityGrad(out, ins[0], ins[1], ins[2], s[0][1], op.Scale, op.WRT)
}
func (op *AffineARDensityGrad) Exec64(out []float64, ins [][]float64, s []tensor.Shape) {
	affineDensityGrad(out, ins[0], ins[1], ins[2], s[0][1], op.Scale, op.WRT)
}

func affineDensityGrad[T Float](out, v, h, g []T, d int, f ScaleFn, wrt int) {
	var sb, db [scaleChunk]float64
	n := len(v) / d * d
	r, e := 0, 0
	for i0 := 0; i0 < n; i0 += scaleChunk { // entries in row order, a chunk at a time
		s, dl := sb[:min(scaleChunk, n-i0)], db[:min(scaleChunk, n-i0)]
		for i := range s {
			s[i] = float64(h[2*(i0+i)+1])
		}
		if wrt == 0 {
			batchScales[T](f, s)
		} else {
			batchGrads[T](f, s, dl)
		}
		for k := range s {
			i := i0 + k
			ge, gl := float64(g[r*(d+1)+e]), float64(g[r*(d+1)+d])
			if e++; e == d {
				r, e = r+1, 0
			}
			if wrt == 0 {
				out[i] = T(ge / s[k])
				continue
			}
			x := (float64(v[i]) - float64(h[2*i])) / s[k]
			out[2*i] = T(-ge / s[k])
			out[2*i+1] = T(-(ge*x + gl) * dl[k])
		}
	}
}

// LastColumn is the last column of a matrix as a vector: o [N, C] → o[:, C-1]
// [N]; AffineARDensity's log-det.
type LastColumn struct{ base }

// NewLastColumn returns the op.
func NewLastColumn() *LastColumn { return &LastColumn{base: newBase("LastColumn", "", 1, 2)} }

func (op *LastColumn) InferShape(ds ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := shapesOf(op.name, 1, ds)
	if err != nil {
		return nil, err
	}
	if err := matrix(op.name, 0, s[0], -1); err != nil {
		return nil, err
	}
	return tensor.Shape{s[0][0]}, nil
}
func (op *LastColumn) Do(v ...gorgonia.Value) (gorgonia.Value, error) { return do(op, v) }
func (op *LastColumn) Exec32(out []float32, ins [][]float32, s []tensor.Shape) {
	lastColumn(out, ins[0], s[0][1])
}
func (op *LastColumn) Exec64(out []float64, ins [][]float64, s []tensor.Shape) {
	lastColumn(out, ins[0], s[0][1])
}

func lastColumn[T Float](out, o []T, c int) {
	for r := range out {
		out[r] = o[r*c+c-1]
	}
}

func (op *LastColumn) DiffWRT(int) []bool { return []bool{true} }

func (op *LastColumn) SymDiff(in gorgonia.Nodes, _, g *gorgonia.Node) (gorgonia.Nodes, error) {
	n, err := apply(&LastColumnGrad{base: newBase("LastColumnGrad", "", 2, 2, 1)}, in[0], g)
	return gorgonia.Nodes{n}, err
}

// LastColumnGrad is the gradient of LastColumn: inputs (o [N, C], g [N]),
// output [N, C] holding g in the last column and zeros elsewhere.
type LastColumnGrad struct{ base }

func (op *LastColumnGrad) InferShape(ds ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := shapesOf(op.name, 2, ds)
	if err != nil {
		return nil, err
	}
	return s[0].Clone(), nil
}
func (op *LastColumnGrad) Do(v ...gorgonia.Value) (gorgonia.Value, error) { return do(op, v) }
func (op *LastColumnGrad) Exec32(out []float32, ins [][]float32, s []tensor.Shape) {
	lastColumnGrad(out, ins[1], s[0][1])
}
func (op *LastColumnGrad) Exec64(out []float64, ins [][]float64, s []tensor.Shape) {
	lastColumnGrad(out, ins[1], s[0][1])
}

func lastColumnGrad[T Float](out, g []T, c int) {
	clear(out)
	for r, v := range g {
		out[r*c+c-1] = v
	}
}
