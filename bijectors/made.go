package bijectors

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/nflowgo/nflow/ops"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// InputOrder is the order of a MADE's inputs: which feature is predicted from which.
type InputOrder string

const (
	LeftToRight InputOrder = "left-to-right" // degrees 1..D
	RightToLeft InputOrder = "right-to-left" // degrees D..1
	RandomOrder InputOrder = "random"        // a seeded shuffle of 1..D
)

// HiddenDegrees is how a MADE assigns degrees to hidden units.
type HiddenDegrees string

const (
	EqualDegrees  HiddenDegrees = "equal"  // evenly spread over [1, D-1]
	RandomDegrees HiddenDegrees = "random" // seeded draws from [min previous, D-1]
)

// KernelInit is how a MADE initialises its kernels.
type KernelInit string

const (
	// GlorotUniform is Keras's default (and TFP's): W ~ U(±√(6/(fan_in+fan_out))), b = 0.
	GlorotUniform KernelInit = "glorot-uniform"
	// TorchUniform is PyTorch's nn.Linear default: W, b ~ U(±1/√fan_in).
	TorchUniform KernelInit = "torch-uniform"
)

// MADEConfig configures an AutoregressiveNetwork; the zero values of the
// optional fields give TFP's defaults.
type MADEConfig struct {
	Params      int   // outputs per feature (2 for an affine MAF: shift, log-scale)
	EventSize   int   // D
	HiddenUnits []int // H_1..H_L

	Activation    ops.Activation // hidden layers; the output layer is linear. Default identity, as TFP.
	InputOrder    InputOrder     // default LeftToRight; ignored when Order is set
	Order         []int          // explicit input degrees: a permutation of 1..D
	HiddenDegrees HiddenDegrees  // default EqualDegrees
	KernelInit    KernelInit     // default GlorotUniform
	Seed          uint64         // seeds the random order, random degrees and the initial weights
	DType         tensor.Dtype   // default Float32

	// ContextSize is C, the width of the conditioning input c [N, C] of a
	// conditional network (TFP's conditional=True with
	// conditional_input_layers='all_layers'); 0 (the default) is an
	// unconditional network.
	ContextSize int
}

// AutoregressiveNetwork is MADE (Germain et al., 2015) with TFP's exact
// degrees, masks and output layout:
//
//   - input degrees: the input order (1..D left-to-right);
//   - hidden degrees ('equal'): unit k of H gets
//     max(min(min previous degrees, D-1), ceil(k(D-1)/(H+1)));
//   - masks [in, out]: deg_in <= deg_out into hidden layers, and
//     deg_hidden < deg_input(e) into the output;
//   - output [N, D·Params]: column e·Params + p is parameter p of feature e,
//     so parameter p of feature e depends only on features of lower degree.
//
// Each layer is y = act(x (W∘M) + b); the last has no activation. A graph
// computes W∘M once (Graph.MaskedParam) and then a plain dense product.
// Cost: 2·N·Σ(in·out) flops per pass.
//
// A conditional network (ContextSize C > 0) reads the context c [N, C] of
// the graph (Graph.Context) and adds an unmasked, bias-free projection of
// it to every layer, hidden and output, as TFP's
// conditional_input_layers='all_layers':
//
//	h_l = act(h_{l-1} (W_l∘M_l) + c V_l + b_l),  V_l [C, H_l]
//
// The context reaches every output, so the autoregressive property holds
// in x for each fixed c. c V_l + b_l is computed once per graph (an
// ops.Dense), and each layer is one ops.DenseAdd. Extra cost:
// 2·N·C·Σ out flops per graph.
type AutoregressiveNetwork struct {
	cfg     MADEConfig
	degrees [][]int     // input degrees, then one slice per hidden layer
	masks   [][]float64 // one per layer, row-major [in, out]
	sizes   []int       // D, H_1..H_L, D·Params
	weights []*Param
	biases  []*Param
	ops     []*ops.Dense
	ctxW    []*Param        // V_l [C, out_l] of a conditional network
	ctxOps  []*ops.Dense    // a_l = c V_l + b_l
	addOps  []*ops.DenseAdd // h_l = act(h_{l-1} W_l + a_l)
}

