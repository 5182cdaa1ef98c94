package ops

import (
	"math"
	"math/rand/v2"
	"testing"

	"gorgonia.org/tensor"
)

// triangularMask is a MADE hidden mask for sorted degrees: unit i of the
// input has degree ⌈i·d/in⌉, unit o of the output ⌈o·d/out⌉, M = deg_i ≤ deg_o
// (strict for the output layer's <).
func triangularMask(in, out, d int, strict bool) []float64 {
	m := make([]float64, in*out)
	for i := 0; i < in; i++ {
		for o := 0; o < out; o++ {
			di, do := i*d/in, o*d/out
			if di < do || !strict && di == do {
				m[i*out+o] = 1
			}
		}
	}
	return m
}

// TestDenseSupportMatchesMaskedDense checks the tile-skipping products
// against the plain dense ones on W∘M, in float64: the forward product
// (bit for bit when the support's columns read from row 0, as MADE's do),
// the input gradient and the masked weight gradient, for block-triangular
// MADE masks, a random mask, all ones and all zeros.
func TestDenseSupportMatchesMaskedDense(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	random := make([]float64, 150*200)
	for i := range random {
		if rng.IntN(3) == 0 {
			random[i] = 1
		}
	}
	ones, zeros := make([]float64, 150*200), make([]float64, 150*200)
	for i := range ones {
		ones[i] = 1
	}
	for _, c := range []struct {
		name    string
		mask    []float64
		bitwise bool
		in, out int
	}{
		{"made hidden", triangularMask(150, 200, 9, false), true, 150, 200},
		{"made output", triangularMask(150, 200, 9, true), false, 150, 200},
		{"narrow output", triangularMask(130, 6, 3, true), true, 130, 6}, // runs computed transposed
		{"random", random, false, 150, 200},
		{"ones", ones, true, 150, 200},
		{"zeros", zeros, true, 150, 200},
	} {
		for _, n := range []int{37, 600} { // one row block, and several
			in, out := c.in, c.out
			op, err := NewDenseSupport(in, out, c.mask, Tanh)
			if err != nil {
				t.Fatal(err)
			}
			plain, _ := NewDense(in, out, nil, Tanh)
			x, w, b, gz := randn(rng, n*in), randn(rng, in*out), randn(rng, out), randn(rng, n*out)
			for i := range w {
				w[i] *= c.mask[i] * 0.1
			}
			shapes := []tensor.Shape{{n, in}, {in, out}, {out}}
			y, want := make([]float64, n*out), make([]float64, n*out)
			op.Exec64(y, [][]float64{x, w, b}, shapes)
			plain.Exec64(want, [][]float64{x, w, b}, shapes)
			compare(t, c.name+" forward", y, want, c.bitwise)

			dx, wantDX := make([]float64, n*in), make([]float64, n*in)
			(&DenseGradX{d: op}).Exec64(dx, [][]float64{gz, w}, []tensor.Shape{{n, out}, {in, out}})
			(&DenseGradX{d: plain}).Exec64(wantDX, [][]float64{gz, w}, []tensor.Shape{{n, out}, {in, out}})
			compare(t, c.name+" input gradient", dx, wantDX, false)

			dw, wantDW := randn(rng, in*out), make([]float64, in*out) // dw starts dirty: every entry is written
			(&DenseGradW{d: op}).Exec64(dw, [][]float64{x, gz}, []tensor.Shape{{n, in}, {n, out}})
			(&DenseGradW{d: plain}).Exec64(wantDW, [][]float64{x, gz}, []tensor.Shape{{n, in}, {n, out}})
			for i := range wantDW {
				wantDW[i] *= c.mask[i]
			}
			compare(t, c.name+" weight gradient", dw, wantDW, false)

			dense, fwd, gx := op.MultiplyAdds()
			if dense != in*out || fwd > dense || gx > dense {
				t.Fatalf("%s: multiply-adds %d, %d, %d of %d", c.name, dense, fwd, gx, in*out)
			}
			if c.name == "zeros" && (fwd != 0 || gx != 0) || c.name == "ones" && (fwd != dense || gx != dense) {
				t.Fatalf("%s: multiply-adds forward %d, input gradient %d of %d", c.name, fwd, gx, dense)
			}
			if c.name == "made hidden" && float64(fwd) > 0.7*float64(dense) {
				t.Fatalf("%s: forward does %d of %d multiply-adds, expected the triangle's half and a tile's margin", c.name, fwd, dense)
			}
		}
	}
}

func randn(rng *rand.Rand, n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = rng.NormFloat64()
	}
	return v
}

func compare(t *testing.T, what string, got, want []float64, bitwise bool) {
	t.Helper()
	for i := range want {
		if bitwise && got[i] != want[i] || math.Abs(got[i]-want[i]) > 1e-12*(1+math.Abs(want[i])) {
			t.Fatalf("%s[%d] = %v, want %v (bitwise %v)", what, i, got[i], want[i], bitwise)
		}
	}
}
