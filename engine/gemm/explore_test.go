package gemm

import (
	"fmt"
	"testing"
)

func BenchmarkExplore(b *testing.B) {
	defer func() { packing = packAuto; SetThreads(0) }()
	for _, s := range []struct {
		op      string
		m, n, k int
	}{{"NN", 32, 128, 128}, {"NT", 32, 128, 128}, {"TN", 128, 128, 32}, {"NN", 256, 128, 128}, {"NN", 4096, 128, 128}, {"NT", 4096, 128, 128}, {"TN", 128, 128, 4096}, {"TN", 1024, 1024, 4096}} {
		for _, pk := range []int{packAuto, packAlways, packNever} {
			for _, t := range []int{1, 2} {
				b.Run(fmt.Sprintf("%s/%dx%dx%d/%s/t%d", s.op, s.m, s.n, s.k, packingNames[pk], t), func(b *testing.B) {
					packing = pk
					SetThreads(t)
					benchProduct[float32](b, s.op[0] == 'T', s.op[1] == 'T', s.m, s.n, s.k)
				})
			}
		}
	}
}