// NewAutoregressiveNetwork builds the network and initialises its weights.
func NewAutoregressiveNetwork(cfg MADEConfig) (*AutoregressiveNetwork, error) {
	if cfg.Params < 1 {
		return nil, fmt.Errorf("AutoregressiveNetwork: params = %d, expected >= 1", cfg.Params)
	}
	if cfg.EventSize < 1 {
		return nil, fmt.Errorf("AutoregressiveNetwork: event size = %d, expected >= 1", cfg.EventSize)
	}
	for i, h := range cfg.HiddenUnits {
		if h < 1 {
			return nil, fmt.Errorf("AutoregressiveNetwork: hidden layer %d has %d units, expected >= 1", i, h)
		}
	}
	if cfg.InputOrder == "" {
		cfg.InputOrder = LeftToRight
	}
	if cfg.HiddenDegrees == "" {
		cfg.HiddenDegrees = EqualDegrees
	}
	if cfg.KernelInit == "" {
		cfg.KernelInit = GlorotUniform
	}
	if cfg.DType == (tensor.Dtype{}) {
		cfg.DType = tensor.Float32
	}
	if cfg.DType != tensor.Float32 && cfg.DType != tensor.Float64 {
		return nil, fmt.Errorf("AutoregressiveNetwork: dtype %v, expected float32 or float64", cfg.DType)
	}
	if !cfg.Activation.Valid() {
		return nil, fmt.Errorf("AutoregressiveNetwork: unknown activation %v", cfg.Activation)
	}
	if cfg.ContextSize < 0 {
		return nil, fmt.Errorf("AutoregressiveNetwork: context size = %d, expected >= 0", cfg.ContextSize)
	}
	cfg.HiddenUnits = append([]int(nil), cfg.HiddenUnits...)
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x6d616465))
	deg, err := madeDegrees(cfg, rng)
	if err != nil {
		return nil, err
	}
	n := &AutoregressiveNetwork{cfg: cfg, degrees: deg, masks: madeMasks(deg, cfg.Params)}
	n.sizes = append(append([]int{cfg.EventSize}, cfg.HiddenUnits...), cfg.EventSize*cfg.Params)
	for l := 0; l+1 < len(n.sizes); l++ {
		in, out := n.sizes[l], n.sizes[l+1]
		act := cfg.Activation
		if l+2 == len(n.sizes) {
			act = ops.Identity
		}
		// The kernel is masked by its own node (Graph.MaskedParam); the layer
		// knows the mask's zero tiles and skips them.
		op, err := ops.NewDenseSupport(in, out, n.masks[l], act)
		if err != nil {
			return nil, err
		}
		n.ops = append(n.ops, op)
		w, b := initLayer(cfg.KernelInit, rng, in, out, n.masks[l])
		n.weights = append(n.weights, &Param{Name: fmt.Sprintf("made/W%d", l), Value: NewTensor(cfg.DType, w, in, out)})
		n.biases = append(n.biases, &Param{Name: fmt.Sprintf("made/b%d", l), Value: NewTensor(cfg.DType, b, out)})
	}
	if cfg.ContextSize > 0 {
		if err := n.initContext(rng); err != nil {
			return nil, err
		}
	}
	return n, nil
}

