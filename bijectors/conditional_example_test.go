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

func ExampleConditional() {
	// A conditional MAF reads the graph's context c [N, C]: y = f(x; c).
	net, err := bijectors.NewAutoregressiveNetwork(bijectors.MADEConfig{
		Params: 2, EventSize: 2, HiddenUnits: []int{8}, Activation: ops.Tanh, Seed: 1, DType: tensor.Float64, ContextSize: 1})
	if err != nil {
		log.Fatal(err)
	}
	maf, err := bijectors.NewMaskedAutoregressiveFlow(net, ops.ScaleSoftplus)
	if err != nil {
		log.Fatal(err)
	}
	var b bijectors.Bijector = maf
	if c, ok := b.(bijectors.Conditional); ok {
		fmt.Println(b, "reads a context of size", c.ContextSize())
	}

	// Map the same point under two contexts, then invert with the same ones.
	g, err := bijectors.NewGraph(tensor.Float64)
	if err != nil {
		log.Fatal(err)
	}
	x := g.Input("x", 2, 2)
	g.Context = g.Input("c", 2, 1)
	y, _, err := maf.ForwardNode(g, x)
	if err != nil {
		log.Fatal(err)
	}
	back, _, err := maf.InverseNode(g, y)
	if err != nil {
		log.Fatal(err)
	}
	f, err := engine.NewFunc(g.G, gorgonia.Nodes{x, g.Context}, gorgonia.Nodes{y, back}, engine.DefaultExecutor)
	if err != nil {
		log.Fatal(err)
	}
	out, err := f.Call(
		tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float64{0.5, -0.5, 0.5, -0.5})),
		tensor.New(tensor.WithShape(2, 1), tensor.WithBacking([]float64{-1, 1})))
	if err != nil {
		log.Fatal(err)
	}
	yv := out[0].Float64s()
	fmt.Println("the context moves y:", math.Abs(yv[0]-yv[2]) > 1e-3)
	fmt.Printf("inverse(forward(x)) = %.4f\n", out[1].Data())

	// Without a context the graph cannot be built.
	_, err = bijectors.Forward(maf, tensor.New(tensor.WithShape(1, 2), tensor.WithBacking([]float64{0, 0})))
	fmt.Println(err)
	// Output:
	// MaskedAutoregressiveFlow(D=2, hidden=[8], scale=softplus, context=1) reads a context of size 1
	// the context moves y: true
	// inverse(forward(x)) = [0.5000 -0.5000 0.5000 -0.5000]
	// bijectors: AutoregressiveNetwork: conditional network needs a context [N, C] with C = 1; the graph has none (use the ...Given functions) (MaskedAutoregressiveFlow(D=2, hidden=[8], scale=softplus, context=1))
}

func ExampleContextSizeOf() {
	net, err := bijectors.NewAutoregressiveNetwork(bijectors.MADEConfig{Params: 2, EventSize: 2, HiddenUnits: []int{4}, ContextSize: 3})
	if err != nil {
		log.Fatal(err)
	}
	maf, err := bijectors.NewMaskedAutoregressiveFlow(net, ops.ScaleSoftplus)
	if err != nil {
		log.Fatal(err)
	}
	perm, err := bijectors.Permute([]int{1, 0})
	if err != nil {
		log.Fatal(err)
	}
	chain, err := bijectors.Chain(perm, bijectors.Invert(maf))
	if err != nil {
		log.Fatal(err)
	}
	for _, b := range []bijectors.Bijector{maf, perm, bijectors.Invert(maf), chain} {
		fmt.Printf("%-36T C = %d\n", b, bijectors.ContextSizeOf(b))
	}
	// Output:
	// *bijectors.MaskedAutoregressiveFlow  C = 3
	// *bijectors.PermuteBijector           C = 0
	// *bijectors.InvertBijector            C = 3
	// *bijectors.ChainBijector             C = 3
}

