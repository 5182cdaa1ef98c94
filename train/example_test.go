package train_test

import (
	"bytes"
	"errors"
	"fmt"
	"log"
	"math"
	"strings"

	"github.com/nflowgo/nflow/bijectors"
	"github.com/nflowgo/nflow/data"
	"github.com/nflowgo/nflow/dist"
	"github.com/nflowgo/nflow/ops"
	"github.com/nflowgo/nflow/train"
	"gorgonia.org/tensor"
)

// Training results depend on float rounding, so the examples print facts
// about them (the loss went down) rather than the losses themselves.

func ExampleFit() {
	// 256 points of two moons, float32 as the model.
	x, _, err := data.MakeMoons(256, 0.05, 1)
	if err != nil {
		log.Fatal(err)
	}
	if x, err = data.Cast(x, tensor.Float32); err != nil {
		log.Fatal(err)
	}
	// A small MAF stack on a standard normal base.
	flow, err := bijectors.NewMAFStack(2, bijectors.MADEConfig{
		EventSize: 2, HiddenUnits: []int{16, 16}, Activation: ops.ReLU, Seed: 1}, ops.ScaleSoftplus)
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

	before, err := train.MeanNLL(model, x)
	if err != nil {
		log.Fatal(err)
	}
	h, err := train.Fit(model, x, train.Config{Epochs: 3, LearningRate: 3e-3, Seed: 1})
	if err != nil {
		log.Fatal(err)
	}
	after, err := train.MeanNLL(model, x) // the parameters were updated in place
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("epochs:", len(h.Loss), "steps:", h.Steps) // 256/32 = 8 steps an epoch
	fmt.Println("loss decreased:", h.Loss[2] < h.Loss[0], after < before)
	// Output:
	// epochs: 3 steps: 24
	// loss decreased: true true
}

func ExampleMeanNLL() {
	// Under a standard normal, the mean NLL of (0, 0) and (1, 1) is
	// log 2π + (0 + 1)/2.
	n, err := dist.StandardNormal(2, tensor.Float64)
	if err != nil {
		log.Fatal(err)
	}
	x := tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float64{0, 0, 1, 1}))
	nll, err := train.MeanNLL(n, x)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%.4f\n", nll)
	// Output:
	// 2.3379
}

