package bijectors

// Loader and comparison helpers for the TensorFlow Probability reference
// values in ../testdata/tfp (written by tools/tfpref/gen.py; the schema is
// in tools/tfpref/README.md). A missing or malformed file fails the test.

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"

	"gorgonia.org/tensor"
)

// tfpDir is the reference directory relative to this package.
const tfpDir = "../testdata/tfp"

// tfpLoad decodes ../testdata/tfp/<name> into v, failing the test if the
// file is missing or not valid JSON.
func tfpLoad(t testing.TB, name string, v any) {
	t.Helper()
	path := filepath.Join(tfpDir, name)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("TFP reference file: %v (regenerate with tools/tfpref/gen.py)", err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("TFP reference file %s: %v", path, err)
	}
}

// tfpMatrix checks that m is a non-empty rectangular matrix and returns
// its shape.
func tfpMatrix(t testing.TB, what string, m [][]float64) (rows, cols int) {
	t.Helper()
	if len(m) == 0 || len(m[0]) == 0 {
		t.Fatalf("%s: empty matrix in the reference file", what)
	}
	for i, r := range m {
		if len(r) != len(m[0]) {
			t.Fatalf("%s: row %d has %d entries, row 0 has %d", what, i, len(r), len(m[0]))
		}
	}
	return len(m), len(m[0])
}

// tfpDense returns m as an [N, D] tensor of dtype dt (float32 values are
// the nearest float32s).
func tfpDense(t testing.TB, what string, m [][]float64, dt tensor.Dtype) *tensor.Dense {
	t.Helper()
	rows, cols := tfpMatrix(t, what, m)
	flat := make([]float64, 0, rows*cols)
	for _, r := range m {
		flat = append(flat, r...)
	}
	return tfpTensor(flat, dt, rows, cols)
}

// tfpTensor returns v with the given shape in dtype dt.
func tfpTensor(v []float64, dt tensor.Dtype, shape ...int) *tensor.Dense {
	if dt == tensor.Float32 {
		f := make([]float32, len(v))
		for i, x := range v {
			f[i] = float32(x)
		}
		return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(f))
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(append([]float64(nil), v...)))
}

// tfpValues returns a float32 or float64 tensor's values as float64s.
func tfpValues(t testing.TB, x *tensor.Dense) []float64 {
	t.Helper()
	switch v := x.Data().(type) {
	case []float64:
		return append([]float64(nil), v...)
	case []float32:
		out := make([]float64, len(v))
		for i, f := range v {
			out[i] = float64(f)
		}
		return out
	}
	t.Fatalf("tensor of dtype %v, expected float32 or float64", x.Dtype())
	return nil
}

// tfpTol is an error bound |got - want| <= Rel·|want| + Abs.
type tfpTol struct{ Rel, Abs float64 }

func (tol tfpTol) String() string { return fmt.Sprintf("rel %g + abs %g", tol.Rel, tol.Abs) }

// tfpTol64 is for float64 results: TFP and Go evaluate the same formulas
// in float64, so they differ by a few ulps.
var tfpTol64 = tfpTol{Rel: 1e-10, Abs: 1e-10}

// tfpTol32 is for float32 results of elementwise/affine bijectors: the
// float32 input rounding (2^-24 relative) propagated through a well
// conditioned map, plus one rounding of the output.
var tfpTol32 = tfpTol{Rel: 2e-6, Abs: 1e-6}

// tfpCompare checks got (a tensor of the given shape) against want
// elementwise within tol and returns the largest error relative to the
// bound (<= 1 passes).
func tfpCompare(t testing.TB, what string, got *tensor.Dense, shape tensor.Shape, want []float64, tol tfpTol) float64 {
	t.Helper()
	return tfpCompareSlack(t, what, got, shape, want, tol, nil)
}

// tfpCompareSlack is tfpCompare with the bound of entry i widened by
// slack[i] (nil: none). The float32 checks pass as slack the change that
// rounding the input to float32 alone causes, |f(x32) - f(x)|, measured
// in float64, so that an ill-conditioned output (atanh near ±1, say) is
// held to what float32 inputs allow.
func tfpCompareSlack(t testing.TB, what string, got *tensor.Dense, shape tensor.Shape, want []float64, tol tfpTol, slack []float64) float64 {
	t.Helper()
	if got == nil {
		t.Errorf("%s: nil result", what)
		return math.Inf(1)
	}
	if !got.Shape().Eq(shape) {
		t.Errorf("%s: shape %v, expected %v", what, got.Shape(), shape)
		return math.Inf(1)
	}
	g := tfpValues(t, got)
	if len(g) != len(want) || (slack != nil && len(slack) != len(want)) {
		t.Errorf("%s: %d values, TFP has %d", what, len(g), len(want))
		return math.Inf(1)
	}
	worst, bad := 0.0, 0
	for i := range g {
		bound := tol.Rel*math.Abs(want[i]) + tol.Abs
		if slack != nil {
			bound += slack[i]
		}
		err := math.Abs(g[i] - want[i])
		if !(err <= bound) { // NaN fails too
			if bad < 5 {
				t.Errorf("%s[%d] = %.17g, TFP %.17g: |diff| %.3g > %.3g (%v)", what, i, g[i], want[i], err, bound, tol)
			}
			bad++
			worst = math.Inf(1)
			continue
		}
		worst = math.Max(worst, err/bound)
	}
	if bad > 5 {
		t.Errorf("%s: %d of %d values out of tolerance", what, bad, len(g))
	}
	return worst
}

// tfpRounded32 returns m as a float64 [N, D] tensor of its values rounded
// to float32: the float32 run's input, seen in float64.
func tfpRounded32(t testing.TB, what string, m [][]float64) *tensor.Dense {
	t.Helper()
	x := tfpDense(t, what, m, tensor.Float32)
	return tfpTensor(tfpValues(t, x), tensor.Float64, x.Shape()...)
}

// tfpSlack returns |a[i] - b[i]| for two float64 tensors of equal size.
func tfpSlack(t testing.TB, a *tensor.Dense, b []float64) []float64 {
	t.Helper()
	av := tfpValues(t, a)
	if len(av) != len(b) {
		t.Fatalf("slack: %d and %d values", len(av), len(b))
	}
	out := make([]float64, len(b))
	for i := range b {
		out[i] = math.Abs(av[i] - b[i])
	}
	return out
}

// tfpFlat flattens a rectangular matrix row by row.
func tfpFlat(m [][]float64) []float64 {
	var out []float64
	for _, r := range m {
		out = append(out, r...)
	}
	return out
}
