package bijectors_test

import (
	"fmt"
	"log"
	"math"

	"github.com/nflowgo/nflow/bijectors"
	"github.com/nflowgo/nflow/ops"
	"gorgonia.org/tensor"
)

func ExampleRationalQuadraticSpline() {
	// One unit, 2 bins on [-1, 1]: equal widths, heights 3:1, interior slope 1.
	s, err := bijectors.NewRationalQuadraticSpline(2, 1, [][]float64{{0, 0, math.Log(3), 0, 0}}, tensor.Float64)
	if err != nil {
		log.Fatal(err)
	}
	x := tensor.New(tensor.WithShape(3, 1), tensor.WithBacking([]float64{-2, 0, 0.5}))
	y, fldj, err := bijectors.ForwardAndLogDet(s, x)
	if err != nil {
		log.Fatal(err)
	}
	x2, ildj, err := bijectors.InverseAndLogDet(s, y)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(s)
	fmt.Printf("y = %.4f, FLDJ = %.4f\n", y.Data(), fldj.Data())
	fmt.Printf("x = %.4f, ILDJ = %.4f\n", x2.Data(), ildj.Data())
	// Output:
	// RationalQuadraticSpline(D=1, bins=2, bound=1)
	// y = [-2.0000 0.4990 0.7495], FLDJ = [0.0000 0.0000 -1.0953]
	// x = [-2.0000 0.0000 0.5000], ILDJ = [0.0000 0.0000 1.0953]
}

func ExampleNewRationalQuadraticSpline() {
	_, err := bijectors.NewRationalQuadraticSpline(4, 3, [][]float64{make([]float64, 10)}, tensor.Float32)
	fmt.Println(err)
	s, _ := bijectors.NewRationalQuadraticSpline(4, 3, [][]float64{make([]float64, 11), make([]float64, 11)}, tensor.Float32)
	fmt.Println(s.EventSize(), s.Params()[0].Value.Shape())
	// Output:
	// RationalQuadraticSpline: parameter row 0 has 10 values, expected 11 (3K-1 for K = 4)
	// 2 (1, 22)
}

func ExampleMaskedAutoregressiveSpline() {
	net, err := bijectors.NewAutoregressiveNetwork(bijectors.MADEConfig{
		Params: ops.SplineParams(8), EventSize: 2, HiddenUnits: []int{16}, Activation: ops.ReLU, Seed: 1, DType: tensor.Float64})
	if err != nil {
		log.Fatal(err)
	}
	m, err := bijectors.NewMaskedAutoregressiveSpline(net, 8, 3)
	if err != nil {
		log.Fatal(err)
	}
	x := tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float64{0.5, -1, 4, 0}))
	y, fldj, err := bijectors.ForwardAndLogDet(m, x) // D = 2 network passes
	if err != nil {
		log.Fatal(err)
	}
	x2, ildj, err := bijectors.InverseAndLogDet(m, y) // one pass
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(m)
	fmt.Println("round trip:", maxAbsDiff(x2.Float64s(), x.Float64s()) < 1e-9)
	fmt.Println("FLDJ = -ILDJ(f(x)):", maxAbsDiff(fldj.Float64s(), negated(ildj.Float64s())) < 1e-9)
	// Output:
	// MaskedAutoregressiveSpline(D=2, hidden=[16], bins=8, bound=3)
	// round trip: true
	// FLDJ = -ILDJ(f(x)): true
}

func maxAbsDiff(a, b []float64) float64 {
	m := 0.0
	for i := range a {
		m = math.Max(m, math.Abs(a[i]-b[i]))
	}
	return m
}

func negated(a []float64) []float64 {
	out := make([]float64, len(a))
	for i, v := range a {
		out[i] = -v
	}
	return out
}

func ExampleNewMaskedAutoregressiveSpline() {
	net, _ := bijectors.NewAutoregressiveNetwork(bijectors.MADEConfig{Params: 2, EventSize: 2})
	_, err := bijectors.NewMaskedAutoregressiveSpline(net, 8, 3)
	fmt.Println(err)
	// Output: MaskedAutoregressiveSpline: network has params = 2, expected 23 (3K-1 for K = 8)
}

func ExampleCouplingNetworkConfig() {
	// The conditioner of an affine coupling layer on D = 5 that passes 2
	// units through: 2 inputs, 3·2 outputs (shift and scale of 3 units).
	cfg := bijectors.CouplingNetworkConfig{InputSize: 2, OutputSize: 3, Params: 2, HiddenUnits: []int{32, 32}, Activation: ops.ReLU}
	net, err := bijectors.NewCouplingNetwork(cfg)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(net.LayerSizes(), net.Config().KernelInit, net.Config().DType)
	// Output: [2 32 32 6] glorot-uniform float32
}

