package gemm

import (
	"fmt"
	"testing"
	"time"
)

// TestExplore times variants interleaved and reports the best of several rounds.
func TestExplore(t *testing.T) {
	type cfg struct {
		op      string
		m, n, k int
		dbm     int
		ran     int
	}
	var cfgs []cfg
	for _, s := range [][4]int{{1, 4096, 256, 256}, {1, 4096, 512, 512}, {1, 4096, 1024, 1024}, {1, 256, 1024, 1024}, {0, 256, 256, 4096}, {0, 512, 512, 4096}, {0, 1024, 1024, 4096}} {
		op := []string{"TN", "NN"}[s[0]]
		for _, ran := range []int{0, 1 << 30} {
			cfgs = append(cfgs, cfg{op, s[1], s[2], s[3], 512, ran})
		}
	}
	best := make([]float64, len(cfgs))
	defer func() { directBMaxM = 64; rowAMaxN = 256; SetThreads(0) }()
	SetThreads(1)
	for round := 0; round < 7; round++ {
		for i, c := range cfgs {
			directBMaxM = c.dbm
			rowAMaxN = c.ran
			ta := c.op[0] == 'T'
			a, b, cc := make([]float32, c.m*c.k), make([]float32, c.k*c.n), make([]float32, c.m*c.n)
			lda := c.k
			if ta {
				lda = c.m
			}
			f := func() { Sgemm(ta, false, c.m, c.n, c.k, 1, a, lda, b, c.n, 0, cc, c.n) }
			f()
			n := int(2e8 / (2 * float64(c.m*c.n*c.k)))
			if n < 3 {
				n = 3
			}
			start := time.Now()
			for j := 0; j < n; j++ {
				f()
			}
			g := 2 * float64(c.m*c.n*c.k) * float64(n) / time.Since(start).Seconds() / 1e9
			best[i] = max(best[i], g)
		}
	}
	for i, c := range cfgs {
		t.Logf("%s %dx%dx%d directA=%v: %.1f GFLOP/s", c.op, c.m, c.n, c.k, c.ran > 0, best[i])
	}
	_ = fmt.Sprint
}
