package dist

import (
	"testing"

	"github.com/nflowgo/nflow/bijectors"
	"github.com/nflowgo/nflow/ops"
	"gorgonia.org/tensor"
)

// TestErrorsPutTheProblemFirst: an error of a deep flow starts with the
// problem and names the model in a few words, not by every layer.
func TestErrorsPutTheProblemFirst(t *testing.T) {
	flow := must(bijectors.NewMAFStack(8, bijectors.MADEConfig{EventSize: 2, HiddenUnits: []int{64, 64}, Activation: ops.ReLU,
		Seed: 1, DType: tensor.Float32}, ops.ScaleSoftplus))
	m := must(NewTransformedDistribution(must(StandardNormal(2, tensor.Float32)), flow))
	_, err := m.LogProb(bijectors.NewTensor(tensor.Float32, make([]float64, 9), 3, 3))
	if err == nil {
		t.Fatal("no error for 3 columns")
	}
	const want = "dist: input shape (3, 3), expected [N, 2] with N >= 1 (flow on D=2: MaskedAutoregressiveFlow×8, Permute×7)"
	if err.Error() != want {
		t.Errorf("error\n%q\nexpected\n%q", err, want)
	}
	if b := Brief(m); len(b) > 100 {
		t.Errorf("Brief is %d bytes: %q", len(b), b)
	}
}