func ExampleAutoregressiveNetwork_ContextSize() {
	// TFP's conditional AutoregressiveNetwork (conditional_input_layers =
	// 'all_layers'): every layer adds c V_l, V_l [C, out_l], unmasked.
	net, err := bijectors.NewAutoregressiveNetwork(bijectors.MADEConfig{
		Params: 2, EventSize: 3, HiddenUnits: []int{8}, Activation: ops.ReLU, ContextSize: 2})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("context size:", net.ContextSize(), "layers:", net.LayerSizes())
	for _, v := range net.ContextWeights() {
		fmt.Println(v.Name, v.Value.Shape())
	}
	var names []string
	for _, p := range net.Params() {
		names = append(names, p.Name)
	}
	fmt.Println(names, net.NumParams())
	// Output:
	// context size: 2 layers: [3 8 6]
	// made/V0 (2, 8)
	// made/V1 (2, 6)
	// [made/W0 made/b0 made/V0 made/W1 made/b1 made/V1] 114
}

func ExampleAutoregressiveNetwork_ContextWeights() {
	// The masked kernels and biases are those of the unconditional network
	// of the same seed: the context kernels are drawn after them.
	cfg := bijectors.MADEConfig{Params: 2, EventSize: 2, HiddenUnits: []int{4}, Seed: 7}
	plain, err := bijectors.NewAutoregressiveNetwork(cfg)
	if err != nil {
		log.Fatal(err)
	}
	cfg.ContextSize = 1
	cond, err := bijectors.NewAutoregressiveNetwork(cfg)
	if err != nil {
		log.Fatal(err)
	}
	pw, _ := plain.Weights()
	cw, _ := cond.Weights()
	same := true
	for l := range pw {
		for i, v := range pw[l].Value.Float32s() {
			same = same && cw[l].Value.Float32s()[i] == v
		}
	}
	fmt.Println("same W:", same, "context kernels:", len(cond.ContextWeights()), "unconditional:", plain.ContextWeights() == nil)
	// Output:
	// same W: true context kernels: 2 unconditional: true
}

func ExampleMaskedAutoregressiveFlow_ContextSize() {
	flow, err := bijectors.NewMAFStack(2, bijectors.MADEConfig{EventSize: 2, HiddenUnits: []int{16}, ContextSize: 4}, ops.ScaleSoftplus)
	if err != nil {
		log.Fatal(err)
	}
	first := flow.Bijectors[0].(*bijectors.MaskedAutoregressiveFlow)
	fmt.Println(first.ContextSize(), flow.ContextSize())
	fmt.Println(first)
	// Output:
	// 4 4
	// MaskedAutoregressiveFlow(D=2, hidden=[16], scale=softplus, context=4)
}

func ExampleChainBijector_ContextSize() {
	perm, err := bijectors.Permute([]int{1, 0})
	if err != nil {
		log.Fatal(err)
	}
	plain, err := bijectors.Chain(perm, bijectors.Exp())
	if err != nil {
		log.Fatal(err)
	}
	net, err := bijectors.NewAutoregressiveNetwork(bijectors.MADEConfig{Params: 2, EventSize: 2, HiddenUnits: []int{4}, ContextSize: 2})
	if err != nil {
		log.Fatal(err)
	}
	maf, err := bijectors.NewMaskedAutoregressiveFlow(net, ops.ScaleSoftplus)
	if err != nil {
		log.Fatal(err)
	}
	cond, err := bijectors.Chain(perm, maf)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(plain.ContextSize(), cond.ContextSize())
	// Output:
	// 0 2
}

func ExampleInvertBijector_ContextSize() {
	net, err := bijectors.NewAutoregressiveNetwork(bijectors.MADEConfig{Params: 2, EventSize: 2, HiddenUnits: []int{4}, ContextSize: 5})
	if err != nil {
		log.Fatal(err)
	}
	maf, err := bijectors.NewMaskedAutoregressiveFlow(net, ops.ScaleSoftplus)
	if err != nil {
		log.Fatal(err)
	}
	iaf := bijectors.Invert(maf) // a conditional IAF
	fmt.Println(iaf.ContextSize(), bijectors.Invert(bijectors.Exp()).ContextSize())
	// Output:
	// 5 0
}
