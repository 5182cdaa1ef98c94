package ops_test

import (
	"fmt"
	"log"
	"math"

	"github.com/nflowgo/nflow/ops"
)

func ExampleBatchNorm() {
	// One column, y = (1, 3): batch mean 2, variance 1. γ = 1, β = 0.
	y := anMat(2, 1, 1, 3)
	mean, variance := anVec(0), anVec(1) // the running moments
	logGamma, beta := anVec(0), anVec(0)
	train, err := ops.NewBatchNorm(ops.BatchNormTraining, 1e-3, 0.9)
	if err != nil {
		log.Fatal(err)
	}
	x, err := train.Do(y, mean, variance, logGamma, beta)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("training: x = %.4f, running mean %.4f, variance %.4f\n", x.Data(), mean.Data(), variance.Data())

	// Inference inverts exactly with the running moments.
	inv, _ := ops.NewBatchNorm(ops.BatchNormInverse, 1e-3, 0.9)
	fwd, _ := ops.NewBatchNorm(ops.BatchNormForward, 1e-3, 0.9)
	z, err := inv.Do(y, mean, variance, logGamma, beta)
	if err != nil {
		log.Fatal(err)
	}
	back, err := fwd.Do(z, mean, variance, logGamma, beta)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("inverse: %.4f, forward(inverse): %.4f\n", z.Data(), back.Data())
	// Output:
	// training: x = [-0.9995 0.9995], running mean [0.2000], variance [1.0000]
	// inverse: [0.7996 2.7986], forward(inverse): [1.0000 3.0000]
}

func ExampleBatchNormMode() {
	for _, m := range []ops.BatchNormMode{ops.BatchNormTraining, ops.BatchNormInverse, ops.BatchNormForward} {
		fmt.Println(m)
	}
	// Output:
	// training
	// inverse
	// forward
}

func ExampleNewBatchNorm() {
	_, err := ops.NewBatchNorm(ops.BatchNormInverse, 0, 0.99)
	fmt.Println(err)
	// Output:
	// ops.BatchNorm: epsilon 0, expected a finite positive number
}

func ExampleBatchNormGrad() {
	// Inference inverse x = (y - μ)/σ·γ + β with μ = 0, σ² + ε = 4 (σ = 2),
	// γ = e, β = 0, and cotangent g = 1: dy = γ/σ, dλ = Σ γ·y/σ, dβ = N.
	op, err := ops.NewBatchNorm(ops.BatchNormInverse, 1, 0.99)
	if err != nil {
		log.Fatal(err)
	}
	gops, grads := glowVJP(op, anMat(2, 1, 1, 1), anMat(2, 1, 1, 3), anVec(0), anVec(3), anVec(1), anVec(0))
	for i, g := range grads {
		if g != nil {
			fmt.Printf("%v: %.4f\n", gops[i], g.Data())
		}
	}
	fmt.Printf("γ/σ = %.4f\n", math.E/2)
	// Output:
	// BatchNormGrad(inverse,wrt=0): [1.3591 1.3591]
	// BatchNormGrad(inverse,wrt=3): [5.4366]
	// BatchNormGrad(inverse,wrt=4): [2.0000]
	// γ/σ = 1.3591
}

func ExampleBatchNormLogDet() {
	// ILDJ = Σ λ - ½ Σ log(v + ε): with the running variance 3 and ε = 1,
	// λ = 0: -log 2 for every row. In training, the batch variance of (1, 3)
	// is 1: -½ log 2.
	y := anMat(2, 1, 1, 3)
	inf, err := ops.NewBatchNormLogDet(false, 1, 1)
	if err != nil {
		log.Fatal(err)
	}
	tr, err := ops.NewBatchNormLogDet(true, 1, 1)
	if err != nil {
		log.Fatal(err)
	}
	a, err := inf.Do(y, anVec(3), anVec(0))
	if err != nil {
		log.Fatal(err)
	}
	b, err := tr.Do(y, anVec(3), anVec(0))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("inference %.4f, training %.4f\n", a.Data(), b.Data())
	// Output:
	// inference [-0.6931 -0.6931], training [-0.3466 -0.3466]
}

func ExampleBatchNormLogDetGrad() {
	// In training the log-det depends on y through the batch variance:
	// d/dy[n] = -Σg·(y[n]-μ)/(N·(v+ε)) = -2·(∓1)/(2·2) = ±0.5. dλ = Σ g.
	tr, err := ops.NewBatchNormLogDet(true, 1, 1)
	if err != nil {
		log.Fatal(err)
	}
	gops, grads := glowVJP(tr, anVec(1, 1), anMat(2, 1, 1, 3), anVec(3), anVec(0))
	for i, g := range grads {
		if g != nil {
			fmt.Printf("%v: %.4f\n", gops[i], g.Data())
		}
	}
	// Output:
	// BatchNormLogDetGrad(wrt=0): [0.5000 -0.5000]
	// BatchNormLogDetGrad(wrt=2): [2.0000]
}
