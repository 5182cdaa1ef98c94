//go:build gpu

package dist

import (
	"math"
	"testing"

	"github.com/nflowgo/nflow/engine"
	"gorgonia.org/tensor"
)

func cudaOrSkip(t *testing.T) engine.Device {
	t.Helper()
	dev, err := engine.DeviceByName("cuda")
	if err != nil {
		t.Skip(err) // "no usable CUDA device: <reason>"
	}
	return dev
}

// perturb moves every parameter of td in place, as a training step does:
// θ_j += 0.05·(j mod 7 − 3).
func perturb(td *TransformedDistribution) {
	for _, p := range td.Params() {
		v := p.Value.Float32s()
		for j := range v {
			v[j] += 0.05 * float32(j%7-3)
		}
	}
}

// closeTo reports the first element where got and want differ by more
// than tol·(1 + |want|), or -1.
func closeTo(got, want []float32, tol float64) int {
	for i := range want {
		if d := math.Abs(float64(got[i] - want[i])); !(d <= tol*(1+math.Abs(float64(want[i])))) {
			return i
		}
	}
	return -1
}

// TestLogProbOnSeesParameterUpdates evaluates densities on the GPU, changes
// the parameters in place (what training does) and evaluates again: the
// GPU must follow the CPU, which reads parameters in place.
func TestLogProbOnSeesParameterUpdates(t *testing.T) {
	dev := cudaOrSkip(t)
	td := labFlow(tensor.Float32)
	x := must(td.Sample(37, newRand(2))) // 37: not a multiple of any block
	before := must(LogProbOn(dev, td, x)).Float32s()
	if i := closeTo(before, must(LogProb(td, x)).Float32s(), 1e-4); i >= 0 {
		t.Fatalf("before the update, row %d: gpu log p %g, cpu %g", i, before[i], must(LogProb(td, x)).Float32s()[i])
	}
	perturb(td)
	want := must(LogProb(td, x)).Float32s()
	if closeTo(before, want, 1e-2) < 0 {
		t.Fatal("the perturbation left every density unchanged: the test cannot tell stale parameters from fresh ones")
	}
	got := must(LogProbOn(dev, td, x)).Float32s()
	if i := closeTo(got, want, 1e-4); i >= 0 {
		t.Fatalf("after the update, row %d: gpu log p %g, cpu %g (the old model's %g)", i, got[i], want[i], before[i])
	}
}

// TestSampleOnRestartsFromSeed draws twice with one seed on the GPU (equal
// samples, as on the CPU), once with another (different samples), and once
// more after a parameter update (the new model's samples).
func TestSampleOnRestartsFromSeed(t *testing.T) {
	dev := cudaOrSkip(t)
	td := labFlow(tensor.Float32)
	const n = 9 // 9·2 normals: not a multiple of Philox's 4 per counter
	a := must(SampleOn(dev, td, n, 5)).Float32s()
	b := must(SampleOn(dev, td, n, 5)).Float32s()
	for i := range a {
		if math.IsNaN(float64(a[i])) || math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			t.Fatalf("seed 5 drawn twice, element %d: first %g, second %g; want equal finite samples", i, a[i], b[i])
		}
	}
	if c := must(SampleOn(dev, td, n, 6)).Float32s(); closeTo(c, a, 1e-6) < 0 {
		t.Errorf("seeds 5 and 6 gave the same samples %v", a)
	}
	perturb(td)
	if d := must(SampleOn(dev, td, n, 5)).Float32s(); closeTo(d, a, 1e-6) < 0 {
		t.Errorf("seed 5 after a parameter update gave the old model's samples %v", a)
	}
}
