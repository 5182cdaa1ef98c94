package bijectors_test

import (
	"math"
	"testing"

	"github.com/nflowgo/nflow/bijectors"
	"github.com/nflowgo/nflow/data"
	"github.com/nflowgo/nflow/dist"
	"github.com/nflowgo/nflow/ops"
	"github.com/nflowgo/nflow/train"
	"gorgonia.org/tensor"
)

// TestBatchNormalizationFit trains Chain(BatchNormalization, MAF) on two
// moons with train.Fit: the training graph normalises with batch statistics
// and updates the running moments, which end near the data's; the loss
// falls; and the validation loss (eager, running moments) is finite.
func TestBatchNormalizationFit(t *testing.T) {
	x, _, err := data.MakeMoons(1000, 0.05, 3)
	if err != nil {
		t.Fatal(err)
	}
	bn, err := bijectors.NewBatchNormalization(2, 0.9, bijectors.DefaultBatchNormEpsilon, tensor.Float64)
	if err != nil {
		t.Fatal(err)
	}
	net, err := bijectors.NewAutoregressiveNetwork(bijectors.MADEConfig{Params: 2, EventSize: 2, HiddenUnits: []int{32, 32},
		Activation: ops.Tanh, Seed: 1, DType: tensor.Float64})
	if err != nil {
		t.Fatal(err)
	}
	maf, err := bijectors.NewMaskedAutoregressiveFlow(net, ops.ScaleSoftplus)
	if err != nil {
		t.Fatal(err)
	}
	flow, err := bijectors.Chain(bn, maf) // the density path meets bn first
	if err != nil {
		t.Fatal(err)
	}
	base, err := dist.StandardNormal(2, tensor.Float64)
	if err != nil {
		t.Fatal(err)
	}
	model, err := dist.NewTransformedDistribution(base, flow)
	if err != nil {
		t.Fatal(err)
	}
	h, err := train.Fit(model, x, train.Config{Epochs: 3, BatchSize: 64, ValidationSplit: 0.2, Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("loss %v, validation %v", h.Loss, h.ValLoss)
	if !(h.Loss[len(h.Loss)-1] < h.Loss[0]) {
		t.Errorf("loss went from %g to %g, expected a decrease", h.Loss[0], h.Loss[len(h.Loss)-1])
	}
	for _, v := range h.ValLoss {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			t.Errorf("validation loss %g, expected finite", v)
		}
	}
	xs := x.Float64s()[:800*2]
	for c := 0; c < 2; c++ {
		var m, q float64
		for r := 0; r < 800; r++ {
			m += xs[r*2+c] / 800
		}
		for r := 0; r < 800; r++ {
			q += (xs[r*2+c] - m) * (xs[r*2+c] - m) / 800
		}
		rm, rv := bn.Mean.Value.Float64s()[c], bn.Variance.Value.Float64s()[c]
		if math.Abs(rm-m) > 0.1 || math.Abs(rv-q) > 0.15 {
			t.Errorf("column %d: running mean %.4f variance %.4f, data's %.4f and %.4f", c, rm, rv, m, q)
		}
	}
}

// TestBatchNormalizationTrainStepAllocs checks that a compiled training
// step through BatchNormalization (batch statistics, running-moment update,
// backward and Adam) performs no heap allocation.
func TestBatchNormalizationTrainStepAllocs(t *testing.T) {
	bn, err := bijectors.NewBatchNormalization(3, bijectors.DefaultBatchNormMomentum, bijectors.DefaultBatchNormEpsilon, tensor.Float32)
	if err != nil {
		t.Fatal(err)
	}
	an, err := bijectors.NewActNorm(3, tensor.Float32)
	if err != nil {
		t.Fatal(err)
	}
	flow, err := bijectors.Chain(bn, an)
	if err != nil {
		t.Fatal(err)
	}
	base, err := dist.StandardNormal(3, tensor.Float32)
	if err != nil {
		t.Fatal(err)
	}
	model, err := dist.NewTransformedDistribution(base, flow)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := train.NewTrainer(model, train.Config{})
	if err != nil {
		t.Fatal(err)
	}
	v := make([]float32, 32*3)
	for i := range v {
		v[i] = float32(math.Cos(float64(i)))
	}
	batch := tensor.New(tensor.WithShape(32, 3), tensor.WithBacking(v))
	if _, err := tr.Step(batch); err != nil {
		t.Fatal(err)
	}
	if a := testing.AllocsPerRun(20, func() {
		if _, err := tr.Step(batch); err != nil {
			t.Fatal(err)
		}
	}); a != 0 {
		t.Errorf("%g allocations per training step, expected 0", a)
	}
}
