package engine_test

import (
	"errors"
	"fmt"
	"log"

	"github.com/nflowgo/nflow/engine"
	"github.com/nflowgo/nflow/ops"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// labGraph is y = softplus(x·(2, 3) + (1, 0)) with its log-det: three
// flow ops on an input x [4, 2].
func labGraph() (*gorgonia.ExprGraph, *gorgonia.Node, gorgonia.Nodes) {
	g := gorgonia.NewGraph()
	x := gorgonia.NewMatrix(g, tensor.Float32, gorgonia.WithShape(4, 2), gorgonia.WithName("x"))
	a := gorgonia.Must(gorgonia.ApplyOp(ops.NewConstAffine([]float64{2, 3}, []float64{1, 0}), x))
	y := gorgonia.Must(gorgonia.ApplyOp(ops.NewPointwise(ops.SoftplusFn), a))
	ldj := gorgonia.Must(gorgonia.ApplyOp(ops.NewPointwiseLDJ(ops.SoftplusFn), a))
	return g, x, gorgonia.Nodes{y, ldj}
}

func ExamplePlan() {
	g, x, outs := labGraph()
	p, err := engine.NewPlan(g, gorgonia.Nodes{x}, outs)
	if err != nil {
		log.Fatal(err)
	}
	for i, st := range p.Steps {
		fmt.Printf("step %d: %v reads %v writes %d\n", i, st.Op, st.In, st.Out)
	}
	fmt.Println("inputs", p.Inputs, "outputs", p.Outputs, "bytes", p.Bytes())
	// Output:
	// step 0: ConstAffine(D=2) reads [0] writes 1
	// step 1: Pointwise(softplus) reads [1] writes 2
	// step 2: PointwiseLDJ(softplus) reads [1] writes 3
	// inputs [0] outputs [2 3] bytes 112
}

func ExampleStep() {
	g, x, outs := labGraph()
	p, _ := engine.NewPlan(g, gorgonia.Nodes{x}, outs)
	st := p.Steps[2]
	// From names the step that produced each input (-1: a program input).
	fmt.Println(st.Op, st.Shapes, st.From, st.OutShape)
	// Output:
	// PointwiseLDJ(softplus) [(4, 2)] [0] (4)
}

func ExampleBuffer() {
	g, x, outs := labGraph()
	p, _ := engine.NewPlan(g, gorgonia.Nodes{x}, outs)
	for i, b := range p.Buffers {
		fmt.Println(i, b.Size, b.Role == engine.Input, b.Role == engine.Temp)
	}
	// Output:
	// 0 8 true false
	// 1 8 false true
	// 2 8 false true
	// 3 4 false true
}

func ExampleRole() {
	fmt.Println(engine.Temp, engine.Input, engine.Bound)
	// Output:
	// 0 1 2
}

func ExampleLowerCUDA() {
	// Lowering is pure Go: it runs (and is tested) without a GPU.
	g, x, outs := labGraph()
	p, _ := engine.NewPlan(g, gorgonia.Nodes{x}, outs)
	c, err := engine.LowerCUDA(p)
	if err != nil {
		log.Fatal(err)
	}
	for _, l := range c.Launches {
		fmt.Println(l.Kernel, l.Grid, l.Block, len(l.Args))
	}
	fmt.Println(len(c.Consts), "constant arrays")
	// Output:
	// const_affine [1 1 1] [256 1 1] 6
	// pointwise [1 1 1] [256 1 1] 7
	// pointwise [1 1 1] [64 1 1] 7
	// 2 constant arrays
}

func ExampleCUDAPlan() {
	g, x, outs := labGraph()
	p, _ := engine.NewPlan(g, gorgonia.Nodes{x}, outs)
	c, _ := engine.LowerCUDA(p)
	fmt.Println(len(c.Steps), "steps,", len(c.Launches), "launches")
	// Output:
	// 3 steps, 3 launches
}

func ExampleLaunch() {
	g, x, outs := labGraph()
	p, _ := engine.NewPlan(g, gorgonia.Nodes{x}, outs)
	c, _ := engine.LowerCUDA(p)
	l := c.Launches[0] // const_affine(x, a, b, out, count, d)
	for _, a := range l.Args {
		fmt.Print(a.Kind, " ")
	}
	fmt.Println()
	// Output:
	// 0 1 1 0 2 2
}

func ExampleArg() {
	g, x, outs := labGraph()
	p, _ := engine.NewPlan(g, gorgonia.Nodes{x}, outs)
	c, _ := engine.LowerCUDA(p)
	count := c.Launches[0].Args[4] // an integer slot
	fmt.Println(count.Kind == engine.ArgInt, count.Value)
	// Output:
	// true 8
}

func ExampleArgKind() {
	fmt.Println(engine.ArgBuffer, engine.ArgConst, engine.ArgInt, engine.ArgFloat, engine.ArgNull)
	// Output:
	// 0 1 2 3 4
}

func ExampleConstArray() {
	g, x, outs := labGraph()
	p, _ := engine.NewPlan(g, gorgonia.Nodes{x}, outs)
	c, _ := engine.LowerCUDA(p)
	fmt.Println(c.Consts[0].F32, c.Consts[1].F32) // the affine map's a and b
	// Output:
	// [2 3] [1 0]
}

func ExampleCUDAError() {
	err := error(&engine.CUDAError{Op: "cuMemAlloc", Code: 2})
	var ce *engine.CUDAError
	fmt.Println(err, errors.As(err, &ce))
	// Output:
	// cuda: cuMemAlloc failed with CUresult 2 true
}

func ExampleCaller() {
	g, x, outs := labGraph()
	var f engine.Caller
	f, err := engine.NewDeviceFunc(engine.CPU, g, gorgonia.Nodes{x}, outs)
	if err != nil {
		log.Fatal(err)
	}
	in := tensor.New(tensor.WithShape(4, 2), tensor.WithBacking(make([]float32, 8)))
	out, err := f.Call(in)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%.4f %.4f\n", out[0].Float32s()[:2], out[1].Float32s()[0])
	// Output:
	// [1.3133 0.6931] -1.0064
}

func ExampleNewDeviceTrainer() {
	// The CPU trains through train.Trainer; a device trainer needs a GPU.
	_, err := engine.NewDeviceTrainer(engine.CPU, engine.TrainSpec{})
	fmt.Println(err)
	// Output:
	// engine.NewDeviceTrainer: device cpu; the CPU trains through train.Trainer
}

func ExampleTrainSpec() {
	spec := engine.TrainSpec{Rows: 10000, Cols: 2, Batch: 32, Graphs: true}
	fmt.Println(spec.Rows/spec.Batch, "full batches and a last one of", spec.Rows%spec.Batch, "rows")
	// Output:
	// 312 full batches and a last one of 16 rows
}

func ExampleDeviceTrainer() {
	var tr engine.DeviceTrainer // what NewDeviceTrainer returns on a GPU
	fmt.Println(tr == nil)
	// Output:
	// true
}

func ExampleNonFiniteStep() {
	err := error(&engine.NonFiniteStep{Step: 4, Loss: 1e39})
	fmt.Println(err)
	// Output:
	// non-finite loss or gradient (loss 1e+39) at step 5
}

func ExampleSampler() {
	g, x, outs := labGraph()
	var s engine.Sampler
	s, err := engine.NewDeviceSampler(engine.CPU, g, x, outs)
	fmt.Println(s == nil, err)
	// Output:
	// true engine.NewDeviceSampler: device cpu; the CPU samples through dist
}
