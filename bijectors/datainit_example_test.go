package bijectors_test

import (
	"fmt"
	"log"

	"github.com/nflowgo/nflow/bijectors"
	"gorgonia.org/tensor"
)

func ExampleDataInitializer() {
	an, err := bijectors.NewActNorm(2, tensor.Float64)
	if err != nil {
		log.Fatal(err)
	}
	var di bijectors.DataInitializer = an
	chain, _ := bijectors.Chain(an)
	fmt.Println(di.Initialized(), bijectors.NeedsDataInit(chain))

	// A batch with column means (2, -1): after InitFromData, the inverse
	// (density) direction standardises it.
	y := tensor.New(tensor.WithShape(4, 2), tensor.WithBacking([]float64{1, -2, 3, 0, 1, -2, 3, 0}))
	if err := bijectors.InitFromData(chain, y); err != nil {
		log.Fatal(err)
	}
	x, _ := bijectors.Inverse(chain, y)
	fmt.Println(di.Initialized(), bijectors.NeedsDataInit(chain))
	fmt.Printf("%.3f\n", x.Float64s()[:2])
	// Output:
	// false true
	// true false
	// [-1.000 -1.000]
}

func ExampleNewTensor() {
	t := bijectors.NewTensor(tensor.Float32, []float64{1, 2, 3, 4, 5, 6}, 2, 3)
	fmt.Println(t.Dtype(), t.Shape(), t.Float32s())
	// Output:
	// float32 (2, 3) [1 2 3 4 5 6]
}
