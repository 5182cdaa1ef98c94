package ops

import (
	"sync"
	"sync/atomic"

	"github.com/nflowgo/nflow/kernels/cpu/gemm"
)

// colSum is the column sum out[c] = Σ_r g[r, c] of g [n, d], as the
// product 1ᵀ·g on the vectorized gemm (one row of A, B read in place):
// each column is one fused multiply-add chain over the rows (by gemm's
// k blocks of 256), at memory speed. Cost: n·d adds.
func colSum[T Float](out, g []T, n, d int) {
	if is32[T]() {
		gemm.Sgemm(false, false, 1, d, n, 1, ones32(n), max(n, 1), as32(g), d, 0, as32(out), d)
		return
	}
	gemm.Dgemm(false, false, 1, d, n, 1, ones64(n), max(n, 1), as64(g), d, 0, as64(out), d)
}

// The vectors of ones that colSum multiplies by: grown under onesMu, read
// without a lock (a grown vector replaces the old one, which stays valid).
var (
	onesMu  sync.Mutex
	onesF32 atomic.Pointer[[]float32]
	onesF64 atomic.Pointer[[]float64]
)

func ones32(n int) []float32 {
	if p := onesF32.Load(); p != nil && len(*p) >= n {
		return (*p)[:n]
	}
	onesMu.Lock()
	defer onesMu.Unlock()
	if p := onesF32.Load(); p != nil && len(*p) >= n {
		return (*p)[:n]
	}
	v := make([]float32, max(n, 1024))
	for i := range v {
		v[i] = 1
	}
	onesF32.Store(&v)
	return v[:n]
}

func ones64(n int) []float64 {
	if p := onesF64.Load(); p != nil && len(*p) >= n {
		return (*p)[:n]
	}
	onesMu.Lock()
	defer onesMu.Unlock()
	if p := onesF64.Load(); p != nil && len(*p) >= n {
		return (*p)[:n]
	}
	v := make([]float64, max(n, 1024))
	for i := range v {
		v[i] = 1
	}
	onesF64.Store(&v)
	return v[:n]
}
