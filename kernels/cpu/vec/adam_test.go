package vec

import (
	"math"
	"testing"
)

func BenchmarkAdam52k(b *testing.B) {
	n := 52236
	p, g, m, v := make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
	for i := range g {
		g[i] = float32(i%13) * 0.01
	}
	b.SetBytes(int64(n * 16))
	for i := 0; i < b.N; i++ {
		Adam32(p, g, m, v, 0.9, 0.999, 1e-7, 1e-3)
	}
}

// TestAdamAVX2MatchesGo checks the vector updates against the Go loop, on
// lengths that exercise the tail.
func TestAdamAVX2MatchesGo(t *testing.T) {
	for _, n := range []int{1, 7, 8, 9, 16, 31, 47, 100} { // AVX-512, AVX2 and Go parts
		mk := func() [][]float32 {
			s := make([][]float32, 4)
			for j := range s {
				s[j] = make([]float32, n)
				for i := range s[j] {
					s[j][i] = float32((i*7+j*3)%11)*0.1 - 0.3
				}
				if j == 3 {
					for i := range s[j] {
						s[j][i] = s[j][i] * s[j][i]
					}
				}
			}
			return s
		}
		a, b := mk(), mk()
		for step := 0; step < 3; step++ {
			Adam32(a[0], a[1], a[2], a[3], 0.9, 0.999, 1e-7, 1e-2)
			Adam(b[0], b[1], b[2], b[3], 0.9, 0.999, 1e-7, 1e-2)
		}
		for j := range a {
			for i := range a[j] {
				if d := a[j][i] - b[j][i]; d > 1e-6 || d < -1e-6 {
					t.Fatalf("n=%d array %d element %d: %g vs %g", n, j, i, a[j][i], b[j][i])
				}
			}
		}
	}
}

func TestAllFinite(t *testing.T) {
	for _, n := range []int{1, 8, 13, 64} {
		for _, bad := range []float64{0, math.NaN(), math.Inf(1), math.Inf(-1)} {
			for pos := 0; pos < n; pos += 5 {
				x := make([]float32, n)
				y := make([]float64, n)
				for i := range x {
					x[i], y[i] = float32(i)-3, float64(i)-3
				}
				x[pos], y[pos] = float32(bad), bad
				want := bad == 0
				if got := AllFinite32([][]float32{{1}, x}); got != want {
					t.Errorf("float32 n=%d value %g at %d: AllFinite %v", n, bad, pos, got)
				}
				if got := AllFinite64([][]float64{y}); got != want {
					t.Errorf("float64 n=%d value %g at %d: AllFinite %v", n, bad, pos, got)
				}
			}
		}
	}
}
