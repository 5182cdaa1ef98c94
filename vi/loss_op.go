package vi

import (
	"fmt"

	"github.com/nflowgo/nflow/ops"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// klLossOp is the annealed reverse-KL loss of a batch, a scalar:
//
//	L = 1/N Σ_n w_n (Σ_k s_k a_k[n] - β log p̃(x_n)),  inputs (a_1..a_K [N], log p̃ [N], [w [N]]),
//
// where Σ_k s_k a_k = log q (base log-density minus the flow's FLDJ, or
// the stopped-gradient log q of the path estimator), so its gradient
// through reparameterized x_n is the negative ELBO's at β = 1. The row
// weights w (1 when absent) make the estimate stratified: rows drawn
// from mixture component k weigh K π_k. β is read from *beta at every
// run, so a compiled step follows an annealing schedule without
// recompiling.
type klLossOp struct {
	opBase
	signs    []float64
	weighted bool
	beta     *float64
}

func newKLLossOp(beta *float64, weighted bool, signs ...float64) *klLossOp {
	in := make([]int, len(signs)+1)
	if weighted {
		in = append(in, 1)
	}
	for i := range in {
		in[i] = 1
	}
	return &klLossOp{opBase: opBase{name: "ReverseKL", inDims: in, outDims: 0}, signs: signs, weighted: weighted, beta: beta}
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
	return ops.Do(op, v)
}

func (op *klLossOp) Exec32(out []float32, ins [][]float32, _ []tensor.Shape) {
	out[0] = float32(klLoss(op, ins))
}

func (op *klLossOp) Exec64(out []float64, ins [][]float64, _ []tensor.Shape) {
	out[0] = klLoss(op, ins)
}

// klTerm is Σ_k s_k a_k[n] - β log p̃[n], the loss of row n before its weight.
func klTerm[T float32 | float64](op *klLossOp, ins [][]T, n int) float64 {
	var s float64
	for k, sk := range op.signs {
		s += sk * float64(ins[k][n])
	}
	return s - *op.beta*float64(ins[len(op.signs)][n])
}

func klLoss[T float32 | float64](op *klLossOp, ins [][]T) float64 {
	var s float64
	for n := range ins[0] {
		if op.weighted {
			s += float64(ins[len(op.signs)+1][n]) * klTerm(op, ins, n)
		} else {
			s += klTerm(op, ins, n)
		}
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
	dims := append(append([]int(nil), op.inDims...), 0)
	for k := range in {
		gop := &klGradOp{opBase: opBase{name: fmt.Sprintf("ReverseKLGrad%d", k), inDims: dims, outDims: 1}, loss: op, input: k}
		var err error
		if out[k], err = gorgonia.ApplyOp(gop, append(append(gorgonia.Nodes(nil), in...), g)...); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// klGradOp is the loss's gradient with respect to one input, from all
// the loss's inputs and g (scalar): s_k w_n g/N for a term of log q,
// -β w_n g/N for log p̃, and the row's loss g·klTerm/N for its weight.
type klGradOp struct {
	opBase
	loss  *klLossOp
	input int
}

func (op *klGradOp) InferShape(ds ...gorgonia.DimSizer) (tensor.Shape, error) {
	return inferFrom(op.name, len(op.inDims), ds, func(s []tensor.Shape) (tensor.Shape, error) { return s[0].Clone(), nil })
}

func (op *klGradOp) Do(v ...gorgonia.Value) (gorgonia.Value, error) {
	if len(v) != len(op.inDims) || v[0] == nil {
		return nil, fmt.Errorf("%s: expected %d inputs", op.name, len(op.inDims))
	}
	return ops.Do(op, v)
}

func (op *klGradOp) Exec32(out []float32, ins [][]float32, _ []tensor.Shape) { klGrad(op, out, ins) }
func (op *klGradOp) Exec64(out []float64, ins [][]float64, _ []tensor.Shape) { klGrad(op, out, ins) }

func klGrad[T float32 | float64](op *klGradOp, out []T, ins [][]T) {
	l := op.loss
	g := float64(ins[len(ins)-1][0]) / float64(len(out))
	nq := len(l.signs)
	for n := range out {
		w := 1.0
		if l.weighted {
			w = float64(ins[nq+1][n])
		}
		switch {
		case op.input < nq:
			out[n] = T(l.signs[op.input] * w * g)
		case op.input == nq:
			out[n] = T(-*l.beta * w * g)
		default:
			out[n] = T(g * klTerm(l, ins, n))
		}
	}
}

func (op *klGradOp) DiffWRT(int) []bool { return make([]bool, len(op.inDims)) }

func (op *klGradOp) SymDiff(gorgonia.Nodes, *gorgonia.Node, *gorgonia.Node) (gorgonia.Nodes, error) {
	return nil, fmt.Errorf("%s: second derivatives are not implemented", op.name)
}
