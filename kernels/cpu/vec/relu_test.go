package vec

import (
	"math"
	"testing"
)

func TestReLUMatchesGo(t *testing.T) {
	nan := float32(math.NaN())
	for _, n := range []int{1, 7, 8, 9, 31, 32, 33, 64, 75, 100} {
		y := make([]float32, n)
		gy := make([]float32, n)
		for i := range y {
			y[i] = float32(i%5) - 2
			gy[i] = float32(i) + 0.5
		}
		y[n/2] = nan
		want := append([]float32(nil), y...)
		reluGo(want)
		got := append([]float32(nil), y...)
		ReLU32(got)
		gz, wantGz := make([]float32, n), make([]float32, n)
		ReLUGrad32(gz, y, gy)
		reluGradGo(wantGz, y, gy)
		for i := range y {
			if !(got[i] == want[i] || (got[i] != got[i] && want[i] != want[i])) || gz[i] != wantGz[i] {
				t.Fatalf("n=%d element %d (y=%g): relu %g want %g, grad %g want %g", n, i, y[i], got[i], want[i], gz[i], wantGz[i])
			}
		}
	}
}