func ExampleConfig() {
	x, _, err := data.MakeMoons(200, 0.05, 2)
	if err != nil {
		log.Fatal(err)
	}
	flow, err := bijectors.NewMAFStack(2, bijectors.MADEConfig{
		EventSize: 2, HiddenUnits: []int{16}, Activation: ops.ReLU, DType: tensor.Float64}, ops.ScaleSoftplus)
	if err != nil {
		log.Fatal(err)
	}
	base, err := dist.StandardNormal(2, tensor.Float64)
	if err != nil {
		log.Fatal(err)
	}
	model, err := dist.NewTransformedDistribution(base, flow)
	if err != nil {
		log.Fatal(err)
	}
	var progress bytes.Buffer
	h, err := train.Fit(model, x, train.Config{
		Epochs:          4,
		BatchSize:       50,
		LearningRate:    1e-3,
		Seed:            7,
		ValidationSplit: 0.25, // the last 50 rows
		Patience:        10,
		RestoreBest:     true,
		Progress:        &progress, // one line per epoch
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("steps:", h.Steps, "validation losses:", len(h.ValLoss)) // 150 rows / 50 = 3 steps an epoch
	lines := strings.Split(strings.TrimSpace(progress.String()), "\n")
	for _, l := range lines {
		f := strings.Fields(l) // epoch 1/4  loss …  val_loss …  … steps/s  … left
		fmt.Println(f[0], f[1], f[2], f[4])
	}

	_, err = train.Fit(model, x, train.Config{ValidationSplit: 1})
	fmt.Println(err)
	// Output:
	// steps: 12 validation losses: 4
	// epoch 1/4 loss val_loss
	// epoch 2/4 loss val_loss
	// epoch 3/4 loss val_loss
	// epoch 4/4 loss val_loss
	// train: validation split = 1, expected a fraction in [0, 1)
}

func ExampleHistory() {
	x, _, err := data.MakeMoons(128, 0.05, 3)
	if err != nil {
		log.Fatal(err)
	}
	flow, err := bijectors.NewMAFStack(1, bijectors.MADEConfig{
		EventSize: 2, HiddenUnits: []int{8}, DType: tensor.Float64}, ops.ScaleSoftplus)
	if err != nil {
		log.Fatal(err)
	}
	base, err := dist.StandardNormal(2, tensor.Float64)
	if err != nil {
		log.Fatal(err)
	}
	model, err := dist.NewTransformedDistribution(base, flow)
	if err != nil {
		log.Fatal(err)
	}
	h, err := train.Fit(model, x, train.Config{Epochs: 5, BatchSize: 64, LearningRate: 1e-2, Seed: 1})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("epochs:", len(h.Loss), "steps:", h.Steps, "validation:", len(h.ValLoss))
	fmt.Println("best epoch in range:", h.BestEpoch >= 1 && h.BestEpoch <= len(h.Loss), "stopped early:", h.StoppedEarly)
	fmt.Println("timed:", h.Seconds > 0 && h.StepsPerSecond > 0)
	// Output:
	// epochs: 5 steps: 10 validation: 0
	// best epoch in range: true stopped early: false
	// timed: true
}

func ExampleNonFiniteError() {
	// An absurd learning rate with TFP's unbounded scale exp(u) overflows:
	// Fit stops with a *NonFiniteError and puts back the last parameters
	// that gave a finite loss.
	x, _, err := data.MakeMoons(64, 0.05, 1)
	if err != nil {
		log.Fatal(err)
	}
	flow, err := bijectors.NewMAFStack(1, bijectors.MADEConfig{
		EventSize: 2, HiddenUnits: []int{8}, DType: tensor.Float64}, ops.ScaleExp)
	if err != nil {
		log.Fatal(err)
	}
	base, err := dist.StandardNormal(2, tensor.Float64)
	if err != nil {
		log.Fatal(err)
	}
	model, err := dist.NewTransformedDistribution(base, flow)
	if err != nil {
		log.Fatal(err)
	}
	_, err = train.Fit(model, x, train.Config{Epochs: 1, BatchSize: 16, LearningRate: 1e6, NoShuffle: true})
	var nf *train.NonFiniteError
	if !errors.As(err, &nf) {
		log.Fatalf("expected a NonFiniteError, got %v", err)
	}
	fmt.Println("epoch", nf.Epoch, "step", nf.Step, "finite loss:", !math.IsNaN(nf.Loss) && !math.IsInf(nf.Loss, 0))
	nll, err := train.MeanNLL(model, x)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("restored parameters give a finite loss:", !math.IsNaN(nll) && !math.IsInf(nll, 0))
	// Output:
	// epoch 1 step 2 finite loss: false
	// restored parameters give a finite loss: true
}

func ExampleTrainer() {
	// A custom loop: Adam steps on one fixed batch of 64 moons points.
	x, _, err := data.MakeMoons(64, 0.05, 1)
	if err != nil {
		log.Fatal(err)
	}
	if x, err = data.Cast(x, tensor.Float32); err != nil {
		log.Fatal(err)
	}
	flow, err := bijectors.NewMAFStack(2, bijectors.MADEConfig{
		EventSize: 2, HiddenUnits: []int{16, 16}, Activation: ops.ReLU, Seed: 1}, ops.ScaleSoftplus)
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
	tr, err := train.NewTrainer(model, train.Config{LearningRate: 1e-2})
	if err != nil {
		log.Fatal(err)
	}
	var losses []float64
	for i := 0; i < 20; i++ {
		loss, err := tr.Step(x) // the batch's mean NLL before the update
		if err != nil {
			log.Fatal(err)
		}
		losses = append(losses, loss)
	}
	fmt.Println("steps:", tr.Steps(), "loss decreased:", losses[19] < losses[0])

	// A model without parameters has nothing to train.
	_, err = train.NewTrainer(base, train.Config{})
	fmt.Println(err)
	// Output:
	// steps: 20 loss decreased: true
	// train: the model has no trainable parameters (MultivariateNormalDiag(loc=[0 0], scale_diag=[1 1]))
}
