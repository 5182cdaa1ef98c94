package bijectors

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/nflowgo/nflow/ops"
	"gorgonia.org/tensor"
)

// conformanceCase is one bijector with samplers for its domain (x) and
// codomain (y), in float64.
type conformanceCase struct {
	name       string
	b          Bijector
	d          int
	x, y       [2]float64 // uniform ranges for x and y
	triangular bool       // lower-triangular Jacobian in the natural order
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func testMADE(t testing.TB, d int, hidden []int, order InputOrder, seed uint64) *AutoregressiveNetwork {
	t.Helper()
	n, err := NewAutoregressiveNetwork(MADEConfig{Params: 2, EventSize: d, HiddenUnits: hidden, Activation: ops.Tanh,
		InputOrder: order, Seed: seed, DType: tensor.Float64, KernelInit: TorchUniform})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func testMAF(t testing.TB, d int, order InputOrder, scale ops.ScaleFn, seed uint64) *MaskedAutoregressiveFlow {
	m, err := NewMaskedAutoregressiveFlow(testMADE(t, d, []int{8, 8}, order, seed), scale)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// moreConformanceCases lets other test files add bijectors to the suite:
// append a constructor in an init function.
var moreConformanceCases []func(t testing.TB) []conformanceCase

func conformanceCases(t testing.TB) []conformanceCase {
	all := [2]float64{-2, 2}
	shift := must(Shift([]float64{0.5, -1, 2}))
	scale := must(Scale([]float64{2, -0.5, 3}))
	logScale := must(ScaleFromLog([]float64{0.3, -1, 0}))
	diag := must(ScaleMatvecDiag([]float64{1.5, 0.25, -2}))
	perm := must(Permute([]int{2, 0, 1}))
	chain := must(Chain(must(Shift([]float64{0.5, 0.25})), must(Scale([]float64{1, 0.5}))))
	mafL := testMAF(t, 3, LeftToRight, ops.ScaleSoftplus, 1)
	cases := []conformanceCase{
		{"Shift", shift, 3, all, all, true},
		{"Scale", scale, 3, all, all, true},
		{"ScaleLog", logScale, 3, all, all, true},
		{"ScaleMatvecDiag", diag, 3, all, all, true},
		{"Permute", perm, 3, all, all, false},
		{"ChainShiftScale", chain, 2, all, all, true},
		{"Exp", Exp(), 2, all, [2]float64{0.1, 5}, true},
		{"Sigmoid", Sigmoid(), 2, [2]float64{-5, 5}, [2]float64{0.01, 0.99}, true},
		{"Tanh", Tanh(), 2, all, [2]float64{-0.95, 0.95}, true},
		{"Softplus", Softplus(), 2, [2]float64{-4, 4}, [2]float64{0.05, 5}, true},
		{"InvertExp", Invert(Exp()), 2, [2]float64{0.1, 5}, all, true},
		{"MAF-softplus", mafL, 3, all, all, true},
		{"MAF-exp", testMAF(t, 3, LeftToRight, ops.ScaleExp, 2), 3, all, all, true},
		{"MAF-softclip", testMAF(t, 3, LeftToRight, ops.ScaleSoftClip, 3), 3, all, all, true},
		{"MAF-right-to-left", testMAF(t, 3, RightToLeft, ops.ScaleSoftplus, 4), 3, all, all, false},
		{"MAF-random", testMAF(t, 4, RandomOrder, ops.ScaleSoftplus, 5), 4, all, all, false},
		{"MAF-D1", testMAF(t, 1, LeftToRight, ops.ScaleSoftplus, 6), 1, all, all, true},
		{"MAF-density-params", densityParams(testMAF(t, 3, LeftToRight, ops.ScaleSoftClip, 41)), 3, all, all, true},
		{"MAF-density-params-softplus-right-to-left", densityParams(testMAF(t, 3, RightToLeft, ops.ScaleSoftplus, 42)), 3, all, all, false},
		{"MAF-density-params-D1", densityParams(testMAF(t, 1, LeftToRight, ops.ScaleExp, 43)), 1, all, all, true},
		{"IAF-density-params", Invert(densityParams(testMAF(t, 2, LeftToRight, ops.ScaleSoftClip, 44))), 2, all, all, true},
		{"IAF", Invert(testMAF(t, 2, LeftToRight, ops.ScaleSoftplus, 7)), 2, all, all, true},
		{"LabFlow", must(Chain(testMAF(t, 2, LeftToRight, ops.ScaleSoftplus, 8), must(Permute([]int{1, 0})),
			testMAF(t, 2, LeftToRight, ops.ScaleSoftplus, 9))), 2, all, all, false},
	}
	for _, more := range moreConformanceCases {
		cases = append(cases, more(t)...)
	}
	return cases
}

func uniform(rng *rand.Rand, n, d int, r [2]float64) *tensor.Dense {
	v := make([]float64, n*d)
	for i := range v {
		v[i] = r[0] + (r[1]-r[0])*rng.Float64()
	}
	return tensor.New(tensor.WithShape(n, d), tensor.WithBacking(v))
}

func closeTo(t *testing.T, what string, got, want []float64, tol float64) {
	t.Helper()
	for i := range want {
		if !(math.Abs(got[i]-want[i]) <= tol*(1+math.Abs(want[i]))) {
			t.Errorf("%s[%d] = %.12g, want %.12g", what, i, got[i], want[i])
			return
		}
	}
}

func allFinite(t *testing.T, what string, v []float64) {
	t.Helper()
	for i, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			t.Errorf("%s[%d] = %g, expected finite", what, i, x)
			return
		}
	}
}

// logAbsDet returns log|det A| of a d×d row-major matrix by Gaussian elimination.
func logAbsDet(a []float64, d int) float64 {
	a = append([]float64(nil), a...)
	s := 0.0
	for c := 0; c < d; c++ {
		p := c
		for r := c + 1; r < d; r++ {
			if math.Abs(a[r*d+c]) > math.Abs(a[p*d+c]) {
				p = r
			}
		}
		for k := 0; k < d; k++ {
			a[c*d+k], a[p*d+k] = a[p*d+k], a[c*d+k]
		}
		piv := a[c*d+c]
		s += math.Log(math.Abs(piv))
		for r := c + 1; r < d; r++ {
			f := a[r*d+c] / piv
			for k := c; k < d; k++ {
				a[r*d+k] -= f * a[c*d+k]
			}
		}
	}
	return s
}

// TestConformance runs every bijector through the shared contract: round
// trips both ways, log-det against a finite-difference Jacobian,
// FLDJ(x) = -ILDJ(f(x)), finite outputs and a triangular Jacobian where claimed.
func TestConformance(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	const n = 4
	for _, c := range conformanceCases(t) {
		t.Run(c.name, func(t *testing.T) {
			x := uniform(rng, n, c.d, c.x)
			y, fldj, err := ForwardAndLogDet(c.b, x)
			if err != nil {
				t.Fatal(err)
			}
			allFinite(t, "forward", y.Float64s())
			allFinite(t, "fldj", fldj.Float64s())
			x2, ildj, err := InverseAndLogDet(c.b, y)
			if err != nil {
				t.Fatal(err)
			}
			closeTo(t, "inverse(forward(x))", x2.Float64s(), x.Float64s(), 1e-9)
			neg := make([]float64, n)
			for i, v := range ildj.Float64s() {
				neg[i] = -v
			}
			closeTo(t, "-ILDJ(f(x))", neg, fldj.Float64s(), 1e-9)

			yy := uniform(rng, n, c.d, c.y)
			xx, err := Inverse(c.b, yy)
			if err != nil {
				t.Fatal(err)
			}
			allFinite(t, "inverse", xx.Float64s())
			yy2, err := Forward(c.b, xx)
			if err != nil {
				t.Fatal(err)
			}
			closeTo(t, "forward(inverse(y))", yy2.Float64s(), yy.Float64s(), 1e-9)

			// Finite-difference Jacobian of the forward map, row by row.
			jac := make([][]float64, n)
			for r := range jac {
				jac[r] = make([]float64, c.d*c.d)
			}
			xs := x.Float64s()
			const h = 1e-6
			for j := 0; j < c.d; j++ {
				xp, xm := x.Clone().(*tensor.Dense), x.Clone().(*tensor.Dense)
				for r := 0; r < n; r++ {
					xp.Float64s()[r*c.d+j] = xs[r*c.d+j] + h
					xm.Float64s()[r*c.d+j] = xs[r*c.d+j] - h
				}
				yp, err := Forward(c.b, xp)
				if err != nil {
					t.Fatal(err)
				}
				ym, err := Forward(c.b, xm)
				if err != nil {
					t.Fatal(err)
				}
				for r := 0; r < n; r++ {
					for i := 0; i < c.d; i++ {
						jac[r][i*c.d+j] = (yp.Float64s()[r*c.d+i] - ym.Float64s()[r*c.d+i]) / (2 * h)
					}
				}
			}
			for r := 0; r < n; r++ {
				want := logAbsDet(jac[r], c.d)
				if got := fldj.Float64s()[r]; math.Abs(got-want) > 1e-5*(1+math.Abs(want)) {
					t.Errorf("row %d: FLDJ %.10g, finite-difference log|det J| %.10g", r, got, want)
				}
				if c.triangular {
					for i := 0; i < c.d; i++ {
						for j := i + 1; j < c.d; j++ {
							if v := jac[r][i*c.d+j]; math.Abs(v) > 1e-7 {
								t.Errorf("row %d: dy_%d/dx_%d = %g, expected 0 (triangular)", r, i, j, v)
							}
						}
					}
				}
			}
		})
	}
}
