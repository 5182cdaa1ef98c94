package ops

import (
	"fmt"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Gather permutes columns: y[n, i] = x[n, Perm[i]] (TFP's Permute
// convention), x and y [N, D]. Its gradient is the Gather with the inverse
// permutation.
type Gather struct {
	base
	Perm []int
	inv  []int
}

// NewGather returns the op for a permutation of 0..D-1.
func NewGather(perm []int) (*Gather, error) {
	inv, err := InversePermutation(perm)
	if err != nil {
		return nil, err
	}
	k := fmt.Sprint(perm)
	return &Gather{base: newBase("Gather"+k, k, 2, 2), Perm: append([]int(nil), perm...), inv: inv}, nil
}

// InversePermutation returns q with q[perm[i]] = i, or an error naming the
// first entry that makes perm not a permutation of 0..len(perm)-1.
func InversePermutation(perm []int) ([]int, error) {
	if len(perm) == 0 {
		return nil, fmt.Errorf("permutation is empty, expected a permutation of 0..D-1")
	}
	inv := make([]int, len(perm))
	for i := range inv {
		inv[i] = -1
	}
	for i, p := range perm {
		if p < 0 || p >= len(perm) || inv[p] >= 0 {
			return nil, fmt.Errorf("permutation %v: entry %d is %d, expected each of 0..%d exactly once", perm, i, p, len(perm)-1)
		}
		inv[p] = i
	}
	return inv, nil
}

func (op *Gather) InferShape(ds ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := shapesOf(op.name, 1, ds)
	if err != nil {
		return nil, err
	}
	if err := matrix(op.name, 0, s[0], len(op.Perm)); err != nil {
		return nil, err
	}
	return s[0].Clone(), nil
}
func (op *Gather) Do(v ...gorgonia.Value) (gorgonia.Value, error) { return do(op, v) }
func (op *Gather) Exec32(out []float32, ins [][]float32, _ []tensor.Shape) {
	gather(out, ins[0], op.Perm)
}
func (op *Gather) Exec64(out []float64, ins [][]float64, _ []tensor.Shape) {
	gather(out, ins[0], op.Perm)
}

func gather[T Float](out, x []T, perm []int) {
	d := len(perm)
	for r := 0; r < len(x)/d; r++ {
		xr, yr := x[r*d:(r+1)*d], out[r*d:(r+1)*d]
		for i, p := range perm {
			yr[i] = xr[p]
		}
	}
}

func (op *Gather) DiffWRT(int) []bool { return []bool{true} }

func (op *Gather) SymDiff(_ gorgonia.Nodes, _, g *gorgonia.Node) (gorgonia.Nodes, error) {
	inv, err := NewGather(op.inv)
	if err != nil {
		return nil, err
	}
	n, err := apply(inv, g)
	return gorgonia.Nodes{n}, err
}
