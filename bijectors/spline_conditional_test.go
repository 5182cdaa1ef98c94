package bijectors

import (
	"testing"

	"github.com/nflowgo/nflow/ops"
	"gorgonia.org/tensor"
)

// A MaskedAutoregressiveSpline on a conditional MADE starts sampling from a
// zero batch (the context differs from row to row) rather than a zero row.
func init() {
	moreConformanceCases = append(moreConformanceCases, func(t testing.TB) []conformanceCase {
		net, err := NewAutoregressiveNetwork(MADEConfig{Params: ops.SplineParams(4), EventSize: 3, HiddenUnits: []int{8},
			Activation: ops.Tanh, Seed: 51, DType: tensor.Float64, KernelInit: TorchUniform, ContextSize: 2})
		if err != nil {
			t.Fatal(err)
		}
		m := must(NewMaskedAutoregressiveSpline(net, 4, 1.5))
		wide := [2]float64{-2, 2}
		return []conformanceCase{{"CondMAS", splineContext{m, 2, 1.2}, 3, wide, wide, true}}
	})
}
