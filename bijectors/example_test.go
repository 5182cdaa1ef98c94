package bijectors_test

import (
	"fmt"
	"log"
	"math"

	"github.com/nflowgo/nflow/bijectors"
	"github.com/nflowgo/nflow/engine"
	"github.com/nflowgo/nflow/ops"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// The examples print with %.4f so that the float rounding of a platform
// does not show.

func ExampleShift() {
	b, err := bijectors.Shift([]float64{0.5, -1})
	if err != nil {
		log.Fatal(err)
	}
	x := tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float64{1, 2, 3, 4}))
	y, fldj, err := bijectors.ForwardAndLogDet(b, x)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(b)
	fmt.Printf("y = %.4f, log-det = %.4f\n", y.Data(), fldj.Data())
	// Output:
	// Shift([0.5 -1])
	// y = [1.5000 1.0000 3.5000 3.0000], log-det = [0.0000 0.0000]
}

func ExampleScale() {
	b, err := bijectors.Scale([]float64{2, 3})
	if err != nil {
		log.Fatal(err)
	}
	x := tensor.New(tensor.WithShape(1, 2), tensor.WithBacking([]float64{1, 1}))
	y, fldj, err := bijectors.ForwardAndLogDet(b, x)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(b)
	fmt.Printf("y = %.4f, log-det = %.4f (log 6)\n", y.Data(), fldj.Data())

	_, err = bijectors.Scale([]float64{1, 0})
	fmt.Println(err)
	// Output:
	// Scale([2 3])
	// y = [2.0000 3.0000], log-det = [1.7918] (log 6)
	// Scale([1 0]): entry 1 is scale 0, shift 0; expected a finite non-zero scale and a finite shift
}

func ExampleScaleFromLog() {
	b, err := bijectors.ScaleFromLog([]float64{0, math.Ln2})
	if err != nil {
		log.Fatal(err)
	}
	x := tensor.New(tensor.WithShape(1, 2), tensor.WithBacking([]float64{3, 3}))
	y, fldj, err := bijectors.ForwardAndLogDet(b, x)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("y = %.4f, log-det = %.4f\n", y.Data(), fldj.Data())
	// Output:
	// y = [3.0000 6.0000], log-det = [0.6931]
}

func ExampleScaleMatvecDiag() {
	// A diagonal matrix acts on each coordinate alone, so this is Scale.
	b, err := bijectors.ScaleMatvecDiag([]float64{2, 0.5})
	if err != nil {
		log.Fatal(err)
	}
	x := tensor.New(tensor.WithShape(1, 2), tensor.WithBacking([]float64{1, 4}))
	y, fldj, err := bijectors.ForwardAndLogDet(b, x)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(b)
	fmt.Printf("y = %.4f, log-det = %.4f\n", y.Data(), fldj.Data())
	// Output:
	// ScaleMatvecDiag([2 0.5])
	// y = [2.0000 2.0000], log-det = [0.0000]
}

func ExampleExp() {
	b := bijectors.Exp()
	x := tensor.New(tensor.WithShape(1, 2), tensor.WithBacking([]float64{0, 1}))
	y, fldj, err := bijectors.ForwardAndLogDet(b, x)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("y = %.4f, log-det = %.4f\n", y.Data(), fldj.Data()) // log-det Σ x
	// Output:
	// y = [1.0000 2.7183], log-det = [1.0000]
}

func ExampleSigmoid() {
	b := bijectors.Sigmoid()
	y := tensor.New(tensor.WithShape(1, 2), tensor.WithBacking([]float64{0.5, 0.9}))
	x, ildj, err := bijectors.InverseAndLogDet(b, y) // logit
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("x = %.4f, inverse log-det = %.4f\n", x.Data(), ildj.Data())
	// Output:
	// x = [0.0000 2.1972], inverse log-det = [3.7942]
}

