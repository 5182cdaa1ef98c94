package ops

import (
	"fmt"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Mask is W∘M for a fixed 0/1 mask M: the effective kernel of a masked
// (MADE) layer, computed once per graph so that the dense layer itself is a
// plain product. Its gradient is the incoming gradient masked the same way.
type Mask struct {
	base
	m64 []float64
	m32 []float32
}

// NewMask returns the op for a mask of len(mask) entries (row-major, the
// shape of the kernel).
func NewMask(mask []float64) *Mask {
	return &Mask{base: newBase(fmt.Sprintf("Mask(%d)", len(mask)), maskKey(len(mask), 1, Identity, mask), 2, 2),
		m64: append([]float64(nil), mask...), m32: toT[float32](mask)}
}

func (op *Mask) InferShape(ds ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := shapesOf(op.name, 1, ds)
	if err != nil {
		return nil, err
	}
	if s[0].TotalSize() != len(op.m64) {
		return nil, fmt.Errorf("%s: input %v has %d entries, expected %d", op.name, s[0], s[0].TotalSize(), len(op.m64))
	}
	return s[0].Clone(), nil
}
func (op *Mask) Do(v ...gorgonia.Value) (gorgonia.Value, error) { return do(op, v) }
func (op *Mask) Exec32(out []float32, ins [][]float32, _ []tensor.Shape) {
	mul(out, ins[0], op.m32)
}
func (op *Mask) Exec64(out []float64, ins [][]float64, _ []tensor.Shape) {
	mul(out, ins[0], op.m64)
}

func mul[T Float](out, a, b []T) {
	b = b[:len(out)]
	a = a[:len(out)]
	for i := range out {
		out[i] = a[i] * b[i]
	}
}

func (op *Mask) DiffWRT(int) []bool { return []bool{true} }

func (op *Mask) SymDiff(_ gorgonia.Nodes, _, g *gorgonia.Node) (gorgonia.Nodes, error) {
	n, err := apply(op, g)
	return gorgonia.Nodes{n}, err
}

// RepeatRows is y[n, :] = h[0, :] for every row n of x: h [1, K], x [N, ·],
// y [N, K]. It broadcasts a network output computed once for a row shared
// by the whole batch (MAF's first sampling pass runs on zeros). Its
// gradient with respect to h is the column sum of the incoming gradient.
type RepeatRows struct{ base }

// NewRepeatRows returns the op.
func NewRepeatRows() *RepeatRows { return &RepeatRows{base: newBase("RepeatRows", "", 2, 2, 2)} }

func (op *RepeatRows) InferShape(ds ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := shapesOf(op.name, 2, ds)
	if err != nil {
		return nil, err
	}
	if err := matrix(op.name, 0, s[0], -1); err != nil {
		return nil, err
	}
	if s[0][0] != 1 {
		return nil, fmt.Errorf("%s: input %v, expected one row [1, K]", op.name, s[0])
	}
	if err := matrix(op.name, 1, s[1], -1); err != nil {
		return nil, err
	}
	return tensor.Shape{s[1][0], s[0][1]}, nil
}
func (op *RepeatRows) Do(v ...gorgonia.Value) (gorgonia.Value, error) { return do(op, v) }
func (op *RepeatRows) Exec32(out []float32, ins [][]float32, _ []tensor.Shape) {
	repeatRows(out, ins[0])
}
func (op *RepeatRows) Exec64(out []float64, ins [][]float64, _ []tensor.Shape) {
	repeatRows(out, ins[0])
}

func repeatRows[T Float](out, h []T) {
	for i := 0; i < len(out); i += len(h) {
		copy(out[i:i+len(h)], h)
	}
}

func (op *RepeatRows) DiffWRT(int) []bool { return []bool{true, false} }

func (op *RepeatRows) SymDiff(in gorgonia.Nodes, _, g *gorgonia.Node) (gorgonia.Nodes, error) {
	n, err := apply(&ColSumRow{base: newBase("ColSumRow", "", 2, 2)}, g)
	return gorgonia.Nodes{n, nil}, err
}

// ColSumRow is the column sum of g [N, K] kept as a row [1, K]: the
// gradient of RepeatRows.
type ColSumRow struct{ base }

func (op *ColSumRow) InferShape(ds ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := shapesOf(op.name, 1, ds)
	if err != nil {
		return nil, err
	}
	if err := matrix(op.name, 0, s[0], -1); err != nil {
		return nil, err
	}
	return tensor.Shape{1, s[0][1]}, nil
}
func (op *ColSumRow) Do(v ...gorgonia.Value) (gorgonia.Value, error) { return do(op, v) }
func (op *ColSumRow) Exec32(out []float32, ins [][]float32, s []tensor.Shape) {
	colSum(out, ins[0], s[0][0], s[0][1])
}
func (op *ColSumRow) Exec64(out []float64, ins [][]float64, s []tensor.Shape) {
	colSum(out, ins[0], s[0][0], s[0][1])
}
