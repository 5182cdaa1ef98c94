package bijectors

import (
	"fmt"
	"math/rand/v2"

	"github.com/nflowgo/nflow/ops"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// CouplingNetworkConfig configures the conditioner of a coupling layer
// (RealNVP, NeuralSplineCoupling); the zero values of the optional fields
// give the defaults noted.
type CouplingNetworkConfig struct {
	InputSize   int   // d: the units passed through, which the network reads
	OutputSize  int   // D - d: the units transformed
	Params      int   // outputs per transformed unit: 2 (affine) or 3K-1 (spline)
	HiddenUnits []int // H_1..H_L

	Activation ops.Activation // hidden layers; the output layer is linear. Default identity.
	KernelInit KernelInit     // hidden layers; default GlorotUniform
	Seed       uint64         // seeds the initial weights
	DType      tensor.Dtype   // default Float32

	// ContextSize is C, the width of the conditioning input c [N, C]
	// (Graph.Context) of a conditional network; 0 is unconditional.
	ContextSize int
}

// CouplingNetwork is the plain MLP conditioner of a coupling layer: it maps
// the pass-through units x [N, d] to the transform's parameters
// [N, (D-d)·Params], column e·Params + p being parameter p of transformed
// unit e (the layout of AutoregressiveNetwork and of ops.AffineAR and
// ops.RQSpline):
//
//	h_0 = x,  h_l = act(h_{l-1} W_l + b_l),  out = h_L W_{L+1} + b_{L+1}
//
// The output layer starts at zero (W = 0, b = 0), so an untrained coupling
// layer is the identity (exactly for a spline; scale σ(0) = 1.001 for the
// softplus affine). A conditional network (ContextSize C > 0) reads
// Graph.Context c [N, C] and feeds it to every layer, hidden and output (as
// TFP's conditional AutoregressiveNetwork with conditional_input_layers =
// 'all_layers'): each layer reads [h_{l-1}, c], which is
// h_{l-1} W_l + c V_l with the kernel split in two blocks.
// Cost: 2·N·Σ(in_l·out_l) flops per pass, in_l including C.
type CouplingNetwork struct {
	cfg     CouplingNetworkConfig
	sizes   []int // d, H_1..H_L, (D-d)·Params (without the context)
	weights []*Param
	biases  []*Param
	ops     []*ops.Dense
}

// NewCouplingNetwork builds the network and initialises its weights.
func NewCouplingNetwork(cfg CouplingNetworkConfig) (*CouplingNetwork, error) {
	switch {
	case cfg.InputSize < 1:
		return nil, fmt.Errorf("CouplingNetwork: input size = %d, expected >= 1", cfg.InputSize)
	case cfg.OutputSize < 1:
		return nil, fmt.Errorf("CouplingNetwork: output size = %d, expected >= 1", cfg.OutputSize)
	case cfg.Params < 1:
		return nil, fmt.Errorf("CouplingNetwork: params = %d, expected >= 1", cfg.Params)
	case cfg.ContextSize < 0:
		return nil, fmt.Errorf("CouplingNetwork: context size = %d, expected >= 0", cfg.ContextSize)
	case !cfg.Activation.Valid():
		return nil, fmt.Errorf("CouplingNetwork: unknown activation %v", cfg.Activation)
	}
	for i, h := range cfg.HiddenUnits {
		if h < 1 {
			return nil, fmt.Errorf("CouplingNetwork: hidden layer %d has %d units, expected >= 1", i, h)
		}
	}
	if cfg.KernelInit == "" {
		cfg.KernelInit = GlorotUniform
	}
	if cfg.KernelInit != GlorotUniform && cfg.KernelInit != TorchUniform {
		return nil, fmt.Errorf("CouplingNetwork: kernel init %q, expected glorot-uniform or torch-uniform", cfg.KernelInit)
	}
	if cfg.DType == (tensor.Dtype{}) {
		cfg.DType = tensor.Float32
	}
	if cfg.DType != tensor.Float32 && cfg.DType != tensor.Float64 {
		return nil, fmt.Errorf("CouplingNetwork: dtype %v, expected float32 or float64", cfg.DType)
	}
	cfg.HiddenUnits = append([]int(nil), cfg.HiddenUnits...)
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x636f7570))
	n := &CouplingNetwork{cfg: cfg}
	n.sizes = append(append([]int{cfg.InputSize}, cfg.HiddenUnits...), cfg.OutputSize*cfg.Params)
	for l := 0; l+1 < len(n.sizes); l++ {
		in, out := n.sizes[l]+cfg.ContextSize, n.sizes[l+1]
		act := cfg.Activation
		last := l+2 == len(n.sizes)
		if last {
			act = ops.Identity
		}
		op, err := ops.NewDense(in, out, nil, act)
		if err != nil {
			return nil, err
		}
		n.ops = append(n.ops, op)
		w, b := make([]float64, in*out), make([]float64, out)
		if !last {
			ones := make([]float64, in*out)
			for i := range ones {
				ones[i] = 1
			}
			w, b = initLayer(cfg.KernelInit, rng, in, out, ones)
		}
		n.weights = append(n.weights, &Param{Name: fmt.Sprintf("coupling/W%d", l), Value: NewTensor(cfg.DType, w, in, out)})
		n.biases = append(n.biases, &Param{Name: fmt.Sprintf("coupling/b%d", l), Value: NewTensor(cfg.DType, b, out)})
	}
	return n, nil
}

// Config returns the network's configuration with defaults filled in.
func (n *CouplingNetwork) Config() CouplingNetworkConfig {
	c := n.cfg
	c.HiddenUnits = append([]int(nil), c.HiddenUnits...)
	return c
}

// ContextSize is C, the width of the conditioning input, 0 for an
// unconditional network.
func (n *CouplingNetwork) ContextSize() int { return n.cfg.ContextSize }

// LayerSizes returns d, H_1..H_L, (D-d)·Params (context columns not counted).
func (n *CouplingNetwork) LayerSizes() []int { return append([]int(nil), n.sizes...) }

// Params returns the kernels and biases, layer by layer. A conditional
// network's kernels have C extra rows (the last ones) for the context.
func (n *CouplingNetwork) Params() []*Param {
	var ps []*Param
	for i := range n.weights {
		ps = append(ps, n.weights[i], n.biases[i])
	}
	return ps
}

// Node adds the network's output [N, (D-d)·Params] for x [N, d] to g. A
// conditional network also reads g.Context, which must be [N, C].
func (n *CouplingNetwork) Node(g *Graph, x *gorgonia.Node) (*gorgonia.Node, error) {
	var c *gorgonia.Node
	if n.cfg.ContextSize > 0 {
		c = g.Context
		if c == nil {
			return nil, fmt.Errorf("CouplingNetwork: conditional network needs a context [N, %d]; the graph has none", n.cfg.ContextSize)
		}
		if s, xs := c.Shape(), x.Shape(); len(s) != 2 || s[1] != n.cfg.ContextSize || s[0] != xs[0] {
			return nil, fmt.Errorf("CouplingNetwork: context %v, expected [%d %d]", s, xs[0], n.cfg.ContextSize)
		}
	}
	h := x
	for l, op := range n.ops {
		var err error
		if c != nil {
			if h, err = Apply(ops.NewConcat(), h, c); err != nil {
				return nil, err
			}
		}
		w, err := g.Param(n.weights[l])
		if err != nil {
			return nil, err
		}
		b, err := g.Param(n.biases[l])
		if err != nil {
			return nil, err
		}
		if h, err = Apply(op, h, w, b); err != nil {
			return nil, err
		}
	}
	return h, nil
}
