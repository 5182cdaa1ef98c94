package vi

import (
	"math"
	"math/rand/v2"
	"testing"
)

// Weights from a generalized Pareto of shape ξ: k̂ recovers ξ.
func TestParetoKHatKnownTail(t *testing.T) {
	for _, xi := range []float64{-0.3, 0.2, 0.5, 0.9, 1.3} {
		var sum float64
		const reps = 4
		for r := 0; r < reps; r++ {
			rng := rand.New(rand.NewPCG(uint64(r), 7))
			lw := make([]float64, 20000)
			for i := range lw {
				u := rng.Float64()
				lw[i] = math.Log((math.Pow(1-u, -xi) - 1) / xi) // GPD(ξ, σ = 1) by inversion
			}
			k, err := ParetoKHat(lw)
			if err != nil {
				t.Fatal(err)
			}
			sum += k
		}
		if k := sum / reps; math.Abs(k-xi) > 0.1 {
			t.Errorf("ξ = %g: mean k-hat %.3f over %d samples of 20000, expected %g ± 0.1", xi, k, reps, xi)
		}
	}
}

func TestParetoKHatErrors(t *testing.T) {
	if _, err := ParetoKHat(make([]float64, 24)); err == nil {
		t.Error("24 weights: no error")
	}
	lw := make([]float64, 100)
	lw[3] = math.Inf(1)
	if _, err := ParetoKHat(lw); err == nil {
		t.Error("+Inf log weight: no error")
	}
	if k, err := ParetoKHat(make([]float64, 100)); err != nil || k != 0 {
		t.Errorf("equal weights: k-hat %v, %v; expected 0 (no tail)", k, err)
	}
}
