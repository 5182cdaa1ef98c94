package engine_test

import (
	"fmt"
	"log"
	"math"

	"github.com/nflowgo/nflow/engine"
	"github.com/nflowgo/nflow/ops"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

func ExampleFunc() {
	// A graph of flow ops: y = x·(2, 3) and its log-det log 6 per row.
	g := gorgonia.NewGraph()
	x := gorgonia.NewMatrix(g, tensor.Float64, gorgonia.WithShape(2, 2), gorgonia.WithName("x"))
	y := gorgonia.Must(gorgonia.ApplyOp(ops.NewConstAffine([]float64{2, 3}, nil), x))
	ldj := gorgonia.Must(gorgonia.ApplyOp(ops.NewConstRows(math.Log(6)), x))
	f, err := engine.NewFunc(g, gorgonia.Nodes{x}, gorgonia.Nodes{y, ldj}, engine.Compiled)
	if err != nil {
		log.Fatal(err)
	}

	// A Func is built once and called many times.
	for _, v := range [][]float64{{1, 1, 2, 2}, {-1, 0.5, 0, 10}} {
		out, err := f.Call(tensor.New(tensor.WithShape(2, 2), tensor.WithBacking(v)))
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("y = %.4f, ldj = %.4f\n", out[0].Data(), out[1].Data())
	}

	// Inputs must have the node's shape and dtype.
	_, err = f.Call(tensor.New(tensor.WithShape(1, 2), tensor.WithBacking([]float64{1, 2})))
	fmt.Println(err)
	// Output:
	// y = [2.0000 3.0000 4.0000 6.0000], ldj = [1.7918 1.7918]
	// y = [-2.0000 1.5000 0.0000 30.0000], ldj = [1.7918 1.7918]
	// engine: input 0 is float64 (1, 2), expected float64 (2, 2)
}

func ExampleNewFunc() {
	g := gorgonia.NewGraph()
	x := gorgonia.NewMatrix(g, tensor.Float32, gorgonia.WithShape(1, 1), gorgonia.WithName("x"))
	_, err := engine.NewFunc(g, gorgonia.Nodes{x}, nil, engine.DefaultExecutor)
	fmt.Println(err)
	// Output:
	// engine.NewFunc: no outputs
}

func ExampleExecutor() {
	// x∘x is a Gorgonia op with no flow-op kernel: the TapeMachine runs it,
	// the compiler refuses it.
	g := gorgonia.NewGraph()
	x := gorgonia.NewMatrix(g, tensor.Float64, gorgonia.WithShape(1, 3), gorgonia.WithName("x"))
	sq := gorgonia.Must(gorgonia.HadamardProd(x, x))

	tape, err := engine.NewFunc(g, gorgonia.Nodes{x}, gorgonia.Nodes{sq}, engine.Tape)
	if err != nil {
		log.Fatal(err)
	}
	out, err := tape.Call(tensor.New(tensor.WithShape(1, 3), tensor.WithBacking([]float64{1, 2, 3})))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(engine.Tape, out[0].Data())

	_, err = engine.NewFunc(g, gorgonia.Nodes{x}, gorgonia.Nodes{sq}, engine.Compiled)
	fmt.Println(engine.Compiled, err != nil)
	// Output:
	// tape [1 4 9]
	// compiled true
}

func ExampleCache() {
	var cache engine.Cache // the zero value is ready to use
	builds := 0
	// double builds y = 2x for the input shape the key names.
	double := func(k engine.Key) func() (*engine.Func, error) {
		return func() (*engine.Func, error) {
			builds++
			g := gorgonia.NewGraph()
			x := gorgonia.NewMatrix(g, k.DType, gorgonia.WithShape(k.Rows, k.Cols), gorgonia.WithName("x"))
			y := gorgonia.Must(gorgonia.ApplyOp(ops.NewConstAffine([]float64{2, 2, 2}, nil), x))
			return engine.NewFunc(g, gorgonia.Nodes{x}, gorgonia.Nodes{y}, engine.DefaultExecutor)
		}
	}

	k := engine.Key{Owner: "double", Kind: "forward", Rows: 1, Cols: 3, DType: tensor.Float64}
	f1, err := cache.Get(k, double(k))
	if err != nil {
		log.Fatal(err)
	}
	f2, err := cache.Get(k, double(k)) // same key: no new build
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("same Func:", f1 == f2, "builds:", builds)

	k.Rows = 2 // a new batch size is a new graph
	f3, err := cache.Get(k, double(k))
	if err != nil {
		log.Fatal(err)
	}
	out, err := f3.Call(tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]float64{1, 2, 3, 4, 5, 6})))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("builds:", builds, out[0].Data())
	// Output:
	// same Func: true builds: 1
	// builds: 2 [2 4 6 8 10 12]
}

func ExampleKey() {
	// Keys compare by value; a pointer Owner compares by identity, so two
	// bijectors with equal settings still get their own Funcs.
	type bijector struct{ scale float64 }
	a, b := &bijector{2}, &bijector{2}
	k := engine.Key{Owner: a, Kind: "inverse", Rows: 32, Cols: 2, DType: tensor.Float32}

	fmt.Println(k == engine.Key{Owner: a, Kind: "inverse", Rows: 32, Cols: 2, DType: tensor.Float32})
	fmt.Println(k == engine.Key{Owner: b, Kind: "inverse", Rows: 32, Cols: 2, DType: tensor.Float32})
	fmt.Println(k == engine.Key{Owner: a, Kind: "inverse", Rows: 32, Cols: 2, DType: tensor.Float64})
	// Output:
	// true
	// false
	// false
}