func ExampleTanh() {
	b := bijectors.Tanh()
	x := tensor.New(tensor.WithShape(1, 3), tensor.WithBacking([]float64{-3, 0, 3}))
	y, err := bijectors.Forward(b, x)
	if err != nil {
		log.Fatal(err)
	}
	back, err := bijectors.Inverse(b, y) // atanh
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("y = %.4f\nx = %.4f\n", y.Data(), back.Data())
	// Output:
	// y = [-0.9951 0.0000 0.9951]
	// x = [-3.0000 0.0000 3.0000]
}

func ExampleSoftplus() {
	b := bijectors.Softplus()
	x := tensor.New(tensor.WithShape(1, 3), tensor.WithBacking([]float64{-5, 0, 5}))
	y, err := bijectors.Forward(b, x)
	if err != nil {
		log.Fatal(err)
	}
	back, err := bijectors.Inverse(b, y) // log(expm1(y))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("y = %.4f\nx = %.4f\n", y.Data(), back.Data())
	// Output:
	// y = [0.0067 0.6931 5.0067]
	// x = [-5.0000 0.0000 5.0000]
}

func ExampleChain() {
	// The lab's affine flow x = z·(1, 0.5) + (0.5, 0.25): as tfb.Chain,
	// the last bijector acts first.
	shift, err := bijectors.Shift([]float64{0.5, 0.25})
	if err != nil {
		log.Fatal(err)
	}
	scale, err := bijectors.Scale([]float64{1, 0.5})
	if err != nil {
		log.Fatal(err)
	}
	b, err := bijectors.Chain(shift, scale)
	if err != nil {
		log.Fatal(err)
	}
	z := tensor.New(tensor.WithShape(1, 2), tensor.WithBacking([]float64{1, 1}))
	x, fldj, err := bijectors.ForwardAndLogDet(b, z)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(b)
	fmt.Printf("x = %.4f, log-det = %.4f\n", x.Data(), fldj.Data())
	// Output:
	// Chain([Shift([0.5 0.25]), Scale([1 0.5])])
	// x = [1.5000 0.7500], log-det = [-0.6931]
}

func ExampleChainBijector() {
	p, err := bijectors.Permute([]int{1, 0})
	if err != nil {
		log.Fatal(err)
	}
	c, err := bijectors.Chain(bijectors.Exp(), p)
	if err != nil {
		log.Fatal(err)
	}
	// Exp fits any width; the Chain takes D from Permute.
	fmt.Println(len(c.Bijectors), c.EventSize(), len(c.Params()))

	three, err := bijectors.Shift([]float64{0, 0, 0})
	if err != nil {
		log.Fatal(err)
	}
	_, err = bijectors.Chain(p, three)
	fmt.Println(err)
	// Output:
	// 2 2 0
	// Chain: bijector 1 (Shift([0 0 0])) has event size 3, expected 2
}

func ExamplePermute() {
	b, err := bijectors.Permute([]int{2, 0, 1}) // y[i] = x[perm[i]]
	if err != nil {
		log.Fatal(err)
	}
	x := tensor.New(tensor.WithShape(1, 3), tensor.WithBacking([]float64{10, 20, 30}))
	y, err := bijectors.Forward(b, x)
	if err != nil {
		log.Fatal(err)
	}
	back, err := bijectors.Inverse(b, y)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(y.Data(), back.Data())
	// Output:
	// [30 10 20] [10 20 30]
}

func ExamplePermuteBijector() {
	b, err := bijectors.Permute([]int{1, 0})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(b, b.Permutation(), b.EventSize(), len(b.Params()))

	_, err = bijectors.Permute([]int{0, 0})
	fmt.Println(err)
	// Output:
	// Permute([1 0]) [1 0] 2 0
	// Permute: permutation [0 0]: entry 1 is 0, expected each of 0..1 exactly once
}

func ExampleInvert() {
	b := bijectors.Invert(bijectors.Exp()) // forward is log
	x := tensor.New(tensor.WithShape(1, 2), tensor.WithBacking([]float64{1, math.E}))
	y, fldj, err := bijectors.ForwardAndLogDet(b, x)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(b)
	fmt.Printf("y = %.4f, log-det = %.4f\n", y.Data(), fldj.Data())
	// Output:
	// Invert(Exp)
	// y = [0.0000 1.0000], log-det = [-1.0000]
}

