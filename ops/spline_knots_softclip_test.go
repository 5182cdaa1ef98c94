package ops

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestRQSplineKnotsSoftClipValues checks the normalization against zuko's
// formulas written out independently, and that zero parameters give the
// identity's knots (equal bins, unit slopes).
func TestRQSplineKnotsSoftClipValues(t *testing.T) {
	const k, bound = 4, 2.5
	p := SplineParams(k)
	rng := rand.New(rand.NewPCG(4, 4))
	th := make([]float64, p)
	for i := range th {
		th[i] = 12 * (2*rng.Float64() - 1)
	}
	op, err := NewRQSplineKnotsSoftClip(k, bound)
	if err != nil {
		t.Fatal(err)
	}
	kap := make([]float64, SplineKnotParams(k))
	op.Exec64(kap, [][]float64{th}, nil)
	logm := math.Log(1e-3)
	for part := 0; part < 2; part++ {
		sum := 0.0
		for j := 0; j < k; j++ {
			u := th[part*k+j]
			sum += math.Exp(u / (1 + math.Abs(2*u/logm)))
		}
		total := 0.0
		for j := 0; j < k; j++ {
			u := th[part*k+j]
			want := 2 * bound * math.Exp(u/(1+math.Abs(2*u/logm))) / sum
			if got := kap[part*k+j]; math.Abs(got-want) > 1e-12 {
				t.Errorf("part %d bin %d: %g, want %g", part, j, got, want)
			}
			total += kap[part*k+j]
		}
		if math.Abs(total-2*bound) > 1e-12 {
			t.Errorf("part %d: bins sum to %g, want %g", part, total, 2*bound)
		}
	}
	for j := 0; j <= k; j++ {
		want := 1.0
		if j > 0 && j < k {
			u := th[2*k+j-1]
			want = math.Exp(u / (1 + math.Abs(u/logm)))
		}
		if got := kap[2*k+j]; math.Abs(got-want) > 1e-12*want {
			t.Errorf("slope %d: %g, want %g", j, got, want)
		}
		if got := kap[2*k+j]; !(got > 1e-3 && got < 1e3) {
			t.Errorf("slope %d: %g, expected it within (1e-3, 1e3)", j, got)
		}
	}
	zero := make([]float64, p)
	op.Exec64(kap, [][]float64{zero}, nil)
	for j := 0; j < 2*k; j++ {
		if math.Abs(kap[j]-2*bound/k) > 1e-12 {
			t.Errorf("zero parameters: bin %d is %g, want %g", j, kap[j], 2*bound/k)
		}
	}
	for j := 2 * k; j < len(kap); j++ {
		if kap[j] != 1 {
			t.Errorf("zero parameters: slope %d is %g, want 1", j-2*k, kap[j])
		}
	}
}
