package bijectors_test

import (
	"fmt"
	"log"
	"math/rand/v2"

	"github.com/nflowgo/nflow/bijectors"
	"gorgonia.org/tensor"
)

func ExampleScaleMatvecLU() {
	// W = [[1 2] [3 4]] from its tf.linalg.lu factors: P·W = L·U with
	// perm = [1 0], L = [[1 0] [1/3 1]], U = [[3 4] [0 2/3]].
	b, err := bijectors.NewScaleMatvecLU([]float64{3, 4, 1.0 / 3, 2.0 / 3}, []int{1, 0}, false, tensor.Float64)
	if err != nil {
		log.Fatal(err)
	}
	x := tensor.New(tensor.WithShape(1, 2), tensor.WithBacking([]float64{1, -1}))
	y, fldj, err := bijectors.ForwardAndLogDet(b, x)
	if err != nil {
		log.Fatal(err)
	}
	back, err := bijectors.Inverse(b, y)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(b)
	fmt.Printf("W = %.4f\n", b.Matrix())
	fmt.Printf("W x = %.4f, log|det W| = %.4f, inverse %.4f\n", y.Data(), fldj.Data(), back.Data())
	// Output:
	// ScaleMatvecLU(D=2)
	// W = [1.0000 2.0000 3.0000 4.0000]
	// W x = [-1.0000 -1.0000], log|det W| = [0.6931], inverse [1.0000 -1.0000]
}

func ExampleNewScaleMatvecLU() {
	// Glow's parametrisation: the trainable diagonal is log|u_ii|, the
	// signs are fixed; LowerUpper gives TFP's packed factors back.
	b, err := bijectors.NewScaleMatvecLU([]float64{-2, 1, 0.5, 4}, []int{0, 1}, true, tensor.Float64)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(b, b.DiagSigns())
	fmt.Printf("parameter %.4f\nlower_upper %.4f\n", b.LU.Value.Data(), b.LowerUpper())

	_, err = bijectors.NewScaleMatvecLU([]float64{1, 0, 0, 0}, []int{0, 1}, true, tensor.Float64)
	fmt.Println(err)
	// Output:
	// ScaleMatvecLU(D=2, log_diag) [-1 1]
	// parameter [0.6931 1.0000 0.5000 1.3863]
	// lower_upper [-2.0000 1.0000 0.5000 4.0000]
	// ScaleMatvecLU: lower_upper[1, 1] = 0, expected a non-zero diagonal (U invertible)
}

func ExampleRandomOrthogonalLU() {
	lu, perm, err := bijectors.RandomOrthogonalLU(3, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		log.Fatal(err)
	}
	b, err := bijectors.NewScaleMatvecLU(lu, perm, true, tensor.Float64)
	if err != nil {
		log.Fatal(err)
	}
	// A rotation (or reflection): log|det| = 0.
	ldj, err := bijectors.ForwardLogDetJacobian(b, tensor.New(tensor.WithShape(1, 3), tensor.WithBacking([]float64{1, 2, 3})))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d factors, %d-permutation, log|det| = %.4f\n", len(lu), len(perm), ldj.Data())
	// Output:
	// 9 factors, 3-permutation, log|det| = [0.0000]
}