func ExampleInvertBijector() {
	// Invert(MAF) is an inverse autoregressive flow (IAF): the same network
	// and parameters, with sampling and density swapped.
	net, err := bijectors.NewAutoregressiveNetwork(bijectors.MADEConfig{
		Params: 2, EventSize: 2, HiddenUnits: []int{8}, DType: tensor.Float64})
	if err != nil {
		log.Fatal(err)
	}
	maf, err := bijectors.NewMaskedAutoregressiveFlow(net, ops.ScaleSoftplus)
	if err != nil {
		log.Fatal(err)
	}
	iaf := bijectors.Invert(maf)
	x := tensor.New(tensor.WithShape(1, 2), tensor.WithBacking([]float64{0.3, -0.7}))
	a, err := bijectors.Forward(iaf, x)
	if err != nil {
		log.Fatal(err)
	}
	b, err := bijectors.Inverse(maf, x)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(iaf.B == maf, len(iaf.Params()) == len(maf.Params()))
	fmt.Printf("IAF forward == MAF inverse: %v\n", fmt.Sprintf("%.6f", a.Data()) == fmt.Sprintf("%.6f", b.Data()))
	// Output:
	// true true
	// IAF forward == MAF inverse: true
}

func ExampleBijector() {
	// Every bijector satisfies the same contract: Inverse undoes Forward,
	// and the two log-dets cancel.
	shift, _ := bijectors.Shift([]float64{1, -2})
	perm, _ := bijectors.Permute([]int{1, 0})
	chain, _ := bijectors.Chain(bijectors.Softplus(), perm, shift)
	x := tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float64{0.1, 0.2, -0.3, 0.4}))
	for _, b := range []bijectors.Bijector{shift, perm, bijectors.Tanh(), bijectors.Sigmoid(), chain} {
		y, fldj, err := bijectors.ForwardAndLogDet(b, x)
		if err != nil {
			log.Fatal(err)
		}
		back, ildj, err := bijectors.InverseAndLogDet(b, y)
		if err != nil {
			log.Fatal(err)
		}
		worst := 0.0
		for i, v := range back.Float64s() {
			worst = max(worst, math.Abs(v-x.Float64s()[i]))
		}
		for i, v := range fldj.Float64s() {
			worst = max(worst, math.Abs(v+ildj.Float64s()[i]))
		}
		fmt.Printf("%v: D=%d, round trip ok: %v\n", b, b.EventSize(), worst < 1e-9)
	}
	// Output:
	// Shift([1 -2]): D=2, round trip ok: true
	// Permute([1 0]): D=2, round trip ok: true
	// Tanh: D=0, round trip ok: true
	// Sigmoid: D=0, round trip ok: true
	// Chain([Softplus, Permute([1 0]), Shift([1 -2])]): D=2, round trip ok: true
}

func ExampleForward() {
	b, err := bijectors.Scale([]float64{2, -1})
	if err != nil {
		log.Fatal(err)
	}
	x := tensor.New(tensor.WithShape(3, 2), tensor.WithBacking([]float32{1, 2, 3, 4, 5, 6}))
	y, err := bijectors.Forward(b, x) // float32 in, float32 out
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(y.Shape(), y.Dtype(), y.Data())

	_, err = bijectors.Forward(b, tensor.New(tensor.WithShape(1, 3), tensor.WithBacking([]float32{1, 2, 3})))
	fmt.Println(err)
	// Output:
	// (3, 2) float32 [2 -2 6 -4 10 -6]
	// bijectors: input shape (1, 3), expected [N, 2] (Scale([2 -1]))
}

func ExampleInverse() {
	b := bijectors.Exp()
	y := tensor.New(tensor.WithShape(1, 3), tensor.WithBacking([]float64{1, math.E, 10}))
	x, err := bijectors.Inverse(b, y)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%.4f\n", x.Data())
	// Output:
	// [0.0000 1.0000 2.3026]
}

