package engine

import (
	"fmt"
	"strings"

	"github.com/nflowgo/nflow/ops"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Device runs compiled graphs. CPU is the default; the CUDA device is
// added by the gpu build tag.
type Device interface {
	// Name is the device's name, as in -device=NAME.
	Name() string
	// Supports returns nil if the device has a kernel for op, or an error
	// naming the op.
	Supports(op gorgonia.Op) error
}

// CPU is the pure-Go device: every flow op's Exec32/Exec64, plus
// Gorgonia's elementwise + and - that gradient accumulation inserts.
var CPU Device = cpuDevice{}

type cpuDevice struct{}

func (cpuDevice) Name() string { return "cpu" }

func (cpuDevice) Supports(op gorgonia.Op) error {
	_, err := CPUKernel(op)
	return err
}

// CPUKernel returns the CPU kernel of op: a flow op is its own kernel;
// Gorgonia's elementwise + and - have built-in ones.
func CPUKernel(op gorgonia.Op) (ops.Kernel, error) {
	if k, ok := op.(ops.Kernel); ok {
		return k, nil
	}
	if k := builtinKernel(op); k != nil {
		return k, nil
	}
	return nil, fmt.Errorf("engine: op %v (%T) has no kernel on the cpu device", op, op)
}

// builtinKernel returns a kernel for Gorgonia's elementwise + and - on
// equal shapes, or nil.
func builtinKernel(op gorgonia.Op) ops.Kernel {
	if fmt.Sprintf("%T", op) != "gorgonia.elemBinOp" {
		return nil
	}
	switch s := op.String(); {
	case strings.HasPrefix(s, "+ "):
		return addKernel{sign: 1}
	case strings.HasPrefix(s, "- "):
		return addKernel{sign: -1}
	}
	return nil
}

// addKernel is out = a + sign·b elementwise.
type addKernel struct{ sign float64 }

func (k addKernel) Exec32(out []float32, ins [][]float32, _ []tensor.Shape) {
	addSigned(out, ins[0], ins[1], k.sign > 0)
}

func (k addKernel) Exec64(out []float64, ins [][]float64, _ []tensor.Shape) {
	addSigned(out, ins[0], ins[1], k.sign > 0)
}

func addSigned[T float32 | float64](out, a, b []T, plus bool) {
	a, b = a[:len(out)], b[:len(out)]
	if plus {
		for i := range out {
			out[i] = a[i] + b[i]
		}
		return
	}
	for i := range out {
		out[i] = a[i] - b[i]
	}
}
