package train_test

import (
	"fmt"
	"log"

	"github.com/nflowgo/nflow/bijectors"
	"github.com/nflowgo/nflow/data"
	"github.com/nflowgo/nflow/dist"
	"github.com/nflowgo/nflow/ops"
	"github.com/nflowgo/nflow/train"
	"gorgonia.org/tensor"
)

// labelledMoons returns n moons points and their labels as a one-hot
// context [n, 2], float32.
func labelledMoons(n int, seed int64) (x, c *tensor.Dense) {
	x64, labels, err := data.MakeMoons(n, 0.05, seed)
	if err != nil {
		log.Fatal(err)
	}
	if x, err = data.Cast(x64, tensor.Float32); err != nil {
		log.Fatal(err)
	}
	oh := make([]float32, 2*n)
	for i, l := range labels {
		oh[2*i+l] = 1
	}
	return x, tensor.New(tensor.WithShape(n, 2), tensor.WithBacking(oh))
}

// labelFlow is a small MAF stack conditioned on a context of size 2.
func labelFlow() *dist.TransformedDistribution {
	flow, err := bijectors.NewMAFStack(2, bijectors.MADEConfig{
		EventSize: 2, HiddenUnits: []int{16, 16}, Activation: ops.ReLU, Seed: 1, ContextSize: 2}, ops.ScaleSoftplus)
	if err != nil {
		log.Fatal(err)
	}
	base, err := dist.StandardNormal(2, tensor.Float32)
	if err != nil {
		log.Fatal(err)
	}
	model, err := dist.NewTransformedDistribution(base, flow)
	if err != nil {
		log.Fatal(err)
	}
	return model
}

func ExampleConfig_context() {
	// Fit on (point, label) pairs: Config.Context holds one context row per
	// data row; the validation split and the shuffling keep pairs together.
	x, c := labelledMoons(256, 1)
	model := labelFlow()
	before, err := train.MeanNLLGiven(model, x, c)
	if err != nil {
		log.Fatal(err)
	}
	h, err := train.Fit(model, x, train.Config{Epochs: 3, LearningRate: 3e-3, Seed: 1, Context: c, ValidationSplit: 0.25})
	if err != nil {
		log.Fatal(err)
	}
	after, err := train.MeanNLLGiven(model, x, c)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("epochs:", len(h.Loss), "validation losses:", len(h.ValLoss), "steps:", h.Steps)
	fmt.Println("loss decreased:", after < before)

	_, err = train.Fit(model, x, train.Config{})
	fmt.Println(err != nil) // a conditional model needs its context
	// Output:
	// epochs: 3 validation losses: 3 steps: 18
	// loss decreased: true
	// true
}

func ExampleMeanNLLGiven() {
	x, c := labelledMoons(100, 2)
	model := labelFlow()
	nll, err := train.MeanNLLGiven(model, x, c)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(nll > 0)
	_, err = train.MeanNLL(model, x)
	fmt.Println(err)
	// Output:
	// true
	// train: the model is conditional on a context of size 2; use MeanNLLGiven (flow on D=2: MaskedAutoregressiveFlow×2, Permute)
}

func ExampleTrainer_StepGiven() {
	// A custom loop on one fixed batch of (point, one-hot label) pairs.
	x, c := labelledMoons(64, 1)
	tr, err := train.NewTrainer(labelFlow(), train.Config{LearningRate: 1e-2})
	if err != nil {
		log.Fatal(err)
	}
	var losses []float64
	for i := 0; i < 20; i++ {
		loss, err := tr.StepGiven(x, c)
		if err != nil {
			log.Fatal(err)
		}
		losses = append(losses, loss)
	}
	fmt.Println("steps:", tr.Steps(), "loss decreased:", losses[19] < losses[0])
	_, err = tr.Step(x)
	fmt.Println(err != nil)
	// Output:
	// steps: 20 loss decreased: true
	// true
}
