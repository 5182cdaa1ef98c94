package gemm_test

import (
	"fmt"

	"github.com/nflowgo/nflow/kernels/cpu/gemm"
)

// A dense layer y = x·W and its two gradients, for a batch of 2 rows with
// 3 inputs and 2 outputs.
func Example() {
	x := []float32{ // [2, 3]
		1, 2, 3,
		4, 5, 6,
	}
	w := []float32{ // [3, 2]
		1, 0,
		0, 1,
		1, 1,
	}
	y := make([]float32, 2*2)
	gemm.Sgemm(false, false, 2, 2, 3, 1, x, 3, w, 2, 0, y, 2)
	fmt.Println("y = x·W:", y)

	gy := []float32{1, 0, 0, 1} // [2, 2]
	gx := make([]float32, 2*3)
	gemm.Sgemm(false, true, 2, 3, 2, 1, gy, 2, w, 2, 0, gx, 3)
	fmt.Println("gx = gy·Wᵀ:", gx)

	gw := make([]float32, 3*2)
	gemm.Sgemm(true, false, 3, 2, 2, 1, x, 3, gy, 2, 0, gw, 2)
	fmt.Println("gW = xᵀ·gy:", gw)
	// Output:
	// y = x·W: [4 5 10 11]
	// gx = gy·Wᵀ: [1 0 1 0 1 1]
	// gW = xᵀ·gy: [1 4 2 5 3 6]
}