func madeDegrees(cfg MADEConfig, rng *rand.Rand) ([][]int, error) {
	d := cfg.EventSize
	in := make([]int, d)
	switch {
	case cfg.Order != nil:
		if len(cfg.Order) != d {
			return nil, fmt.Errorf("AutoregressiveNetwork: explicit order %v has %d entries, expected %d", cfg.Order, len(cfg.Order), d)
		}
		perm := make([]int, d)
		for i, o := range cfg.Order {
			perm[i] = o - 1
		}
		if _, err := ops.InversePermutation(perm); err != nil {
			return nil, fmt.Errorf("AutoregressiveNetwork: explicit order %v, expected a permutation of 1..%d", cfg.Order, d)
		}
		copy(in, cfg.Order)
	case cfg.InputOrder == LeftToRight:
		for i := range in {
			in[i] = i + 1
		}
	case cfg.InputOrder == RightToLeft:
		for i := range in {
			in[i] = d - i
		}
	case cfg.InputOrder == RandomOrder:
		for i, p := range rng.Perm(d) {
			in[i] = p + 1
		}
	default:
		return nil, fmt.Errorf("AutoregressiveNetwork: input order %q, expected left-to-right, right-to-left, random or an explicit order", cfg.InputOrder)
	}
	deg := [][]int{in}
	for _, h := range cfg.HiddenUnits {
		prevMin := d
		for _, v := range deg[len(deg)-1] {
			prevMin = min(prevMin, v)
		}
		low := min(prevMin, d-1)
		hd := make([]int, h)
		for k := range hd {
			switch cfg.HiddenDegrees {
			case EqualDegrees:
				hd[k] = max(low, ((k+1)*(d-1)+h)/(h+1)) // integer ceil(k(D-1)/(H+1))
			case RandomDegrees:
				hd[k] = low + rng.IntN(d-low) // [low, D)
			default:
				return nil, fmt.Errorf("AutoregressiveNetwork: hidden degrees %q, expected equal or random", cfg.HiddenDegrees)
			}
		}
		deg = append(deg, hd)
	}
	return deg, nil
}

func madeMasks(deg [][]int, params int) [][]float64 {
	var masks [][]float64
	for l := 1; l < len(deg); l++ {
		in, out := deg[l-1], deg[l]
		m := make([]float64, len(in)*len(out))
		for i, di := range in {
			for o, do := range out {
				if di <= do {
					m[i*len(out)+o] = 1
				}
			}
		}
		masks = append(masks, m)
	}
	last, inDeg := deg[len(deg)-1], deg[0]
	d := len(inDeg)
	m := make([]float64, len(last)*d*params)
	for i, dh := range last {
		for e, de := range inDeg {
			if dh < de {
				for p := 0; p < params; p++ {
					m[i*d*params+e*params+p] = 1
				}
			}
		}
	}
	return append(masks, m)
}

func initLayer(init KernelInit, rng *rand.Rand, in, out int, mask []float64) (w, b []float64) {
	w, b = make([]float64, in*out), make([]float64, out)
	limit := math.Sqrt(6 / float64(in+out))
	if init == TorchUniform {
		limit = 1 / math.Sqrt(float64(in))
		for i := range b {
			b[i] = limit * (2*rng.Float64() - 1)
		}
	}
	for i := range w {
		w[i] = limit * (2*rng.Float64() - 1) * mask[i]
	}
	return w, b
}

// NewTensor returns a new tensor of dtype dt (Float32 or Float64) and the
// given shape holding a copy of v.
func NewTensor(dt tensor.Dtype, v []float64, shape ...int) *tensor.Dense {
	if dt == tensor.Float32 {
		f := make([]float32, len(v))
		for i, x := range v {
			f[i] = float32(x)
		}
		return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(f))
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(append([]float64(nil), v...)))
}

// Config returns the network's configuration with defaults filled in.
func (n *AutoregressiveNetwork) Config() MADEConfig { return n.cfg }

// Degrees returns the input degrees followed by each hidden layer's degrees.
func (n *AutoregressiveNetwork) Degrees() [][]int {
	out := make([][]int, len(n.degrees))
	for i, d := range n.degrees {
		out[i] = append([]int(nil), d...)
	}
	return out
}

// Masks returns each layer's 0/1 mask, row-major [in, out]; the last is
// the output mask tiled to [H_L, D·Params].
func (n *AutoregressiveNetwork) Masks() [][]float64 {
	out := make([][]float64, len(n.masks))
	for i, m := range n.masks {
		out[i] = append([]float64(nil), m...)
	}
	return out
}

// LayerSizes returns D, H_1..H_L, D·Params.
func (n *AutoregressiveNetwork) LayerSizes() []int { return append([]int(nil), n.sizes...) }

// Weights returns the kernel and bias parameters of each layer.
func (n *AutoregressiveNetwork) Weights() (kernels, biases []*Param) { return n.weights, n.biases }

// Params returns the kernels and biases, layer by layer; a conditional
// network follows each layer's bias with its context kernel V_l.
func (n *AutoregressiveNetwork) Params() []*Param {
	var ps []*Param
	for i := range n.weights {
		ps = append(ps, n.weights[i], n.biases[i])
		if n.ctxW != nil {
			ps = append(ps, n.ctxW[i])
		}
	}
	return ps
}

