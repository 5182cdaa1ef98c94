package flows_test

import (
	"fmt"
	"log"

	"github.com/nflowgo/nflow/data"
	"github.com/nflowgo/nflow/flows"
	"github.com/nflowgo/nflow/train"
	"gorgonia.org/tensor"
)

func ExampleBuild_nsf() {
	// The autoregressive neural spline flow: 8 bins on [-3, 3] by default.
	td, err := flows.Build(flows.Spec{Kind: "nsf", EventSize: 2, Layers: 2, Hidden: []int{16}, Init: "torch-uniform"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(td.Bijector)
	fmt.Println(flows.DefaultSplineBins, flows.DefaultSplineBound)
	// Output:
	// Chain([MaskedAutoregressiveSpline(D=2, hidden=[16], bins=8, bound=3), Permute([1 0]), MaskedAutoregressiveSpline(D=2, hidden=[16], bins=8, bound=3)])
	// 8 3
}

func ExampleBuild_realnvp() {
	// Four affine coupling layers; each passes half the units through
	// (DefaultMaskedFraction) and a reversal alternates which half.
	td, err := flows.Build(flows.Spec{Kind: "realnvp", EventSize: 2, Layers: 4, Hidden: []int{16, 16}, Init: "torch-uniform", Seed: 1})
	if err != nil {
		log.Fatal(err)
	}
	x, _, err := data.MakeMoons(256, 0.05, 1)
	if err != nil {
		log.Fatal(err)
	}
	x, _ = data.Cast(x, tensor.Float32)
	before, _ := train.MeanNLL(td, x)
	if _, err := train.Fit(td, x, train.Config{Epochs: 5, BatchSize: 32, LearningRate: 3e-3}); err != nil {
		log.Fatal(err)
	}
	after, _ := train.MeanNLL(td, x)
	fmt.Println("fraction passed through:", flows.DefaultMaskedFraction)
	fmt.Println("NLL fell:", after < before)
	// Output:
	// fraction passed through: 0.5
	// NLL fell: true
}

func ExampleBuild_nsfCoupling() {
	// Spline coupling layers on D = 3 passing the last unit through.
	td, err := flows.Build(flows.Spec{Kind: "nsf-coupling", EventSize: 3, Layers: 1, Hidden: []int{8}, Bins: 4, Bound: 2, MaskedFrac: -0.34})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(td.Bijector)
	// Output: Chain([NeuralSplineCoupling(D=3, num_masked=-1, hidden=[8], bins=4, bound=2)])
}
