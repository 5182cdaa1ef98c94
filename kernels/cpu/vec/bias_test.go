package vec

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestBiasReLUMatchesGo checks the vector epilogue against the plain loop
// on strided blocks of every width class (below 8, multiples of 8 and
// tails), with NaN and signed zeros, and that it leaves the gaps between
// rows untouched.
func TestBiasReLUMatchesGo(t *testing.T) {
	for _, avx512 := range []bool{true, false} { // the AVX-512 kernel, then AVX2 with the Go tail
		if avx512 && !useAdamAVX512 {
			continue
		}
		saved := useAdamAVX512
		useAdamAVX512 = avx512
		testBiasReLU(t)
		useAdamAVX512 = saved
	}
}

func testBiasReLU(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	nan := float32(math.NaN())
	for _, cols := range []int{1, 5, 8, 13, 15, 16, 17, 24, 35, 128} {
		for _, gap := range []int{0, 3} {
			for _, relu := range []bool{false, true} {
				rows, ldc := 7, cols+gap
				c := make([]float32, rows*ldc)
				for i := range c {
					c[i] = float32(rng.NormFloat64())
				}
				c[len(c)/2] = nan
				c[1] = float32(math.Copysign(0, -1))
				b := make([]float32, cols)
				for j := range b {
					b[j] = float32(rng.NormFloat64())
				}
				want := append([]float32(nil), c...)
				for r := 0; r < rows; r++ {
					for j := 0; j < cols; j++ {
						v := want[r*ldc+j] + b[j]
						if relu && v < 0 {
							v = 0
						}
						want[r*ldc+j] = v
					}
				}
				got := append([]float32(nil), c...)
				BiasReLU32(got[:(rows-1)*ldc+cols], ldc, rows, b, relu)
				for i := range got {
					same := got[i] == want[i] || (got[i] != got[i] && want[i] != want[i])
					if !same || math.Signbit(float64(got[i])) != math.Signbit(float64(want[i])) && got[i] == got[i] {
						t.Fatalf("cols %d ldc %d relu %v: element %d = %g, want %g (input %g)", cols, ldc, relu, i, got[i], want[i], c[i])
					}
				}
			}
		}
	}
}

func TestBiasReLURejectsShortStride(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("ldc < len(b) did not panic")
		}
	}()
	BiasReLU32(make([]float32, 16), 3, 2, make([]float32, 4), true)
}
