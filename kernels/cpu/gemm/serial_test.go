package gemm

import (
	"math/rand/v2"
	"testing"
)

// TestSerialSameProduct checks that a product large enough to be split
// across goroutines gives the same bits inside a Serial section, where it
// runs on its caller alone, and that sections nest and close.
func TestSerialSameProduct(t *testing.T) {
	const m, n, k = 300, 200, 150 // 18 MFLOP
	rng := rand.New(rand.NewPCG(4, 4))
	a, b := make([]float32, m*k), make([]float32, k*n)
	for i := range a {
		a[i] = float32(rng.NormFloat64())
	}
	for i := range b {
		b[i] = float32(rng.NormFloat64())
	}
	want, got := make([]float32, m*n), make([]float32, m*n)
	Sgemm(false, false, m, n, k, 1, a, k, b, n, 0, want, n)
	Serial(func() {
		Serial(func() { Sgemm(false, false, m, n, k, 1, a, k, b, n, 0, got, n) })
		if serial.Load() != 1 {
			t.Errorf("inner section left the count at %d", serial.Load())
		}
	})
	if serial.Load() != 0 {
		t.Fatalf("closed sections left the count at %d", serial.Load())
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("C[%d] = %v inside Serial, %v outside", i, got[i], want[i])
		}
	}
}
