package vi

import (
	"fmt"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// klLossOp is the annealed reverse-KL loss of a batch, a scalar:
//
//	L = 1/N Σ_n (Σ_k s_k a_k[n] - β log p̃(x_n)),  inputs (a_1..a_K [N], log p̃ [N]),
//
// where Σ_k s_k a_k = log q (base log-density minus the flow's FLDJ, or
// the stopped-gradient log q of the path estimator), so its gradient
// through reparameterized x_n is the negative ELBO's at β = 1. β is read
// from *beta at every run, so a compiled step follows an annealing
// schedule without recompiling.
type klLossOp struct {
	opBase
	signs []float64
	beta  *float64
}

func newKLLossOp(beta *float64, signs ...float64) *klLossOp {
	in := make([]int, len(signs)+1)
	for i := range in {
		in[i] = 1
	}
	return &klLossOp{opBase: opBase{name: "ReverseKL", inDims: in, outDims: 0}, signs: signs, beta: beta}
}

func (op *klLossOp) InferShape(ds ...gorgonia.DimSizer) (tensor.Shape, error) {
	return inferFrom(op.name, len(op.inDims), ds, func(s []tensor.Shape) (tensor.Shape, error) {
		for i := range s {
			if len(s[i]) != 1 || !s[i].Eq(s[0]) || s[i][0] < 1 {
				return nil, fmt.Errorf("%s: input %d is %v, expected a vector [N] like input 0 (%v)", op.name, i, s[i], s[0])
			}
		}
		return tensor.ScalarShape(), nil
	})
}

func (op *klLossOp) Do(v ...gorgonia.Value) (gorgonia.Value, error) {
	return doKernel(op, op.name, tensor.ScalarShape(), v)
}

func (op *klLossOp) Exec32(out []float32, ins [][]float32, _ []tensor.Shape) {
	out[0] = float32(klLoss(op, ins))
}

func (op *klLossOp) Exec64(out []float64, ins [][]float64, _ []tensor.Shape) {
	out[0] = klLoss(op, ins)
}

func klLoss[T float32 | float64](op *klLossOp, ins [][]T) float64 {
	var s float64
	for k, sk := range op.signs {
		for _, v := range ins[k] {
			s += sk * float64(v)
		}
	}
	for _, v := range ins[len(op.signs)] {
		s -= *op.beta * float64(v)
	}
	return s / float64(len(ins[0]))
}

func (op *klLossOp) DiffWRT(int) []bool {
	r := make([]bool, len(op.inDims))
	for i := range r {
		r[i] = true
	}
	return r
}

func (op *klLossOp) SymDiff(in gorgonia.Nodes, _, g *gorgonia.Node) (gorgonia.Nodes, error) {
	out := make(gorgonia.Nodes, len(in))
	for k := range in {
		gop := &klGradOp{opBase: opBase{name: fmt.Sprintf("ReverseKLGrad%d", k), inDims: []int{1, 0}, outDims: 1}, loss: op, input: k}
		var err error
		if out[k], err = gorgonia.ApplyOp(gop, in[k], g); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// klGradOp is the loss's gradient with respect to one input: s_k g/N for
// a term of log q, -β g/N for log p̃. Inputs (that input [N], g scalar).
type klGradOp struct {
	opBase
	loss  *klLossOp
	input int
}

func (op *klGradOp) InferShape(ds ...gorgonia.DimSizer) (tensor.Shape, error) {
	return inferFrom(op.name, 2, ds, func(s []tensor.Shape) (tensor.Shape, error) { return s[0].Clone(), nil })
}

func (op *klGradOp) Do(v ...gorgonia.Value) (gorgonia.Value, error) {
	if len(v) != 2 || v[0] == nil {
		return nil, fmt.Errorf("%s: expected two inputs", op.name)
	}
	return doKernel(op, op.name, v[0].Shape().Clone(), v)
}

func (op *klGradOp) scale(n int) float64 {
	if op.input == len(op.loss.signs) {
		return -*op.loss.beta / float64(n)
	}
	return op.loss.signs[op.input] / float64(n)
}

func (op *klGradOp) Exec32(out []float32, ins [][]float32, _ []tensor.Shape) {
	v := ins[1][0] * float32(op.scale(len(out)))
	for i := range out {
		out[i] = v
	}
}

func (op *klGradOp) Exec64(out []float64, ins [][]float64, _ []tensor.Shape) {
	v := ins[1][0] * op.scale(len(out))
	for i := range out {
		out[i] = v
	}
}

func (op *klGradOp) DiffWRT(int) []bool { return []bool{false, false} }

func (op *klGradOp) SymDiff(gorgonia.Nodes, *gorgonia.Node, *gorgonia.Node) (gorgonia.Nodes, error) {
	return nil, fmt.Errorf("%s: second derivatives are not implemented", op.name)
}
