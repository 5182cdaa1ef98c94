package bijectors

import (
	"fmt"
	"strings"

	"gorgonia.org/gorgonia"
)

// ChainBijector composes bijectors as tfb.Chain: Chain(b1, ..., bk) is
// b1∘...∘bk, so Forward applies bk first and Inverse applies b1⁻¹ first.
// Log-dets add.
type ChainBijector struct {
	Bijectors []Bijector
}

// Chain returns the composition b1∘...∘bk. It is an error if two members
// have different event sizes, or are conditional on contexts of different
// sizes.
func Chain(bs ...Bijector) (*ChainBijector, error) {
	d, ctx := 0, 0
	for i, b := range bs {
		if b == nil {
			return nil, fmt.Errorf("Chain: bijector %d is nil", i)
		}
		if c := ContextSizeOf(b); c > 0 {
			if ctx > 0 && c != ctx {
				return nil, fmt.Errorf("Chain: bijector %d (%v) has context size %d, expected %d", i, b, c, ctx)
			}
			ctx = c
		}
		if e := b.EventSize(); e > 0 {
			if d > 0 && e != d {
				return nil, fmt.Errorf("Chain: bijector %d (%v) has event size %d, expected %d", i, b, e, d)
			}
			d = e
		}
	}
	return &ChainBijector{Bijectors: append([]Bijector(nil), bs...)}, nil
}

func (c *ChainBijector) String() string {
	names := make([]string, len(c.Bijectors))
	for i, b := range c.Bijectors {
		names[i] = b.String()
	}
	return "Chain([" + strings.Join(names, ", ") + "])"
}

func (c *ChainBijector) EventSize() int {
	for _, b := range c.Bijectors {
		if d := b.EventSize(); d > 0 {
			return d
		}
	}
	return 0
}

func (c *ChainBijector) Params() []*Param {
	var ps []*Param
	seen := map[*Param]bool{}
	for _, b := range c.Bijectors {
		for _, p := range b.Params() {
			if !seen[p] {
				seen[p] = true
				ps = append(ps, p)
			}
		}
	}
	return ps
}

func (c *ChainBijector) ForwardNode(g *Graph, x *gorgonia.Node) (*gorgonia.Node, *gorgonia.Node, error) {
	var ldj *gorgonia.Node
	for i := len(c.Bijectors) - 1; i >= 0; i-- {
		var l *gorgonia.Node
		var err error
		if x, l, err = c.Bijectors[i].ForwardNode(g, x); err != nil {
			return nil, nil, err
		}
		if ldj, err = addLogDets(ldj, l); err != nil {
			return nil, nil, err
		}
	}
	return x, ldj, nil
}

func (c *ChainBijector) InverseNode(g *Graph, y *gorgonia.Node) (*gorgonia.Node, *gorgonia.Node, error) {
	var ldj *gorgonia.Node
	for _, b := range c.Bijectors {
		var l *gorgonia.Node
		var err error
		if y, l, err = b.InverseNode(g, y); err != nil {
			return nil, nil, err
		}
		if ldj, err = addLogDets(ldj, l); err != nil {
			return nil, nil, err
		}
	}
	return y, ldj, nil
}

// ContextSize is the largest context size C of the members (0 when none is
// conditional): every conditional member reads the same context [N, C].
func (c *ChainBijector) ContextSize() int {
	m := 0
	for _, b := range c.Bijectors {
		m = max(m, ContextSizeOf(b))
	}
	return m
}
