package dist

import (
	"errors"
	"math"
	"testing"

	"github.com/nflowgo/nflow/engine"
	"gorgonia.org/tensor"
)

func TestOnCPUIsTheEagerPath(t *testing.T) {
	td := labFlow(tensor.Float32)
	x := must(td.Sample(5, newRand(1)))
	a := must(LogProbOn(engine.CPU, td, x)).Float32s()
	b := must(td.LogProb(x)).Float32s()
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("LogProbOn(cpu) %v, LogProb %v", a, b)
		}
	}
	s1 := must(SampleOn(engine.CPU, td, 4, 9)).Float32s()
	s2 := must(SampleOn(engine.CPU, td, 4, 9)).Float32s()
	for i := range s1 {
		if s1[i] != s2[i] || math.IsNaN(float64(s1[i])) {
			t.Fatalf("SampleOn(cpu) not reproducible: %v vs %v", s1, s2)
		}
	}
	if dev, err := engine.DeviceByName("cuda"); err == nil {
		if _, err := SampleOn(dev, td, 0, 1); err == nil {
			t.Error("SampleOn accepted n = 0")
		}
	} else if !errors.Is(err, engine.ErrNoGPUSupport) {
		t.Errorf("cuda device error %v, want ErrNoGPUSupport in a cpu build", err)
	}
}
