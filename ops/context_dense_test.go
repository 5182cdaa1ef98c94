package ops

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestDenseAddGradient checks DenseAdd's SymDiff against finite
// differences for every activation, with and without a mask.
func TestDenseAddGradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	mask := make([]float64, 3*4)
	for i := range mask {
		mask[i] = float64(rng.IntN(2))
	}
	for _, act := range []Activation{Identity, ReLU, Tanh, Sigmoid, Softplus, ELU} {
		for _, m := range [][]float64{nil, mask} {
			op, err := NewDenseAdd(3, 4, m, act)
			if err != nil {
				t.Fatal(err)
			}
			ins := []*tensor.Dense{randDense(rng, -1, 1, 5, 3), randDense(rng, -1, 1, 3, 4), randDense(rng, -0.5, 0.5, 5, 4)}
			t.Run(op.String(), func(t *testing.T) { checkOpGradient(t, op, ins, []int{0, 1, 2}) })
		}
	}
}

// TestDenseAddMatchesDense checks y = act(x (W∘M) + a) against Dense with
// the bias b when every row of a is b, masked and not, and the float32
// kernel against float64.
func TestDenseAddMatchesDense(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 24))
	mask := []float64{1, 0, 1, 1, 1, 0}
	const n = 4
	x, w, b := randDense(rng, -1, 1, n, 2), randDense(rng, -1, 1, 2, 3), randDense(rng, -1, 1, 3)
	a := make([]float64, n*3)
	for r := 0; r < n; r++ {
		copy(a[r*3:], b.Float64s())
	}
	ad := tensor.New(tensor.WithShape(n, 3), tensor.WithBacking(a))
	for i, act := range []Activation{Identity, ReLU, Tanh, ELU} {
		mask := mask
		if i%2 == 0 {
			mask = nil // the gemm path
		}
		dense, _ := NewDense(2, 3, mask, act)
		add, err := NewDenseAdd(2, 3, mask, act)
		if err != nil {
			t.Fatal(err)
		}
		want, err := dense.Do(x, w, b)
		if err != nil {
			t.Fatal(err)
		}
		got, err := add.Do(x, w, ad)
		if err != nil {
			t.Fatal(err)
		}
		wv, gv := floats64(want), floats64(got)
		for i := range wv {
			if math.Abs(wv[i]-gv[i]) > 1e-12 {
				t.Errorf("%v: element %d: DenseAdd %g, Dense %g", add, i, gv[i], wv[i])
			}
		}
		out32 := make([]float32, n*3)
		add.Exec32(out32, [][]float32{toT[float32](x.Float64s()), toT[float32](w.Float64s()), toT[float32](a)},
			[]tensor.Shape{{n, 2}, {2, 3}, {n, 3}})
		for i := range wv {
			if math.Abs(float64(out32[i])-wv[i]) > 1e-6 {
				t.Errorf("%v: float32 element %d: %g, float64 %g", add, i, out32[i], wv[i])
			}
		}
	}
}

func TestDenseAddErrors(t *testing.T) {
	op, err := NewDenseAdd(3, 4, nil, ReLU)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		shapes []tensor.Shape
		want   string
	}{
		{[]tensor.Shape{{5, 2}, {3, 4}, {5, 4}}, "expected [N, 3]"},
		{[]tensor.Shape{{5, 3}, {3, 5}, {5, 4}}, "W (3, 5)"},
		{[]tensor.Shape{{5, 3}, {3, 4}, {1, 4}}, "expected [5 4]"},
		{[]tensor.Shape{{5, 3}, {3, 4}, {4}}, "expected [5 4]"},
	} {
		ds := make([]gorgonia.DimSizer, len(c.shapes))
		for i, s := range c.shapes {
			ds[i] = s
		}
		if _, err := op.InferShape(ds...); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: error %v, want one containing %q", c.shapes, err, c.want)
		}
	}
	if _, err := NewDenseAdd(3, 4, make([]float64, 5), ReLU); err == nil || !strings.Contains(err.Error(), "ops.DenseAdd: ops.Dense: mask has 5 entries") {
		t.Errorf("NewDenseAdd with a 5-entry mask: %v", err)
	}
	if _, err := NewDenseAdd(0, 4, nil, ReLU); err == nil {
		t.Error("NewDenseAdd accepted In = 0")
	}
}
