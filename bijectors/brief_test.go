package bijectors

import (
	"testing"

	"github.com/nflowgo/nflow/ops"
	"gorgonia.org/tensor"
)

// TestErrorsNameADeepFlowBriefly: an eager call's error starts with the
// problem and names a deep chain by its kinds, not by every layer.
func TestErrorsNameADeepFlowBriefly(t *testing.T) {
	flow, err := NewMAFStack(6, MADEConfig{EventSize: 2, HiddenUnits: []int{32, 32}, Activation: ops.ReLU, DType: tensor.Float64}, ops.ScaleSoftplus)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Forward(flow, NewTensor(tensor.Float64, make([]float64, 3), 1, 3))
	const want = "bijectors: input shape (1, 3), expected [N, 2] (MaskedAutoregressiveFlow×6, Permute×5)"
	if err == nil || err.Error() != want {
		t.Errorf("error\n%v\nexpected\n%s", err, want)
	}
}
