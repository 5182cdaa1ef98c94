package ops_test

import (
	"fmt"
	"log"

	"github.com/nflowgo/nflow/ops"
	"gorgonia.org/tensor"
)

func ExampleDenseAdd() {
	// A conditional layer: a = c V + b is the context projection plus the
	// bias, one row per row of x, computed by a plain Dense op.
	proj, err := ops.NewDense(1, 2, nil, ops.Identity)
	if err != nil {
		log.Fatal(err)
	}
	c := tensor.New(tensor.WithShape(2, 1), tensor.WithBacking([]float64{0, 1})) // contexts of the two rows
	v := tensor.New(tensor.WithShape(1, 2), tensor.WithBacking([]float64{10, -10}))
	b := tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{0.5, 0.5}))
	a, err := proj.Do(c, v, b)
	if err != nil {
		log.Fatal(err)
	}

	// y = relu(x (W∘M) + a): output 0 sees only input 0.
	op, err := ops.NewDenseAdd(2, 2, []float64{
		1, 1,
		0, 1,
	}, ops.ReLU)
	if err != nil {
		log.Fatal(err)
	}
	x := tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float64{1, 1, 1, 1}))
	w := tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float64{1, 2, 3, 4}))
	y, err := op.Do(x, w, a)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(op, y.Shape())
	fmt.Printf("%.4f\n", y.Data())
	// Output:
	// DenseAdd2x2,relu (2, 2)
	// [1.5000 6.5000 11.5000 0.0000]
}

func ExampleNewDenseAdd() {
	_, err := ops.NewDenseAdd(2, 3, []float64{1, 0, 1}, ops.Identity)
	fmt.Println(err)
	// Output:
	// ops.DenseAdd: ops.Dense: mask has 3 entries, expected 6 (2 x 3)
}