func ExampleForwardAndLogDet() {
	// One pass gives both the sample-direction map and its log-det.
	b := bijectors.Softplus()
	x := tensor.New(tensor.WithShape(2, 1), tensor.WithBacking([]float64{0, 2}))
	y, fldj, err := bijectors.ForwardAndLogDet(b, x)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("y = %.4f, log-det = %.4f\n", y.Data(), fldj.Data()) // log sigmoid(x)
	// Output:
	// y = [0.6931 2.1269], log-det = [-0.6931 -0.1269]
}

func ExampleInverseAndLogDet() {
	b, err := bijectors.Scale([]float64{2, 4})
	if err != nil {
		log.Fatal(err)
	}
	y := tensor.New(tensor.WithShape(1, 2), tensor.WithBacking([]float64{1, 1}))
	x, ildj, err := bijectors.InverseAndLogDet(b, y)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("x = %.4f, inverse log-det = %.4f (-log 8)\n", x.Data(), ildj.Data())
	// Output:
	// x = [0.5000 0.2500], inverse log-det = [-2.0794] (-log 8)
}

func ExampleForwardLogDetJacobian() {
	b := bijectors.Tanh()
	x := tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float64{0, 0, 1, -1}))
	fldj, err := bijectors.ForwardLogDetJacobian(b, x) // Σ_d log(1 - tanh² x_d)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%.4f\n", fldj.Data())
	// Output:
	// [0.0000 -1.7351]
}

func ExampleInverseLogDetJacobian() {
	b := bijectors.Sigmoid()
	y := tensor.New(tensor.WithShape(1, 2), tensor.WithBacking([]float64{0.5, 0.5}))
	ildj, err := bijectors.InverseLogDetJacobian(b, y) // Σ_d -log(y(1-y))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%.4f (2 log 4)\n", ildj.Data())
	// Output:
	// [2.7726] (2 log 4)
}

func ExampleNewGraph() {
	g, err := bijectors.NewGraph(tensor.Float64)
	if err != nil {
		log.Fatal(err)
	}
	x := g.Input("x", 4, 2)
	fmt.Println(x.Name(), x.Shape(), x.Dtype())

	_, err = bijectors.NewGraph(tensor.Int)
	fmt.Println(err)
	// Output:
	// x (4, 2) float64
	// dtype int, expected float32 or float64
}

func ExampleGraph() {
	// What Forward does: add the bijector to a graph, then run it.
	b, err := bijectors.Scale([]float64{2, 3})
	if err != nil {
		log.Fatal(err)
	}
	g, err := bijectors.NewGraph(tensor.Float64)
	if err != nil {
		log.Fatal(err)
	}
	x := g.Input("x", 1, 2)
	y, fldj, err := b.ForwardNode(g, x)
	if err != nil {
		log.Fatal(err)
	}
	f, err := engine.NewFunc(g.G, gorgonia.Nodes{x}, gorgonia.Nodes{y, fldj}, engine.DefaultExecutor)
	if err != nil {
		log.Fatal(err)
	}
	out, err := f.Call(tensor.New(tensor.WithShape(1, 2), tensor.WithBacking([]float64{1, 1})))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("y = %.4f, log-det = %.4f\n", out[0].Data(), out[1].Data())
	// Output:
	// y = [2.0000 3.0000], log-det = [1.7918]
}

func ExampleApply() {
	// Apply adds any Gorgonia op, such as a flow op from package ops.
	g, err := bijectors.NewGraph(tensor.Float64)
	if err != nil {
		log.Fatal(err)
	}
	x := g.Input("x", 1, 3)
	perm, err := ops.NewGather([]int{2, 1, 0})
	if err != nil {
		log.Fatal(err)
	}
	y, err := bijectors.Apply(perm, x)
	if err != nil {
		log.Fatal(err)
	}
	f, err := engine.NewFunc(g.G, gorgonia.Nodes{x}, gorgonia.Nodes{y}, engine.DefaultExecutor)
	if err != nil {
		log.Fatal(err)
	}
	out, err := f.Call(tensor.New(tensor.WithShape(1, 3), tensor.WithBacking([]float64{1, 2, 3})))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(y.Op(), out[0].Data())
	// Output:
	// Gather[2 1 0] [3 2 1]
}