func ExampleCouplingNetwork() {
	// A conditional conditioner reads a context of 3 columns at every layer.
	net, err := bijectors.NewCouplingNetwork(bijectors.CouplingNetworkConfig{
		InputSize: 1, OutputSize: 1, Params: 2, HiddenUnits: []int{4}, ContextSize: 3})
	if err != nil {
		log.Fatal(err)
	}
	for _, p := range net.Params() {
		fmt.Println(p.Name, p.Value.Shape())
	}
	fmt.Println(net.ContextSize())
	// Output:
	// coupling/W0 (4, 4)
	// coupling/b0 (4)
	// coupling/W1 (7, 2)
	// coupling/b1 (2)
	// 3
}

func ExampleNewCouplingNetwork() {
	_, err := bijectors.NewCouplingNetwork(bijectors.CouplingNetworkConfig{InputSize: 1, OutputSize: 0, Params: 2})
	fmt.Println(err)
	// Output: CouplingNetwork: output size = 0, expected >= 1
}

func ExampleNumMaskedFromFraction() {
	for _, f := range []float64{0.5, -0.5, 0.3} {
		m, err := bijectors.NumMaskedFromFraction(5, f)
		fmt.Println(m, err)
	}
	_, err := bijectors.NumMaskedFromFraction(2, 0.1)
	fmt.Println(err)
	// Output:
	// 3 <nil>
	// -3 <nil>
	// 2 <nil>
	// coupling: fraction masked 0.1 of 2 units masks 0, expected 1..1 units
}

func ExampleRealNVP() {
	net, err := bijectors.NewCouplingNetwork(bijectors.CouplingNetworkConfig{
		InputSize: 1, OutputSize: 2, Params: 2, HiddenUnits: []int{8}, Activation: ops.ReLU, DType: tensor.Float64})
	if err != nil {
		log.Fatal(err)
	}
	r, err := bijectors.NewRealNVP(1, net, ops.ScaleExp)
	if err != nil {
		log.Fatal(err)
	}
	// The untrained layer is the identity: the network's output layer is zero.
	x := tensor.New(tensor.WithShape(1, 3), tensor.WithBacking([]float64{1, 2, 3}))
	y, fldj, err := bijectors.ForwardAndLogDet(r, x)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(r)
	fmt.Printf("y = %.4f, FLDJ = %.4f, triangular %v\n", y.Data(), fldj.Data(), r.Triangular())
	// Output:
	// RealNVP(D=3, num_masked=1, hidden=[8], scale=exp)
	// y = [1.0000 2.0000 3.0000], FLDJ = [0.0000], triangular true
}

func ExampleNewRealNVP() {
	net, _ := bijectors.NewCouplingNetwork(bijectors.CouplingNetworkConfig{InputSize: 1, OutputSize: 2, Params: 2})
	_, err := bijectors.NewRealNVP(2, net, ops.ScaleSoftplus)
	fmt.Println(err)
	// The last unit passes through instead of the first.
	r, _ := bijectors.NewRealNVP(-1, net, ops.ScaleSoftplus)
	fmt.Println(r.NumMasked(), r.EventSize(), r.Triangular())
	// Output:
	// RealNVP: num_masked = 2, expected ±1 (the network's input size)
	// -1 3 false
}

func ExampleNeuralSplineCoupling() {
	net, err := bijectors.NewCouplingNetwork(bijectors.CouplingNetworkConfig{
		InputSize: 1, OutputSize: 1, Params: ops.SplineParams(4), HiddenUnits: []int{8}, Activation: ops.ReLU, DType: tensor.Float64})
	if err != nil {
		log.Fatal(err)
	}
	s, err := bijectors.NewNeuralSplineCoupling(1, net, 4, 3)
	if err != nil {
		log.Fatal(err)
	}
	// Train-like update: give the output bias some values, then round-trip.
	b := s.Params()[3].Value.Float64s()
	for i := range b {
		b[i] = 0.3 * float64(i%5-2)
	}
	y := tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float64{0.5, 1, -1, -2.5}))
	x, ildj, err := bijectors.InverseAndLogDet(s, y)
	if err != nil {
		log.Fatal(err)
	}
	y2, fldj, err := bijectors.ForwardAndLogDet(s, x)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(s)
	fmt.Printf("x = %.4f\n", x.Data())
	fmt.Printf("f(x) = %.4f\n", y2.Data())
	fmt.Println("FLDJ = -ILDJ(f(x)):", maxAbsDiff(fldj.Float64s(), negated(ildj.Float64s())) < 1e-9)
	// Output:
	// NeuralSplineCoupling(D=2, num_masked=1, hidden=[8], bins=4, bound=3)
	// x = [0.5000 -0.2648 -1.0000 -2.7531]
	// f(x) = [0.5000 1.0000 -1.0000 -2.5000]
	// FLDJ = -ILDJ(f(x)): true
}

func ExampleNewNeuralSplineCoupling() {
	net, _ := bijectors.NewCouplingNetwork(bijectors.CouplingNetworkConfig{InputSize: 1, OutputSize: 1, Params: 2})
	_, err := bijectors.NewNeuralSplineCoupling(1, net, 8, 3)
	fmt.Println(err)
	// Output: NeuralSplineCoupling: network has params = 2, expected 23
}
