package ops

import (
	"fmt"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// NegMean is the loss -1/N Σ_n x[n] of a vector of log-densities x [N]:
// the mean negative log-likelihood, a scalar.
type NegMean struct{ base }

// NewNegMean returns the op.
func NewNegMean() *NegMean { return &NegMean{base: newBase("NegMean", "", 0, 1)} }

func (op *NegMean) InferShape(ds ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := shapesOf(op.name, 1, ds)
	if err != nil {
		return nil, err
	}
	if len(s[0]) != 1 || s[0][0] < 1 {
		return nil, fmt.Errorf("%s: input %v, expected a non-empty vector [N]", op.name, s[0])
	}
	return tensor.ScalarShape(), nil
}
func (op *NegMean) Do(v ...gorgonia.Value) (gorgonia.Value, error) { return do(op, v) }
func (op *NegMean) Exec32(out []float32, ins [][]float32, _ []tensor.Shape) {
	out[0] = float32(negMean(ins[0]))
}
func (op *NegMean) Exec64(out []float64, ins [][]float64, _ []tensor.Shape) {
	out[0] = negMean(ins[0])
}

func negMean[T Float](x []T) float64 {
	var s float64
	for _, v := range x {
		s += float64(v)
	}
	return -s / float64(len(x))
}

func (op *NegMean) DiffWRT(int) []bool { return []bool{true} }

func (op *NegMean) SymDiff(in gorgonia.Nodes, _, g *gorgonia.Node) (gorgonia.Nodes, error) {
	n, err := apply(&NegMeanGrad{base: newBase("NegMeanGrad", "", 1, 1, 0)}, in[0], g)
	return gorgonia.Nodes{n}, err
}

// NegMeanGrad is dx[n] = -g/N: inputs (x [N], g scalar); x gives only N.
type NegMeanGrad struct{ base }

func (op *NegMeanGrad) InferShape(ds ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := shapesOf(op.name, 2, ds)
	if err != nil {
		return nil, err
	}
	return s[0].Clone(), nil
}
func (op *NegMeanGrad) Do(v ...gorgonia.Value) (gorgonia.Value, error) { return do(op, v) }
func (op *NegMeanGrad) Exec32(out []float32, ins [][]float32, _ []tensor.Shape) {
	fill(out, -ins[1][0]/float32(len(out)))
}
func (op *NegMeanGrad) Exec64(out []float64, ins [][]float64, _ []tensor.Shape) {
	fill(out, -ins[1][0]/float64(len(out)))
}

func fill[T Float](out []T, v T) {
	for i := range out {
		out[i] = v
	}
}
