package dist

import (
	"math"
	"testing"

	"github.com/nflowgo/nflow/bijectors"
	"github.com/nflowgo/nflow/ops"
	"gorgonia.org/tensor"
)

// farPoints are rows far from a moons-sized model's mass, as the README's
// logprob example: beyond float32's range, near it, and beyond float64's
// square root.
var farPoints = []float64{2e38, 0, -1e37, 0, 1e39, 0, 0, 2e38, 1e300, 1, -1e308, -1e308, 1e154, 0, math.Inf(1), 0}

// TestFarPointsAreNeverNaN: log-densities far from the data are -Inf or
// finite, never NaN, in float32 and float64, with and without a context;
// a NaN row stays NaN.
func TestFarPointsAreNeverNaN(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		for _, relu := range []bool{true, false} {
			act := ops.Tanh
			if relu {
				act = ops.ReLU
			}
			flow := must(bijectors.NewMAFStack(2, bijectors.MADEConfig{EventSize: 2, HiddenUnits: []int{16, 16}, Activation: act,
				KernelInit: bijectors.TorchUniform, Seed: 3, DType: dt}, ops.ScaleSoftplus))
			m := must(NewTransformedDistribution(must(StandardNormal(2, dt)), flow))
			x := bijectors.NewTensor(dt, append(append([]float64(nil), farPoints...), math.NaN(), 0), len(farPoints)/2+1, 2)
			lp := Float64s(must(m.LogProb(x)))
			for i, v := range lp[:len(lp)-1] {
				if math.IsNaN(v) || math.IsInf(v, 1) {
					t.Errorf("%v, %v: log p(%g, %g) = %v, expected -Inf or finite", dt, act, farPoints[2*i], farPoints[2*i+1], v)
				}
			}
			if !math.IsNaN(lp[len(lp)-1]) {
				t.Errorf("%v, %v: log p(NaN, 0) = %v, expected NaN", dt, act, lp[len(lp)-1])
			}
		}
		c := condFlow(dt, 1)
		x := bijectors.NewTensor(dt, farPoints, len(farPoints)/2, 2)
		for i, v := range Float64s(must(c.LogProbGiven(x, rowOf(dt, 0.5)))) {
			if math.IsNaN(v) {
				t.Errorf("%v conditional: log p(%g, %g | 0.5) is NaN", dt, farPoints[2*i], farPoints[2*i+1])
			}
		}
	}
}
