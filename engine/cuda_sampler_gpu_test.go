//go:build gpu

package engine_test

import (
	"fmt"
	"testing"

	"github.com/nflowgo/nflow/engine"
	"github.com/nflowgo/nflow/ops"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// philoxTolerance bounds the relative difference (relDiff) of
// philox_normal from the Go reference: the Philox words are exact, and
// Box–Muller's log, sqrt and sincospi in double differ by ulps at most.
const philoxTolerance = 1e-6

// TestCUDAPhiloxMatchesReference draws the base normals of a sampler on the
// device (philox_normal, then a columns copy) and compares the first draw
// with the Go reference of kernels/philox.cu (counter 0 of the seed), at counts 1, 5 (not a multiple
// of the 4 values per counter) and 1027 (257 counters: two blocks of 256).
func TestCUDAPhiloxMatchesReference(t *testing.T) {
	dev := cudaOrSkip(t)
	worst := 0.0
	for _, c := range []struct{ n, d int }{{1, 1}, {5, 1}, {1, 5}, {1027, 1}, {257, 4}} {
		t.Run(fmt.Sprintf("N%d-D%d", c.n, c.d), func(t *testing.T) {
			g := gorgonia.NewGraph()
			z := gorgonia.NewTensor(g, tensor.Float32, 2, gorgonia.WithShape(c.n, c.d), gorgonia.WithName("z"))
			y := must(gorgonia.ApplyOp(must(ops.NewColumns(0, c.d)), z))
			seed := 0x9E3779B97F4A7C15 ^ uint64(c.n*31+c.d)
			s := must(engine.NewDeviceSampler(dev, g, z, gorgonia.Nodes{y}))
			out, err := s.Sample(seed)
			if err != nil {
				t.Fatal(err)
			}
			got, want := out[0].Float32s(), philoxNormals(c.n*c.d, seed, 0)
			d := relDiff(got, want)
			if d > philoxTolerance {
				for i := range want {
					if got[i] != want[i] {
						t.Fatalf("seed %#x element %d: device %g, reference %g (relative difference %.3g, tolerance %.0e)",
							seed, i, got[i], want[i], d, philoxTolerance)
					}
				}
			}
			worst = max(worst, d)
		})
	}
	t.Logf("kernel %-22s max relative difference %.2e (tolerance %.0e)", "philox_normal", worst, philoxTolerance)
}
