package ops

import (
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// KernelOp is what Do needs of an op defined outside this package: its
// kernel, its output shape and its name.
type KernelOp interface {
	Kernel
	InferShape(...gorgonia.DimSizer) (tensor.Shape, error)
	String() string
}

// Do runs k the way Gorgonia's machines expect of Op.Do: it checks that
// the inputs share one dtype, allocates the output of the inferred shape
// and calls the kernel. Ops of other packages implement Do with it.
func Do(k KernelOp, vals []gorgonia.Value) (gorgonia.Value, error) { return do(k, vals) }

// ShapesOf returns the shapes of want dim sizers, or an error naming the
// op: the first step of an op's InferShape.
func ShapesOf(name string, want int, ds []gorgonia.DimSizer) ([]tensor.Shape, error) {
	return shapesOf(name, want, ds)
}
