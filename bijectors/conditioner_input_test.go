package bijectors

import (
	"math"
	"testing"

	"github.com/nflowgo/nflow/ops"
	"gorgonia.org/tensor"
)

func init() {
	moreConformanceCases = append(moreConformanceCases, func(t testing.TB) []conformanceCase {
		m := testMAF(t, 3, LeftToRight, ops.ScaleSoftplus, 11)
		m.InputBound = 1.5 // inside the sampled range, so tanh bends
		return []conformanceCase{{"MAF-input-bound", m, 3, [2]float64{-3, 3}, [2]float64{-3, 3}, true}}
	})
}

// TestInputBoundSaturates checks that a bounded conditioner gives the
// same shift and scale to every point far enough out: x_2 = (y_2 -
// m(y_1))/σ(y_1) is the same for y_1 = 1e3 and 1e5, while without the
// bound the network extrapolates and they differ.
func TestInputBoundSaturates(t *testing.T) {
	for _, bound := range []float64{0, 2} {
		// ReLU, as flows use: unbounded, it extrapolates linearly.
		net, err := NewAutoregressiveNetwork(MADEConfig{Params: 2, EventSize: 2, HiddenUnits: []int{8, 8},
			Activation: ops.ReLU, Seed: 12, DType: tensor.Float64, KernelInit: TorchUniform})
		if err != nil {
			t.Fatal(err)
		}
		m := must(NewMaskedAutoregressiveFlow(net, ops.ScaleSoftplus))
		m.InputBound = bound
		y := tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float64{1e3, 0, 1e5, 0}))
		x, err := Inverse(m, y)
		if err != nil {
			t.Fatal(err)
		}
		v := x.Float64s()
		same := math.Abs(v[1]-v[3]) <= 1e-12*math.Max(1, math.Abs(v[1]))
		if bound > 0 && !same {
			t.Errorf("bound %g: x_2 = %g at y_1 = 1e3 and %g at 1e5, want equal (saturated conditioner)", bound, v[1], v[3])
		}
		if bound == 0 && same {
			t.Errorf("no bound: x_2 = %g at y_1 = 1e3 and at 1e5, want them to differ (the test would not see a missing bound)", v[1])
		}
		for i, e := range v {
			if math.IsNaN(e) || math.IsInf(e, 0) {
				t.Errorf("bound %g: x[%d] = %g, want finite", bound, i, e)
			}
		}
	}
}
