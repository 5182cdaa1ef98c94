package ops_test

import (
	"fmt"
	"log"

	"github.com/nflowgo/nflow/ops"
)

// The examples use W = [[1 2] [3 4]], whose tf.linalg.lu factors (partial
// pivoting: row 1 first) are perm = [1 0] and the packed lower_upper
// [[3 4] [1/3 2/3]]: L = [[1 0] [1/3 1]], U = [[3 4] [0 2/3]], P·W = L·U.
var luExample = anMat(2, 2, 3, 4, 1.0/3, 2.0/3)

func ExampleLUMatvec() {
	fwd, err := ops.NewLUMatvec([]int{1, 0}, nil, false)
	if err != nil {
		log.Fatal(err)
	}
	inv, err := ops.NewLUMatvec([]int{1, 0}, nil, true)
	if err != nil {
		log.Fatal(err)
	}
	x := anMat(2, 2, 1, -1, 1, 0)
	y, err := fwd.Do(x, luExample, luExample) // the packed factors serve as L and U
	if err != nil {
		log.Fatal(err)
	}
	back, err := inv.Do(y, luExample, luExample)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(fwd)
	fmt.Printf("W x = %.4f\ninverse %.4f\n", y.Data(), back.Data())
	// Output:
	// LUMatvec(D=2,inverse=false)
	// W x = [-1.0000 -1.0000 1.0000 3.0000]
	// inverse [1.0000 -1.0000 1.0000 0.0000]
}

func ExampleNewLUMatvec() {
	// Glow's parametrisation: the diagonal of upper holds log|u_ii|, the
	// signs are fixed. Signs must be ±1.
	_, err := ops.NewLUMatvec([]int{1, 0}, []float64{1, 0.5}, false)
	fmt.Println(err)
	// Output:
	// ops.LUMatvec: diagonal sign 1 is 0.5, expected +1 or -1
}

func ExampleLUMatvecGrad() {
	// Forward at x = (1, -1) with cotangent g = (1, 0), so the gradients
	// are those of y₀ = l₁₀(u₀₀x₀ + u₀₁x₁) + u₁₁x₁: dx = row 0 of W, dL
	// only in the strictly lower triangle, dU only in the upper one.
	fwd, err := ops.NewLUMatvec([]int{1, 0}, nil, false)
	if err != nil {
		log.Fatal(err)
	}
	gops, grads := glowVJP(fwd, anMat(1, 2, 1, 0), anMat(1, 2, 1, -1), luExample, luExample)
	for i, g := range grads {
		fmt.Printf("%v: %.4f\n", gops[i], g.Data())
	}
	// Output:
	// LUMatvecGrad(inverse=false,wrt=0): [1.0000 2.0000]
	// LUMatvecGrad(inverse=false,wrt=1): [0.0000 0.0000 -1.0000 0.0000]
	// LUMatvecGrad(inverse=false,wrt=2): [0.3333 -0.3333 0.0000 -1.0000]
}

func ExampleLULogDet() {
	// log|det W| = log 3 + log(2/3) = log 2 for every row; raw diagonal.
	ld, err := ops.NewLULogDet(1, false).Do(anMat(2, 2, 0, 0, 0, 0), luExample)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%.4f\n", ld.Data())
	// Output:
	// [0.6931 0.6931]
}

func ExampleLULogDetGrad() {
	// d/du_ii of Σ log|u_ii| is 1/u_ii, times Σ_n g[n] = 2: (2/3, 3).
	gops, grads := glowVJP(ops.NewLULogDet(1, false), anVec(1, 1), anMat(2, 2, 0, 0, 0, 0), luExample)
	fmt.Printf("%v %v: %.4f\n", grads[0] == nil, gops[1], grads[1].Data())
	// Output:
	// true LULogDetGrad: [0.6667 0.0000 0.0000 3.0000]
}