func ExampleParam() {
	p := &bijectors.Param{Name: "w", Value: tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{1, 2}))}
	g, err := bijectors.NewGraph(tensor.Float64)
	if err != nil {
		log.Fatal(err)
	}
	n1, err := g.Param(p)
	if err != nil {
		log.Fatal(err)
	}
	n2, err := g.Param(p) // the same node on every use
	if err != nil {
		log.Fatal(err)
	}
	ps, nodes := g.Params()
	fmt.Println(n1 == n2, n1.Name(), len(ps), nodes[0] == n1)

	// A MAF's forward graph runs its network D = 3 times, yet reads each
	// of the network's 4 parameters (2 kernels, 2 biases) once.
	net, err := bijectors.NewAutoregressiveNetwork(bijectors.MADEConfig{Params: 2, EventSize: 3, HiddenUnits: []int{4}})
	if err != nil {
		log.Fatal(err)
	}
	maf, err := bijectors.NewMaskedAutoregressiveFlow(net, ops.ScaleSoftplus)
	if err != nil {
		log.Fatal(err)
	}
	g32, err := bijectors.NewGraph(tensor.Float32)
	if err != nil {
		log.Fatal(err)
	}
	if _, _, err := maf.ForwardNode(g32, g32.Input("x", 1, 3)); err != nil {
		log.Fatal(err)
	}
	ps, _ = g32.Params()
	var names []string
	for _, p := range ps {
		names = append(names, fmt.Sprint(p.Name, p.Value.Shape()))
	}
	fmt.Println(names)

	_, err = g32.Param(p) // p is float64
	fmt.Println(err)
	// Output:
	// true w#0 1 true
	// [made/W0(3, 4) made/b0(4) made/W1(4, 6) made/b1(6)]
	// parameter w has dtype float64, the graph is float32
}

func ExampleNewAutoregressiveNetwork() {
	// TFP's worked example: D = 3 inputs, one hidden layer of 4 units.
	net, err := bijectors.NewAutoregressiveNetwork(bijectors.MADEConfig{Params: 1, EventSize: 3, HiddenUnits: []int{4}})
	if err != nil {
		log.Fatal(err)
	}
	deg := net.Degrees()
	fmt.Println("input degrees: ", deg[0])
	fmt.Println("hidden degrees:", deg[1])
	masks, sizes := net.Masks(), net.LayerSizes()
	for l, m := range masks {
		fmt.Printf("mask %d [%d, %d]:\n", l, sizes[l], sizes[l+1])
		for r := 0; r < sizes[l]; r++ {
			fmt.Println(m[r*sizes[l+1] : (r+1)*sizes[l+1]])
		}
	}
	// Output:
	// input degrees:  [1 2 3]
	// hidden degrees: [1 1 2 2]
	// mask 0 [3, 4]:
	// [1 1 1 1]
	// [0 0 1 1]
	// [0 0 0 0]
	// mask 1 [4, 3]:
	// [0 1 1]
	// [0 1 1]
	// [0 0 1]
	// [0 0 1]
}

