package gemm

import (
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestExplore times EXPLORE="op,m,n,k,threads;..." interleaved, best of rounds.
func TestExplore(t *testing.T) {
	spec := os.Getenv("EXPLORE")
	if spec == "" {
		t.Skip()
	}
	type cfg struct {
		op         string
		m, n, k, t int
		ran, dbm   int
	}
	var cfgs []cfg
	for _, f := range strings.Split(spec, ";") {
		p := strings.Split(f, ",")
		v := func(i int) int { x, _ := strconv.Atoi(p[i]); return x }
		cfgs = append(cfgs, cfg{p[0], v(1), v(2), v(3), v(4), v(5), v(6)})
	}
	best := make([]float64, len(cfgs))
	defer func(r, d int) { SetThreads(0); rowAMaxN, directBMaxM = r, d }(rowAMaxN, directBMaxM)
	for round := 0; round < 7; round++ {
		for i, c := range cfgs {
			SetThreads(c.t)
			rowAMaxN, directBMaxM = c.ran, c.dbm
			ta, tb := c.op[0] == 'T', c.op[1] == 'T'
			a, b, cc := make([]float32, c.m*c.k), make([]float32, c.k*c.n), make([]float32, c.m*c.n)
			lda, ldb := c.k, c.n
			if ta {
				lda = c.m
			}
			if tb {
				ldb = c.k
			}
			f := func() { Sgemm(ta, tb, c.m, c.n, c.k, 1, a, lda, b, ldb, 0, cc, c.n) }
			f()
			n := max(3, int(1e8/(2*float64(c.m*c.n*c.k))))
			start := time.Now()
			for j := 0; j < n; j++ {
				f()
			}
			best[i] = max(best[i], 2*float64(c.m*c.n*c.k)*float64(n)/time.Since(start).Seconds()/1e9)
		}
	}
	for i, c := range cfgs {
		t.Logf("%s %dx%dx%d t%d ran=%d dbm=%d: %.1f GFLOP/s", c.op, c.m, c.n, c.k, c.t, c.ran, c.dbm, best[i])
	}
}
