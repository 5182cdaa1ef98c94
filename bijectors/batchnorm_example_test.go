package bijectors_test

import (
	"fmt"
	"log"

	"github.com/nflowgo/nflow/bijectors"
	"gorgonia.org/tensor"
)

func ExampleBatchNormalization() {
	bn, err := bijectors.NewBatchNormalization(2, bijectors.DefaultBatchNormMomentum, bijectors.DefaultBatchNormEpsilon, tensor.Float64)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(bn, bn.Momentum(), bn.Epsilon())
	for _, p := range bn.Params() {
		fmt.Println("trainable:", p.Name)
	}
	for _, p := range bn.State() {
		fmt.Println("state:", p.Name, p.Value.Data())
	}
	// Eager calls use the running moments (here the initial 0 and 1), so
	// the inverse is (y - 0)/√(1 + ε) and the forward undoes it exactly.
	y := tensor.New(tensor.WithShape(1, 2), tensor.WithBacking([]float64{1, -2}))
	x, ildj, err := bijectors.InverseAndLogDet(bn, y)
	if err != nil {
		log.Fatal(err)
	}
	back, err := bijectors.Forward(bn, x)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("inverse %.4f, ILDJ %.4f, forward(inverse) %.4f\n", x.Data(), ildj.Data(), back.Data())
	// Output:
	// BatchNormalization(D=2) 0.99 0.001
	// trainable: batch_normalization/log_gamma
	// trainable: batch_normalization/beta
	// state: batch_normalization/moving_mean [0 0]
	// state: batch_normalization/moving_variance [1 1]
	// inverse [0.9995 -1.9990], ILDJ [-0.0010], forward(inverse) [1.0000 -2.0000]
}

func ExampleNewBatchNormalization() {
	_, err := bijectors.NewBatchNormalization(2, 1.5, 1e-3, tensor.Float32)
	fmt.Println(err)
	// Output:
	// BatchNormalization: momentum 1.5, expected a number in [0, 1]
}
