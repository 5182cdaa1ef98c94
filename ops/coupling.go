package ops

import (
	"fmt"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Columns is the column block y = x[:, Lo:Hi] of x [N, D], D >= Hi, y
// [N, Hi-Lo]: how a coupling layer splits its input into the part that
// passes through and the part it transforms. Its gradient is ColumnsGrad.
// Cost: a copy of N·(Hi-Lo) values.
type Columns struct {
	base
	Lo, Hi int
}

// NewColumns returns the op for columns lo..hi-1; 0 <= lo < hi.
func NewColumns(lo, hi int) (*Columns, error) {
	if lo < 0 || hi <= lo {
		return nil, fmt.Errorf("ops.Columns: columns [%d, %d), expected 0 <= lo < hi", lo, hi)
	}
	k := fmt.Sprintf("%d:%d", lo, hi)
	return &Columns{base: newBase("Columns["+k+"]", k, 2, 2), Lo: lo, Hi: hi}, nil
}

// InferShape checks the input shapes and returns the output shape.
func (op *Columns) InferShape(ds ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := shapesOf(op.name, 1, ds)
	if err != nil {
		return nil, err
	}
	if err := matrix(op.name, 0, s[0], -1); err != nil {
		return nil, err
	}
	if s[0][1] < op.Hi {
		return nil, fmt.Errorf("%s: input %v, expected at least %d columns", op.name, s[0], op.Hi)
	}
	return tensor.Shape{s[0][0], op.Hi - op.Lo}, nil
}

// Do runs the kernel on values, allocating the output (Gorgonia's machines).
func (op *Columns) Do(v ...gorgonia.Value) (gorgonia.Value, error) { return do(op, v) }

// Exec32 is the float32 kernel: it overwrites out and allocates nothing.
func (op *Columns) Exec32(out []float32, ins [][]float32, s []tensor.Shape) {
	columns(out, ins[0], s[0][1], op.Lo, op.Hi)
}

// Exec64 is the float64 kernel: it overwrites out and allocates nothing.
func (op *Columns) Exec64(out []float64, ins [][]float64, s []tensor.Shape) {
	columns(out, ins[0], s[0][1], op.Lo, op.Hi)
}

func columns[T Float](out, x []T, d, lo, hi int) {
	w := hi - lo
	for r := 0; r < len(out)/w; r++ {
		copy(out[r*w:(r+1)*w], x[r*d+lo:r*d+hi])
	}
}

// DiffWRT reports which inputs have a gradient.
func (op *Columns) DiffWRT(int) []bool { return []bool{true} }

// SymDiff emits the gradient ops for the inputs.
func (op *Columns) SymDiff(in gorgonia.Nodes, _, g *gorgonia.Node) (gorgonia.Nodes, error) {
	k := fmt.Sprintf("%d:%d", op.Lo, op.Hi)
	n, err := apply(&ColumnsGrad{base: newBase("ColumnsGrad["+k+"]", k, 2, 2, 2), Lo: op.Lo, Hi: op.Hi}, in[0], g)
	return gorgonia.Nodes{n}, err
}

// ColumnsGrad is the gradient of Columns: inputs (x [N, D], g [N, Hi-Lo]),
// output [N, D] holding g in columns Lo..Hi-1 and zeros elsewhere (x gives
// only the shape). Cost: N·D writes.
type ColumnsGrad struct {
	base
	Lo, Hi int
}

// InferShape checks the input shapes and returns the output shape.
func (op *ColumnsGrad) InferShape(ds ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := shapesOf(op.name, 2, ds)
	if err != nil {
		return nil, err
	}
	if err := matrix(op.name, 0, s[0], -1); err != nil {
		return nil, err
	}
	if err := matrix(op.name, 1, s[1], op.Hi-op.Lo); err != nil {
		return nil, err
	}
	if s[0][1] < op.Hi || s[0][0] != s[1][0] {
		return nil, fmt.Errorf("%s: x %v and gradient %v, expected [N, >=%d] and [N, %d]", op.name, s[0], s[1], op.Hi, op.Hi-op.Lo)
	}
	return s[0].Clone(), nil
}

// Do runs the kernel on values, allocating the output (Gorgonia's machines).
func (op *ColumnsGrad) Do(v ...gorgonia.Value) (gorgonia.Value, error) { return do(op, v) }

// Exec32 is the float32 kernel: it overwrites out and allocates nothing.
func (op *ColumnsGrad) Exec32(out []float32, ins [][]float32, s []tensor.Shape) {
	columnsGrad(out, ins[1], s[0][1], op.Lo, op.Hi)
}

// Exec64 is the float64 kernel: it overwrites out and allocates nothing.
func (op *ColumnsGrad) Exec64(out []float64, ins [][]float64, s []tensor.Shape) {
	columnsGrad(out, ins[1], s[0][1], op.Lo, op.Hi)
}

func columnsGrad[T Float](out, g []T, d, lo, hi int) {
	clear(out)
	w := hi - lo
	for r := 0; r < len(out)/d; r++ {
		copy(out[r*d+lo:r*d+hi], g[r*w:(r+1)*w])
	}
}

// Concat joins two matrices side by side: y = [a, b], a [N, Da], b [N, Db],
// y [N, Da+Db]. Its gradients are the Columns blocks of the incoming
// gradient. Cost: a copy of N·(Da+Db) values.
type Concat struct{ base }

// NewConcat returns the op.
func NewConcat() *Concat { return &Concat{base: newBase("Concat", "", 2, 2, 2)} }

// InferShape checks the input shapes and returns the output shape.
func (op *Concat) InferShape(ds ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := shapesOf(op.name, 2, ds)
	if err != nil {
		return nil, err
	}
	for i := range s {
		if err := matrix(op.name, i, s[i], -1); err != nil {
			return nil, err
		}
	}
	if s[0][0] != s[1][0] {
		return nil, fmt.Errorf("%s: %d rows and %d rows", op.name, s[0][0], s[1][0])
	}
	return tensor.Shape{s[0][0], s[0][1] + s[1][1]}, nil
}

// Do runs the kernel on values, allocating the output (Gorgonia's machines).
func (op *Concat) Do(v ...gorgonia.Value) (gorgonia.Value, error) { return do(op, v) }

// Exec32 is the float32 kernel: it overwrites out and allocates nothing.
func (op *Concat) Exec32(out []float32, ins [][]float32, s []tensor.Shape) {
	concat(out, ins[0], ins[1], s[0][1], s[1][1])
}

// Exec64 is the float64 kernel: it overwrites out and allocates nothing.
func (op *Concat) Exec64(out []float64, ins [][]float64, s []tensor.Shape) {
	concat(out, ins[0], ins[1], s[0][1], s[1][1])
}

func concat[T Float](out, a, b []T, da, db int) {
	d := da + db
	for r := 0; r < len(out)/d; r++ {
		copy(out[r*d:r*d+da], a[r*da:(r+1)*da])
		copy(out[r*d+da:(r+1)*d], b[r*db:(r+1)*db])
	}
}

// DiffWRT reports which inputs have a gradient.
func (op *Concat) DiffWRT(int) []bool { return []bool{true, true} }

// SymDiff emits the gradient ops for the inputs.
func (op *Concat) SymDiff(in gorgonia.Nodes, _, g *gorgonia.Node) (gorgonia.Nodes, error) {
	da, db := in[0].Shape()[1], in[1].Shape()[1]
	ca, err := NewColumns(0, da)
	if err != nil {
		return nil, err
	}
	cb, err := NewColumns(da, da+db)
	if err != nil {
		return nil, err
	}
	ga, err := apply(ca, g)
	if err != nil {
		return nil, err
	}
	gb, err := apply(cb, g)
	if err != nil {
		return nil, err
	}
	return gorgonia.Nodes{ga, gb}, nil
}
