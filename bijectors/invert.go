package bijectors

import "gorgonia.org/gorgonia"

// InvertBijector swaps the directions of a bijector, as tfb.Invert:
// Forward is b's Inverse and Inverse is b's Forward. Invert(MAF) is an
// inverse autoregressive flow (IAF): one-pass sampling, D-pass density.
type InvertBijector struct {
	B Bijector
}

// Invert returns b with its directions swapped.
func Invert(b Bijector) *InvertBijector { return &InvertBijector{B: b} }

func (iv *InvertBijector) String() string   { return "Invert(" + iv.B.String() + ")" }
func (iv *InvertBijector) EventSize() int   { return iv.B.EventSize() }
func (iv *InvertBijector) Params() []*Param { return iv.B.Params() }

func (iv *InvertBijector) ForwardNode(g *Graph, x *gorgonia.Node) (*gorgonia.Node, *gorgonia.Node, error) {
	return iv.B.InverseNode(g, x)
}

func (iv *InvertBijector) InverseNode(g *Graph, y *gorgonia.Node) (*gorgonia.Node, *gorgonia.Node, error) {
	return iv.B.ForwardNode(g, y)
}

// ContextSize is the context size C of the inverted bijector (0 when it is
// not conditional).
func (iv *InvertBijector) ContextSize() int { return ContextSizeOf(iv.B) }
