package flows_test

import (
	"fmt"
	"log"
	"math/rand/v2"

	"github.com/nflowgo/nflow/flows"
	"gorgonia.org/tensor"
)

func ExampleSpec_contextSize() {
	// A MAF conditioned on a context of size 2 (say, a one-hot label).
	td, err := flows.Build(flows.Spec{Kind: "maf", EventSize: 2, Layers: 2, Hidden: []int{16}, ContextSize: 2, Seed: 1})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("context size:", td.ContextSize())
	label1 := tensor.New(tensor.WithShape(1, 2), tensor.WithBacking([]float32{0, 1}))
	x, err := td.SampleGiven(4, label1, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		log.Fatal(err)
	}
	lp, err := td.LogProbGiven(x, label1)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(x.Shape(), lp.Shape())
	// Output:
	// context size: 2
	// (4, 2) (4)
}
