package gemm

import (
	"fmt"
	"runtime"
	"testing"
)

// A dense layer y = x·W with x of shape [batch, in] and W of shape [in, out]
// runs three products per training step:
//
//	NN forward  y  = x·W     m = batch, n = out, k = in
//	NT backward gx = gy·Wᵀ   m = batch, n = in,  k = out
//	TN backward gW = xᵀ·gy   m = in,    n = out, k = batch
var benchLayers = [][3]int{ // batch, in, out
	{32, 128, 128},
	{256, 128, 128},
	{336, 128, 128},
	{252, 128, 128},
	{2048, 128, 128},
	{4096, 128, 128},
	{4096, 1024, 1024},
}

func BenchmarkSgemm(b *testing.B) { benchGemm[float32](b) }

func BenchmarkDgemm(b *testing.B) { benchGemm[float64](b) }

func benchGemm[T float](b *testing.B) {
	defer func() {
		ForceGeneric(false)
		SetThreads(0)
	}()
	for _, im := range impls() {
		for _, layer := range benchLayers {
			batch, in, out := layer[0], layer[1], layer[2]
			for _, op := range []string{"NN", "NT", "TN"} {
				var m, n, k int
				switch op {
				case "NN":
					m, n, k = batch, out, in
				case "NT":
					m, n, k = batch, in, out
				case "TN":
					m, n, k = in, out, batch
				}
				for _, threads := range []int{1, runtime.GOMAXPROCS(0)} {
					name := fmt.Sprintf("%s/%s/%dx%dx%d/t%d", im.name, op, m, n, k, threads)
					b.Run(name, func(b *testing.B) {
						setImpl(im.name)
						SetThreads(threads)
						benchProduct[T](b, op[0] == 'T', op[1] == 'T', m, n, k)
					})
					if threads == 1 && runtime.GOMAXPROCS(0) == 1 {
						break
					}
				}
			}
		}
	}
}

// benchProduct times C = op(A)·op(B) and reports GFLOP/s.
func benchProduct[T float](b *testing.B, transA, transB bool, m, n, k int) {
	a, bb, c := make([]T, m*k), make([]T, k*n), make([]T, m*n)
	for i := range a {
		a[i] = T(i%7) - 3
	}
	for i := range bb {
		bb[i] = T(i%5) - 2
	}
	lda, ldb := k, n
	if transA {
		lda = m
	}
	if transB {
		ldb = k
	}
	run := func() {
		switch a := any(a).(type) {
		case []float32:
			Sgemm(transA, transB, m, n, k, 1, a, lda, any(bb).([]float32), ldb, 0, any(c).([]float32), n)
		case []float64:
			Dgemm(transA, transB, m, n, k, 1, a, lda, any(bb).([]float64), ldb, 0, any(c).([]float64), n)
		}
	}
	run()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		run()
	}
	b.ReportMetric(2*float64(m)*float64(n)*float64(k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}
