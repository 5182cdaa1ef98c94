package bijectors_test

import (
	"fmt"
	"log"

	"github.com/nflowgo/nflow/bijectors"
	"gorgonia.org/tensor"
)

func ExampleActNorm() {
	a, err := bijectors.NewActNorm(2, tensor.Float64)
	if err != nil {
		log.Fatal(err)
	}
	// Data with column means (2, -1) and standard deviations (1, 3).
	y := tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float64{1, -4, 3, 2}))
	fmt.Println(a, "initialised:", a.Initialized())
	if err := a.InitFromData(y); err != nil { // what train.Fit does with the first batch
		log.Fatal(err)
	}
	x, ildj, err := bijectors.InverseAndLogDet(a, y)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("initialised:", a.Initialized())
	fmt.Printf("shift %.4f, log_scale %.4f\n", a.Shift.Value.Data(), a.LogScale.Value.Data())
	fmt.Printf("inverse %.4f, ILDJ %.4f (-log 3)\n", x.Data(), ildj.Data())
	// Output:
	// ActNorm(D=2) initialised: false
	// initialised: true
	// shift [2.0000 -1.0000], log_scale [0.0000 1.0986]
	// inverse [-1.0000 -1.0000 1.0000 1.0000], ILDJ [-1.0986 -1.0986] (-log 3)
}

func ExampleNewActNorm() {
	_, err := bijectors.NewActNorm(0, tensor.Float32)
	fmt.Println(err)
	// Output:
	// ActNorm: event size 0, expected >= 1
}