func ExampleAutoregressiveNetwork() {
	net, err := bijectors.NewAutoregressiveNetwork(bijectors.MADEConfig{
		Params: 2, EventSize: 3, HiddenUnits: []int{8}, Activation: ops.Tanh, DType: tensor.Float64})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("layers:", net.LayerSizes(), "values:", net.NumParams())

	// Run the network on x and on x with one feature changed, and list the
	// output columns e·Params + p that moved: parameters of feature e depend
	// only on features before it.
	g, err := bijectors.NewGraph(tensor.Float64)
	if err != nil {
		log.Fatal(err)
	}
	x := g.Input("x", 3, 3)
	h, err := net.Node(g, x)
	if err != nil {
		log.Fatal(err)
	}
	f, err := engine.NewFunc(g.G, gorgonia.Nodes{x}, gorgonia.Nodes{h}, engine.DefaultExecutor)
	if err != nil {
		log.Fatal(err)
	}
	out, err := f.Call(tensor.New(tensor.WithShape(3, 3), tensor.WithBacking([]float64{
		0.5, 0.5, 0.5,
		1.5, 0.5, 0.5, // feature 0 changed
		0.5, 0.5, 1.5, // feature 2 changed
	})))
	if err != nil {
		log.Fatal(err)
	}
	v := out[0].Float64s()
	for _, row := range []int{1, 2} {
		var moved []int
		for c := 0; c < 6; c++ {
			if math.Abs(v[row*6+c]-v[c]) > 1e-9 {
				moved = append(moved, c)
			}
		}
		fmt.Printf("row %d moved columns %v\n", row, moved)
	}
	// Output:
	// layers: [3 8 6] values: 86
	// row 1 moved columns [2 3 4 5]
	// row 2 moved columns []
}

func ExampleMADEConfig() {
	// Zero values of the optional fields give TFP's defaults.
	net, err := bijectors.NewAutoregressiveNetwork(bijectors.MADEConfig{Params: 2, EventSize: 2, HiddenUnits: []int{16, 16}})
	if err != nil {
		log.Fatal(err)
	}
	cfg := net.Config()
	fmt.Println(cfg.Activation, cfg.InputOrder, cfg.HiddenDegrees, cfg.KernelInit, cfg.DType)

	_, err = bijectors.NewAutoregressiveNetwork(bijectors.MADEConfig{EventSize: 2})
	fmt.Println(err)
	// Output:
	// identity left-to-right equal glorot-uniform float32
	// AutoregressiveNetwork: params = 0, expected >= 1
}

func ExampleInputOrder() {
	for _, cfg := range []bijectors.MADEConfig{
		{InputOrder: bijectors.LeftToRight},
		{InputOrder: bijectors.RightToLeft},
		{Order: []int{2, 4, 1, 3}},
	} {
		cfg.Params, cfg.EventSize = 1, 4
		net, err := bijectors.NewAutoregressiveNetwork(cfg)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(net.Degrees()[0])
	}
	// A random order is a seeded shuffle of 1..D.
	cfg := bijectors.MADEConfig{Params: 1, EventSize: 4, InputOrder: bijectors.RandomOrder, Seed: 7}
	a, err := bijectors.NewAutoregressiveNetwork(cfg)
	if err != nil {
		log.Fatal(err)
	}
	b, err := bijectors.NewAutoregressiveNetwork(cfg)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("same seed, same order:", fmt.Sprint(a.Degrees()[0]) == fmt.Sprint(b.Degrees()[0]))
	// Output:
	// [1 2 3 4]
	// [4 3 2 1]
	// [2 4 1 3]
	// same seed, same order: true
}

func ExampleHiddenDegrees() {
	for _, hd := range []bijectors.HiddenDegrees{bijectors.EqualDegrees, bijectors.RandomDegrees} {
		net, err := bijectors.NewAutoregressiveNetwork(bijectors.MADEConfig{
			Params: 1, EventSize: 4, HiddenUnits: []int{6}, HiddenDegrees: hd, Seed: 1})
		if err != nil {
			log.Fatal(err)
		}
		deg := net.Degrees()[1]
		inRange := true
		for _, d := range deg {
			inRange = inRange && d >= 1 && d <= 3 // within [1, D-1]
		}
		if hd == bijectors.EqualDegrees {
			fmt.Println(hd, deg)
		} else {
			fmt.Println(hd, "degrees in [1, 3]:", inRange)
		}
	}
	// Output:
	// equal [1 1 2 2 3 3]
	// random degrees in [1, 3]: true
}

