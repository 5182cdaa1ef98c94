package bijectors

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gorgonia.org/tensor"
)

func init() {
	moreConformanceCases = append(moreConformanceCases, func(t testing.TB) []conformanceCase {
		s := must(NewStandardize(3, tensor.Float64))
		// Columns of very different location and spread, so that the
		// conformance suite sees a non-trivial μ and σ.
		rng := rand.New(rand.NewPCG(3, 4))
		y := make([]float64, 3*64)
		for i := range y {
			y[i] = []float64{-5, 0, 100}[i%3] + []float64{0.2, 1, 30}[i%3]*rng.NormFloat64()
		}
		if err := s.InitFromData(tensor.New(tensor.WithShape(64, 3), tensor.WithBacking(y))); err != nil {
			t.Fatal(err)
		}
		all := [2]float64{-2, 2}
		return []conformanceCase{{"Standardize", s, 3, all, all, true}}
	})
}

// TestStandardizeInitFromData checks μ and σ on 201-row columns built so
// that the quantiles fall on order statistics (type 7: q_p = x[200p]):
// 0..200 (IQR wins); the same with its largest value made an outlier (no
// change); 180 zeros and 21 sixteens (IQR 0, the 99.5% quantile wins);
// 200 zeros and one 5 (both 0: the standard deviation); a constant (1).
func TestStandardizeInitFromData(t *testing.T) {
	const n = 201
	y := make([]float64, 0, 5*n)
	for i := 0; i < n; i++ {
		out, bi, rare := float64(i), 0.0, 0.0
		if i == n-1 {
			out, rare = 1e6, 5
		}
		if i >= 180 {
			bi = 16
		}
		y = append(y, float64(i), out, bi, rare, 42)
	}
	mean := 5.0 / n
	sd := math.Sqrt(((n-1)*mean*mean + (5-mean)*(5-mean)) / n)
	want := []struct{ mu, sigma float64 }{
		{100, 100 / iqrPerSD}, {100, 100 / iqrPerSD}, {0, 16 / tailPerSD}, {0, sd}, {42, 1},
	}
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		s := must(NewStandardize(5, dt))
		if s.Initialized() {
			t.Fatalf("%v: a new Standardize reports itself initialised", dt)
		}
		if err := s.InitFromData(NewTensor(dt, y, n, 5)); err != nil {
			t.Fatal(err)
		}
		if !s.Initialized() {
			t.Errorf("%v: InitFromData did not mark the bijector initialised", dt)
		}
		mu, ls := floatsOfDense(s.Shift.Value), floatsOfDense(s.LogScale.Value)
		for c, w := range want {
			if math.Abs(mu[c]-w.mu) > 1e-5*math.Max(1, w.mu) || math.Abs(math.Exp(ls[c])-w.sigma) > 1e-5*w.sigma {
				t.Errorf("%v column %d: μ = %g, σ = %g; want %g, %g", dt, c, mu[c], math.Exp(ls[c]), w.mu, w.sigma)
			}
		}
	}
}

func TestStandardizeErrors(t *testing.T) {
	if _, err := NewStandardize(0, tensor.Float64); err == nil || !strings.Contains(err.Error(), "event size 0") {
		t.Errorf("NewStandardize(0): error %v, want one naming event size 0", err)
	}
	s := must(NewStandardize(2, tensor.Float64))
	cases := []struct {
		y    *tensor.Dense
		want string
	}{
		{NewTensor(tensor.Float64, []float64{1, 2, 3}, 1, 3), "expected [N, 2]"},
		{NewTensor(tensor.Float32, []float64{1, 2}, 1, 2), "expected float64"},
		{NewTensor(tensor.Float64, []float64{1, math.NaN()}, 1, 2), "y[0, 1] = NaN"},
	}
	for _, c := range cases {
		if err := s.InitFromData(c.y); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("InitFromData(%v): error %v, want one containing %q", c.y, err, c.want)
		}
	}
	if s.Initialized() {
		t.Error("a failed InitFromData marked the bijector initialised")
	}
}

// TestStandardizeNotTrained checks that the state is not among the
// trainable parameters and that NeedsDataInit sees the bijector.
func TestStandardizeNotTrained(t *testing.T) {
	s := must(NewStandardize(2, tensor.Float64))
	if len(s.Params()) != 0 || len(s.State()) != 2 {
		t.Errorf("Standardize has %d parameters and %d state tensors, want 0 and 2", len(s.Params()), len(s.State()))
	}
	if !NeedsDataInit(must(Chain(s))) {
		t.Error("NeedsDataInit(Chain(Standardize)) = false before initialisation, want true")
	}
}
