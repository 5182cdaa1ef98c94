package ops

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestColSumMatchesLoop checks the gemm column sum against a plain loop in
// float64 and float32, for row counts below, at and across gemm's k blocks
// and the ones vector's first size.
func TestColSumMatchesLoop(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 9))
	for _, n := range []int{0, 1, 7, 256, 257, 1500, 5000} {
		for _, d := range []int{1, 3, 128, 130} {
			g := randn(rng, n*d)
			got, want := make([]float64, d), make([]float64, d)
			for i := range got {
				got[i] = math.NaN() // every entry is written
			}
			colSum(got, g, n, d)
			for r := 0; r < n; r++ {
				for c := 0; c < d; c++ {
					want[c] += g[r*d+c]
				}
			}
			compare(t, "float64 column sum", got, want, false)
			g32, got32 := make([]float32, n*d), make([]float32, d)
			for i, v := range g {
				g32[i] = float32(v)
			}
			colSum(got32, g32, n, d)
			for c := range want {
				if math.Abs(float64(got32[c])-want[c]) > 1e-5*math.Sqrt(float64(n+1)) {
					t.Fatalf("float32 column sum n=%d d=%d [%d] = %v, want %v", n, d, c, got32[c], want[c])
				}
			}
		}
	}
}
