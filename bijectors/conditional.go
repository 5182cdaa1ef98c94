package bijectors

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/nflowgo/nflow/ops"
	"gorgonia.org/gorgonia"
)

// Conditional is a bijector (or network) that depends on a conditioning
// input c [N, C], y = f(x; c): its graphs read Graph.Context, which must
// then be an [N, C] node whose rows pair with the rows of the batch.
// ContextSize returns C, or 0 when the bijector does not read a context
// (a chain of unconditional bijectors, say).
//
// MaskedAutoregressiveFlow and AutoregressiveNetwork report their
// network's ContextSize; ChainBijector the largest of its members';
// InvertBijector that of the bijector it inverts.
type Conditional interface {
	ContextSize() int
}

// ContextSizeOf returns b's context size C if b is Conditional, else 0.
func ContextSizeOf(b Bijector) int {
	if c, ok := b.(Conditional); ok {
		return c.ContextSize()
	}
	return 0
}

// ContextSize is C, the width of the conditioning input, 0 for an
// unconditional network.
func (n *AutoregressiveNetwork) ContextSize() int { return n.cfg.ContextSize }

// ContextWeights returns the context kernels V_l [C, out_l] of a
// conditional network, one per layer (nil when unconditional).
func (n *AutoregressiveNetwork) ContextWeights() []*Param { return n.ctxW }

// initContext draws the context kernels V_l from rng after every masked
// kernel and bias, so that a conditional network shares the weights W_l and
// b_l of the unconditional network of the same seed (and equals it when
// V = 0). The limit is the KernelInit's for a layer of fan-in C: Glorot's
// √(6/(C+out)) by default (TFP), PyTorch's 1/√C for TorchUniform. The
// projections have no bias (TFP's conditional Dense layers use none).
func (n *AutoregressiveNetwork) initContext(rng *rand.Rand) error {
	c := n.cfg.ContextSize
	for l := 0; l+1 < len(n.sizes); l++ {
		in, out := n.sizes[l], n.sizes[l+1]
		act := n.cfg.Activation
		if l+2 == len(n.sizes) {
			act = ops.Identity
		}
		proj, err := ops.NewDense(c, out, nil, ops.Identity)
		if err != nil {
			return err
		}
		add, err := ops.NewDenseAdd(in, out, nil, act) // the kernel is masked by its own node
		if err != nil {
			return err
		}
		limit := math.Sqrt(6 / float64(c+out))
		if n.cfg.KernelInit == TorchUniform {
			limit = 1 / math.Sqrt(float64(c))
		}
		v := make([]float64, c*out)
		for i := range v {
			v[i] = limit * (2*rng.Float64() - 1)
		}
		n.ctxOps = append(n.ctxOps, proj)
		n.addOps = append(n.addOps, add)
		n.ctxW = append(n.ctxW, &Param{Name: fmt.Sprintf("made/V%d", l), Value: NewTensor(n.cfg.DType, v, c, out)})
	}
	return nil
}

// context returns g.Context after checking it is [N, C] for x [N, D].
func (n *AutoregressiveNetwork) context(g *Graph, x *gorgonia.Node) (*gorgonia.Node, error) {
	c, want := g.Context, n.cfg.ContextSize
	if c == nil {
		return nil, fmt.Errorf("AutoregressiveNetwork: conditional network needs a context [N, C] with C = %d; the graph has none (use the ...Given functions)", want)
	}
	s, xs := c.Shape(), x.Shape()
	if len(s) != 2 || s[1] != want || (len(xs) == 2 && s[0] != xs[0]) {
		return nil, fmt.Errorf("AutoregressiveNetwork: conditional network needs a context [N, C] = [%d %d], got %v", xs[0], want, s)
	}
	if c.Dtype() != g.DType {
		return nil, fmt.Errorf("AutoregressiveNetwork: context dtype %v, the graph is %v", c.Dtype(), g.DType)
	}
	return c, nil
}

// conditionalNode is Node for a conditional network:
// h_l = act(h_{l-1} (W_l∘M_l) + (c V_l + b_l)). The projections c V_l + b_l
// depend on the context only, so every application of the network in one
// graph shares them (Gorgonia merges identical nodes).
func (n *AutoregressiveNetwork) conditionalNode(g *Graph, x *gorgonia.Node) (*gorgonia.Node, error) {
	c, err := n.context(g, x)
	if err != nil {
		return nil, err
	}
	h := x
	for l := range n.addOps {
		w, err := g.MaskedParam(n.weights[l], n.masks[l])
		if err != nil {
			return nil, err
		}
		b, err := g.Param(n.biases[l])
		if err != nil {
			return nil, err
		}
		v, err := g.Param(n.ctxW[l])
		if err != nil {
			return nil, err
		}
		a, err := Apply(n.ctxOps[l], c, v, b)
		if err != nil {
			return nil, err
		}
		if h, err = Apply(n.addOps[l], h, w, a); err != nil {
			return nil, err
		}
	}
	return h, nil
}
