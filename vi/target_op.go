package vi

import (
	"fmt"

	"github.com/nflowgo/nflow/ops"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// targetOp is log p̃(y) ([N]) of a batch y [N, D] as a graph op. Its
// kernel calls the Target (in float64) and keeps the gradient, which
// targetGradOp, its derivative, scales by the incoming gradient:
// ∂L/∂y[n, :] = g[n] · ∇ log p̃(y_n). The buffers are allocated on the
// first call and reused, so a compiled step does not allocate.
type targetOp struct {
	opBase
	t          Target
	d          int
	x, lp, grd []float64
}

func newTargetOp(t Target) *targetOp {
	return &targetOp{opBase: opBase{name: "TargetLogDensity", inDims: []int{2}, outDims: 1}, t: t, d: t.Dim()}
}

func (op *targetOp) InferShape(ds ...gorgonia.DimSizer) (tensor.Shape, error) {
	return inferFrom(op.name, 1, ds, func(s []tensor.Shape) (tensor.Shape, error) {
		if len(s[0]) != 2 || s[0][1] != op.d {
			return nil, fmt.Errorf("%s: input %v, expected [N, %d]", op.name, s[0], op.d)
		}
		return tensor.Shape{s[0][0]}, nil
	})
}

func (op *targetOp) Do(v ...gorgonia.Value) (gorgonia.Value, error) {
	if len(v) != 1 || v[0] == nil {
		return nil, fmt.Errorf("%s: expected one input", op.name)
	}
	return ops.Do(op, v)
}

func (op *targetOp) buffers(n int) {
	if len(op.lp) != n {
		op.x, op.lp, op.grd = make([]float64, n*op.d), make([]float64, n), make([]float64, n*op.d)
	}
}

func (op *targetOp) Exec32(out []float32, ins [][]float32, _ []tensor.Shape) {
	op.buffers(len(out))
	for i, v := range ins[0][:len(op.x)] {
		op.x[i] = float64(v)
	}
	op.t.LogDensity(op.x, op.lp, op.grd)
	for i, v := range op.lp {
		out[i] = float32(v)
	}
}

func (op *targetOp) Exec64(out []float64, ins [][]float64, _ []tensor.Shape) {
	op.buffers(len(out))
	copy(op.x, ins[0])
	op.t.LogDensity(op.x, out, op.grd)
	copy(op.lp, out)
}

func (op *targetOp) DiffWRT(int) []bool { return []bool{true} }

func (op *targetOp) SymDiff(_ gorgonia.Nodes, out, g *gorgonia.Node) (gorgonia.Nodes, error) {
	n, err := gorgonia.ApplyOp(&targetGradOp{opBase: opBase{name: "TargetLogDensityGrad", inDims: []int{1, 1}, outDims: 2}, fwd: op}, out, g)
	return gorgonia.Nodes{n}, err
}

// targetGradOp is dy[n, j] = g[n] · ∂_j log p̃(y_n): inputs (the forward
// op's output [N], read only to order the two, and g [N]).
type targetGradOp struct {
	opBase
	fwd *targetOp
}

func (op *targetGradOp) InferShape(ds ...gorgonia.DimSizer) (tensor.Shape, error) {
	return inferFrom(op.name, 2, ds, func(s []tensor.Shape) (tensor.Shape, error) {
		return tensor.Shape{s[0][0], op.fwd.d}, nil
	})
}

func (op *targetGradOp) Do(v ...gorgonia.Value) (gorgonia.Value, error) {
	if len(v) != 2 || v[0] == nil {
		return nil, fmt.Errorf("%s: expected two inputs", op.name)
	}
	return ops.Do(op, v)
}

func (op *targetGradOp) Exec32(out []float32, ins [][]float32, _ []tensor.Shape) {
	d := op.fwd.d
	for i, v := range op.fwd.grd[:len(out)] {
		out[i] = ins[1][i/d] * float32(v)
	}
}

func (op *targetGradOp) Exec64(out []float64, ins [][]float64, _ []tensor.Shape) {
	d := op.fwd.d
	for i, v := range op.fwd.grd[:len(out)] {
		out[i] = ins[1][i/d] * v
	}
}

func (op *targetGradOp) DiffWRT(int) []bool { return []bool{false, false} }

func (op *targetGradOp) SymDiff(gorgonia.Nodes, *gorgonia.Node, *gorgonia.Node) (gorgonia.Nodes, error) {
	return nil, fmt.Errorf("%s: second derivatives are not implemented", op.name)
}
