//go:build gpu

package train

import (
	"math"
	"strings"
	"testing"

	"github.com/nflowgo/nflow/engine"
	"github.com/nflowgo/nflow/ops"
	"gorgonia.org/tensor"
)

// TestFitOnCUDAMatchesCPU fits the same model with the same shuffling on
// the GPU (graph replay on and off) and on the CPU and compares the epoch
// losses and the final parameters.
func TestFitOnCUDAMatchesCPU(t *testing.T) {
	dev, err := engine.DeviceByName("cuda")
	if err != nil {
		t.Skip(err) // "no usable CUDA device: <reason>"
	}
	x := moons(1000, 3, tensor.Float32) // 1000 = 31·32 + 8: a partial last batch
	cpu := smallFlow(tensor.Float32, ops.ScaleSoftplus)
	hc, err := Fit(cpu, x, Config{Epochs: 2, Seed: 4})
	if err != nil {
		t.Fatal(err)
	}
	for _, noGraphs := range []bool{true, false} {
		gpu := smallFlow(tensor.Float32, ops.ScaleSoftplus)
		hg, err := Fit(gpu, x, Config{Epochs: 2, Seed: 4, Device: dev, NoGraphs: noGraphs})
		if err != nil {
			t.Fatal(err)
		}
		if hg.Steps != hc.Steps {
			t.Fatalf("gpu took %d steps, cpu %d", hg.Steps, hc.Steps)
		}
		for e := range hc.Loss {
			if math.Abs(hg.Loss[e]-hc.Loss[e]) > 2e-3*(1+math.Abs(hc.Loss[e])) {
				t.Errorf("noGraphs=%v epoch %d: gpu loss %g, cpu %g", noGraphs, e+1, hg.Loss[e], hc.Loss[e])
			}
		}
		for i, p := range gpu.Params() {
			q := cpu.Params()[i].Value.Float32s()
			for j, v := range p.Value.Float32s() {
				if math.Abs(float64(v-q[j])) > 5e-3*(1+math.Abs(float64(q[j]))) {
					t.Fatalf("noGraphs=%v %s[%d]: gpu %g, cpu %g", noGraphs, p.Name, j, v, q[j])
				}
			}
		}
	}
	m64 := smallFlow(tensor.Float64, ops.ScaleSoftplus)
	if _, err := Fit(m64, moons(64, 1, tensor.Float64), Config{Epochs: 1, Device: dev}); err == nil || !strings.Contains(err.Error(), "float32") {
		t.Errorf("float64 model on cuda: error %v, want one about float32", err)
	}
}
