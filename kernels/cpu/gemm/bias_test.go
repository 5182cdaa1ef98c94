package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestSgemmBias checks SgemmBias against Sgemm (beta 0) followed by the
// bias and act in Go, bit for bit, on every implementation and packing
// strategy: partial tiles, several k blocks, k = 0 and 1, transposes,
// padded leading dimensions (whose gaps must not change), NaN in C before
// the product (ignored) and in A (kept through ReLU), and a product large
// enough to be split across goroutines.
func TestSgemmBias(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	type shape struct{ m, n, k int }
	shapes := []shape{{1, 1, 1}, {14, 32, 7}, {37, 45, 1}, {29, 70, 300}, {3, 17, 0}, {600, 300, 100}}
	forEachImpl(t, func(label string) {
		for _, sh := range shapes {
			for _, tr := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
				for _, relu := range []bool{false, true} {
					tc := newCase(rng, tr[0], tr[1], sh.m, sh.n, sh.k, 1, 0, 3)
					a, b := convert[float32](tc.a), convert[float32](tc.b)
					if len(a) > 0 {
						a[len(a)/2] = float32(math.NaN())
					}
					bias := make([]float32, sh.n)
					for j := range bias {
						bias[j] = float32(rng.NormFloat64())
					}
					c := convert[float32](tc.c) // NaN and Inf where C is, sentinels in the gaps
					want := convert[float32](tc.c)
					Sgemm(tc.transA, tc.transB, sh.m, sh.n, sh.k, 1, a, tc.lda, b, tc.ldb, 0, want, tc.ldc)
					for i := 0; i < sh.m; i++ {
						for j := 0; j < sh.n; j++ {
							v := want[i*tc.ldc+j] + bias[j]
							if relu && v < 0 {
								v = 0
							}
							want[i*tc.ldc+j] = v
						}
					}
					SgemmBias(tc.transA, tc.transB, sh.m, sh.n, sh.k, a, tc.lda, b, tc.ldb, c, tc.ldc, bias, relu)
					name := fmt.Sprintf("%s %v relu=%v", label, tc, relu)
					for i := range c {
						if math.Float32bits(c[i]) != math.Float32bits(want[i]) && !(c[i] != c[i] && want[i] != want[i]) {
							t.Fatalf("%s: element %d (row %d col %d) = %v, want %v", name, i, i/tc.ldc, i%tc.ldc, c[i], want[i])
						}
					}
				}
			}
		}
	})
}

func TestSgemmBiasPanicsOnBiasLength(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("a bias of the wrong length did not panic")
		}
	}()
	SgemmBias(false, false, 2, 3, 1, make([]float32, 2), 1, make([]float32, 3), 3, make([]float32, 6), 3, make([]float32, 2), false)
}