// NumParams is the number of trainable values (masked-out kernel entries included).
func (n *AutoregressiveNetwork) NumParams() int {
	c := 0
	for _, p := range n.Params() {
		c += p.Value.Shape().TotalSize()
	}
	return c
}

// Node adds the network's output [N, D·Params] for x [N, D] to g. A
// conditional network also reads g.Context, which must be [N, C].
func (n *AutoregressiveNetwork) Node(g *Graph, x *gorgonia.Node) (*gorgonia.Node, error) {
	if n.cfg.ContextSize > 0 {
		return n.conditionalNode(g, x)
	}
	h := x
	for l, op := range n.ops {
		mask := g.MaskedParam
		if g.CPU && g.Training { // the layer masks dW: mask W once, not in every step
			mask = g.MaskedInPlace
		}
		w, err := mask(n.weights[l], n.masks[l])
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

// NewMAFStack returns the lab's flow: layers MaskedAutoregressiveFlows,
// each on its own network (cfg with Params = 2 and Seed + i), with a
// reversing Permute between consecutive ones, chained as TFP's lab does:
// Chain([maf_{L-1}, Permute, ..., Permute, maf_0]), so maf_0 acts first on
// the sampling path and last on the density path.
func NewMAFStack(layers int, cfg MADEConfig, scale ops.ScaleFn) (*ChainBijector, error) {
	if layers < 1 {
		return nil, fmt.Errorf("NewMAFStack: %d layers, expected >= 1", layers)
	}
	cfg.Params = 2
	rev := make([]int, cfg.EventSize)
	for i := range rev {
		rev[i] = cfg.EventSize - 1 - i
	}
	var bs []Bijector
	seed := cfg.Seed
	for i := 0; i < layers; i++ {
		if i > 0 {
			p, err := Permute(rev)
			if err != nil {
				return nil, err
			}
			bs = append(bs, p)
		}
		cfg.Seed = seed + uint64(i)
		net, err := NewAutoregressiveNetwork(cfg)
		if err != nil {
			return nil, err
		}
		m, err := NewMaskedAutoregressiveFlow(net, scale)
		if err != nil {
			return nil, err
		}
		bs = append(bs, m)
	}
	for i, j := 0, len(bs)-1; i < j; i, j = i+1, j-1 {
		bs[i], bs[j] = bs[j], bs[i]
	}
	return Chain(bs...)
}

// sampleNode adds MAF's whole sampling recursion for x [N, D] as one
// ops.MADESample and returns its output [N, 3D]: the final network output,
// then the sample y. ok is false
// (and nothing is added) when the network cannot use it: a conditional
// network, Params ≠ 2, or degrees not sorted (an input order other than
// left-to-right, random hidden degrees).
func (n *AutoregressiveNetwork) sampleNode(g *Graph, x *gorgonia.Node, scale ops.ScaleFn, opts ops.MADESampleOptions) (*gorgonia.Node, bool, error) {
	if n.cfg.ContextSize > 0 || n.cfg.Params != 2 {
		return nil, false, nil
	}
	op, err := ops.NewMADESample(n.degrees, n.cfg.Activation, scale, opts)
	if err != nil {
		return nil, false, nil // unsorted degrees: the D-pass path
	}
	in := gorgonia.Nodes{x}
	for l := range n.weights {
		w, err := g.Param(n.weights[l])
		if err != nil {
			return nil, true, err
		}
		b, err := g.Param(n.biases[l])
		if err != nil {
			return nil, true, err
		}
		in = append(in, w, b)
	}
	h, err := Apply(op, in...)
	return h, true, err
}

// MultiplyAdds returns the multiply-adds per batch row of one network pass:
// dense-equivalent (every kernel entry, masked ones included), and those
// the CPU kernels perform once the mask's zero tiles are skipped, for the
// forward product and the input gradient (the weight gradient covers the
// input gradient's tiles).
func (n *AutoregressiveNetwork) MultiplyAdds() (dense, forward, gradX int) {
	for _, op := range n.ops {
		d, f, g := op.MultiplyAdds()
		dense, forward, gradX = dense+d, forward+f, gradX+g
	}
	return dense, forward, gradX
}