func ExampleDevice() {
	dev := engine.CPU
	fmt.Println(dev.Name())

	// A flow op is its own CPU kernel.
	op := ops.NewConstAffine([]float64{2}, []float64{1})
	fmt.Println(dev.Supports(op) == nil)
	k, err := engine.CPUKernel(op)
	if err != nil {
		log.Fatal(err)
	}
	out := make([]float64, 3)
	k.Exec64(out, [][]float64{{0, 1, 2}}, []tensor.Shape{{3, 1}})
	fmt.Println(out)

	// Other Gorgonia ops have none (except the + and - of gradient sums).
	g := gorgonia.NewGraph()
	x := gorgonia.NewMatrix(g, tensor.Float64, gorgonia.WithShape(1, 1), gorgonia.WithName("x"))
	err = dev.Supports(gorgonia.Must(gorgonia.HadamardProd(x, x)).Op())
	fmt.Println(err != nil)
	// Output:
	// cpu
	// true
	// [1 3 5]
	// true
}

func ExampleDeviceByName() {
	// "cuda" is a device only in a binary built with the gpu tag; otherwise
	// its error wraps ErrNoGPUSupport.
	dev, err := engine.DeviceByName("cpu")
	fmt.Println(dev.Name(), err)
	_, err = engine.DeviceByName("tpu")
	fmt.Println(err)
	// Output:
	// cpu <nil>
	// device "tpu": unknown device, expected cpu or cuda
}

func ExampleCompile() {
	// y = x W + b with W and b bound to values: parameters, read in place.
	g := gorgonia.NewGraph()
	x := gorgonia.NewMatrix(g, tensor.Float32, gorgonia.WithShape(2, 2), gorgonia.WithName("x"))
	wv := tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float32{1, 0, 0, 1}))
	w := gorgonia.NodeFromAny(g, wv, gorgonia.WithName("W"))
	b := gorgonia.NodeFromAny(g, tensor.New(tensor.WithShape(2), tensor.WithBacking([]float32{0.5, -0.5})), gorgonia.WithName("b"))
	dense, err := ops.NewDense(2, 2, nil, ops.Identity)
	if err != nil {
		log.Fatal(err)
	}
	y := gorgonia.Must(gorgonia.ApplyOp(dense, x, w, b))
	loss := gorgonia.Must(gorgonia.ApplyOp(ops.NewNegMean(), gorgonia.Must(gorgonia.ApplyOp(ops.NewConstRows(1), y))))

	p, err := engine.Compile(g, gorgonia.Nodes{x}, gorgonia.Nodes{y, loss}, engine.CPU)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("kernel calls per Run:", p.NumSteps())

	copy(p.Input(0).Float32s(), []float32{1, 2, 3, 4})
	p.Run()
	fmt.Println(p.Output(0).Data(), p.Output(1).Shape(), p.Output(1).Data())

	// Updating a parameter tensor in place is seen by the next Run.
	wv.Float32s()[0] = 10
	p.Run()
	fmt.Println(p.Output(0).Data())
	// Output:
	// kernel calls per Run: 3
	// [1.5 1.5 3.5 3.5] (1) [-1]
	// [10.5 1.5 30.5 3.5]
}

func ExampleProgram() {
	g := gorgonia.NewGraph()
	x := gorgonia.NewMatrix(g, tensor.Float64, gorgonia.WithShape(4, 2), gorgonia.WithName("x"))
	nlp, err := ops.NewNormalLogProb([]float64{0, 0}, []float64{1, 1})
	if err != nil {
		log.Fatal(err)
	}
	lp := gorgonia.Must(gorgonia.ApplyOp(nlp, x))
	loss := gorgonia.Must(gorgonia.ApplyOp(ops.NewNegMean(), lp))
	p, err := engine.Compile(g, gorgonia.Nodes{x}, gorgonia.Nodes{loss}, nil) // nil: CPU
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("steps:", p.NumSteps(), "buffers:", p.NumBuffers(), "bytes:", p.Bytes())

	copy(p.Input(0).Float64s(), []float64{0, 0, 0, 0, 1, 1, 1, 1})
	p.Run() // no allocation: every buffer was planned at compile time
	fmt.Printf("mean NLL = %.4f\n", p.Output(0).Float64s()[0])
	// Output:
	// steps: 2 buffers: 3 bytes: 104
	// mean NLL = 2.3379
}

func ExampleAdam() {
	// Minimise (θ - 3)² from θ = 0 with lr 0.1.
	theta := tensor.New(tensor.WithShape(1), tensor.WithBacking([]float64{0}))
	opt, err := engine.NewAdam([]*tensor.Dense{theta}, 0.1, 0, 0, 0) // zeros: Keras's β1, β2, ε
	if err != nil {
		log.Fatal(err)
	}
	grad := [][]float64{{0}}
	for i := 0; i < 500; i++ {
		grad[0][0] = 2 * (theta.Float64s()[0] - 3)
		opt.Step64(grad)
		if i == 0 {
			// Adam's first step is lr in the direction of -sign(g), whatever |g|.
			fmt.Printf("after 1 step: θ = %.4f\n", theta.Float64s()[0])
		}
	}
	fmt.Printf("after %d steps: θ = %.2f (β1 = %v, β2 = %v)\n", opt.Steps(), theta.Float64s()[0], opt.Beta1, opt.Beta2)
	// Output:
	// after 1 step: θ = 0.1000
	// after 500 steps: θ = 3.00 (β1 = 0.9, β2 = 0.999)
}
