package ops

import (
	"fmt"
	"math"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// NormalLogProb is the log-density of a diagonal Gaussian with fixed
// location μ and scale s, summed over the event:
//
//	out[n] = Σ_d -½((x[n,d]-μ_d)/s_d)² - log s_d - ½ log 2π,  x [N, D], out [N]
//
// Its gradient is NormalLogProbGrad: dx = -g·(x-μ)/s².
type NormalLogProb struct {
	base
	Loc, Scale []float64
	c          float64 // Σ_d -log s_d - ½ log 2π
}

// NewNormalLogProb returns the op for loc and scale (equal lengths, scale > 0).
func NewNormalLogProb(loc, scale []float64) (*NormalLogProb, error) {
	if len(loc) != len(scale) || len(loc) == 0 {
		return nil, fmt.Errorf("ops.NormalLogProb: loc has %d entries and scale %d, expected the same positive number", len(loc), len(scale))
	}
	c := 0.0
	for i, s := range scale {
		if !(s > 0) || math.IsInf(s, 0) {
			return nil, fmt.Errorf("ops.NormalLogProb: scale[%d] = %g, expected a finite positive number", i, s)
		}
		c -= math.Log(s) + 0.5*math.Log(2*math.Pi)
	}
	k := fmt.Sprintf("%v,%v", loc, scale)
	return &NormalLogProb{base: newBase(fmt.Sprintf("NormalLogProb(D=%d)", len(loc)), k, 1, 2),
		Loc: append([]float64(nil), loc...), Scale: append([]float64(nil), scale...), c: c}, nil
}

func (op *NormalLogProb) InferShape(ds ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := shapesOf(op.name, 1, ds)
	if err != nil {
		return nil, err
	}
	if err := matrix(op.name, 0, s[0], len(op.Loc)); err != nil {
		return nil, err
	}
	return tensor.Shape{s[0][0]}, nil
}
func (op *NormalLogProb) Do(v ...gorgonia.Value) (gorgonia.Value, error) { return do(op, v) }
func (op *NormalLogProb) Exec32(out []float32, ins [][]float32, _ []tensor.Shape) {
	normalLogProb(out, ins[0], op.Loc, op.Scale, op.c)
}
func (op *NormalLogProb) Exec64(out []float64, ins [][]float64, _ []tensor.Shape) {
	normalLogProb(out, ins[0], op.Loc, op.Scale, op.c)
}

func normalLogProb[T Float](out, x []T, loc, scale []float64, c float64) {
	d := len(loc)
	for r := range out {
		acc := c
		for j, v := range x[r*d : (r+1)*d] {
			z := (float64(v) - loc[j]) / scale[j]
			acc -= 0.5 * z * z
		}
		out[r] = T(acc)
	}
}

func (op *NormalLogProb) DiffWRT(int) []bool { return []bool{true} }

func (op *NormalLogProb) SymDiff(in gorgonia.Nodes, _, g *gorgonia.Node) (gorgonia.Nodes, error) {
	n, err := apply(&NormalLogProbGrad{base: newBase("NormalLogProbGrad", op.key, 2, 2, 1), lp: op}, in[0], g)
	return gorgonia.Nodes{n}, err
}

// NormalLogProbGrad is dx[n,d] = -g[n]·(x[n,d]-μ_d)/s_d²: inputs (x [N, D], g [N]).
type NormalLogProbGrad struct {
	base
	lp *NormalLogProb
}

func (op *NormalLogProbGrad) InferShape(ds ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := shapesOf(op.name, 2, ds)
	if err != nil {
		return nil, err
	}
	return s[0].Clone(), nil
}
func (op *NormalLogProbGrad) Do(v ...gorgonia.Value) (gorgonia.Value, error) { return do(op, v) }
func (op *NormalLogProbGrad) Exec32(out []float32, ins [][]float32, _ []tensor.Shape) {
	normalLogProbGrad(out, ins[0], ins[1], op.lp.Loc, op.lp.Scale)
}
func (op *NormalLogProbGrad) Exec64(out []float64, ins [][]float64, _ []tensor.Shape) {
	normalLogProbGrad(out, ins[0], ins[1], op.lp.Loc, op.lp.Scale)
}

func normalLogProbGrad[T Float](out, x, g []T, loc, scale []float64) {
	d := len(loc)
	for r, gr := range g {
		for j := 0; j < d; j++ {
			i := r*d + j
			out[i] = T(-float64(gr) * (float64(x[i]) - loc[j]) / (scale[j] * scale[j]))
		}
	}
}