func ExampleKernelInit() {
	for _, ki := range []bijectors.KernelInit{bijectors.GlorotUniform, bijectors.TorchUniform} {
		net, err := bijectors.NewAutoregressiveNetwork(bijectors.MADEConfig{
			Params: 2, EventSize: 2, HiddenUnits: []int{10}, KernelInit: ki, DType: tensor.Float64})
		if err != nil {
			log.Fatal(err)
		}
		kernels, biases := net.Weights()
		// The first kernel is [2, 10]: Glorot's bound is √(6/12), Torch's 1/√2.
		maxW := 0.0
		for _, w := range kernels[0].Value.Float64s() {
			maxW = max(maxW, math.Abs(w))
		}
		zeroBias := true
		for _, b := range biases[0].Value.Float64s() {
			zeroBias = zeroBias && b == 0
		}
		fmt.Printf("%-14v |W0| <= %.4f: %v, zero biases: %v\n", ki, math.Sqrt(0.5), maxW <= math.Sqrt(0.5), zeroBias)
	}
	// Output:
	// glorot-uniform |W0| <= 0.7071: true, zero biases: true
	// torch-uniform  |W0| <= 0.7071: true, zero biases: false
}

func ExampleMaskedAutoregressiveFlow() {
	net, err := bijectors.NewAutoregressiveNetwork(bijectors.MADEConfig{
		Params: 2, EventSize: 3, HiddenUnits: []int{16}, Activation: ops.ReLU, Seed: 3, DType: tensor.Float64})
	if err != nil {
		log.Fatal(err)
	}
	maf, err := bijectors.NewMaskedAutoregressiveFlow(net, ops.ScaleSoftplus)
	if err != nil {
		log.Fatal(err)
	}
	// Forward (sampling) takes D network passes, Inverse (density) one.
	x := tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]float64{0.1, -0.2, 0.3, 1, 2, -1}))
	y, fldj, err := bijectors.ForwardAndLogDet(maf, x)
	if err != nil {
		log.Fatal(err)
	}
	back, ildj, err := bijectors.InverseAndLogDet(maf, y)
	if err != nil {
		log.Fatal(err)
	}
	sum := make([]float64, 2)
	for i := range sum {
		sum[i] = fldj.Float64s()[i] + ildj.Float64s()[i]
	}
	fmt.Println(maf)
	fmt.Printf("x                = %.4f\n", back.Data())
	fmt.Printf("fldj(x) + ildj(y) = %.4f\n", sum)
	fmt.Println("triangular:", maf.Triangular())
	// Output:
	// MaskedAutoregressiveFlow(D=3, hidden=[16], scale=softplus)
	// x                = [0.1000 -0.2000 0.3000 1.0000 2.0000 -1.0000]
	// fldj(x) + ildj(y) = [0.0000 0.0000]
	// triangular: true
}

func ExampleNewMaskedAutoregressiveFlow() {
	net, err := bijectors.NewAutoregressiveNetwork(bijectors.MADEConfig{Params: 3, EventSize: 2, HiddenUnits: []int{4}})
	if err != nil {
		log.Fatal(err)
	}
	_, err = bijectors.NewMaskedAutoregressiveFlow(net, ops.ScaleExp)
	fmt.Println(err)
	// Output:
	// MaskedAutoregressiveFlow: network has params = 3, expected 2 (shift and log-scale)
}

func ExampleNewMAFStack() {
	// The lab's flow: 3 MAFs on [16, 16] networks with reversals between them.
	flow, err := bijectors.NewMAFStack(3, bijectors.MADEConfig{
		EventSize: 2, HiddenUnits: []int{16, 16}, Activation: ops.ReLU, Seed: 1}, ops.ScaleSoftplus)
	if err != nil {
		log.Fatal(err)
	}
	for _, b := range flow.Bijectors {
		fmt.Println(b)
	}
	fmt.Println("parameters:", len(flow.Params()))
	// Output:
	// MaskedAutoregressiveFlow(D=2, hidden=[16 16], scale=softplus)
	// Permute([1 0])
	// MaskedAutoregressiveFlow(D=2, hidden=[16 16], scale=softplus)
	// Permute([1 0])
	// MaskedAutoregressiveFlow(D=2, hidden=[16 16], scale=softplus)
	// parameters: 18
}
