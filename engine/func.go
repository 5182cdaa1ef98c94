package engine

import (
	"fmt"
	"sync"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Func evaluates a graph: it binds values to the input nodes, runs the
// graph and returns copies of the output nodes' values. A Func is safe for
// concurrent use; calls are serialized.
type Func struct {
	mu   sync.Mutex
	g    *gorgonia.ExprGraph
	ins  gorgonia.Nodes
	outs gorgonia.Nodes
	m    gorgonia.VM
}

// NewFunc returns a Func over g that reads ins and returns outs.
func NewFunc(g *gorgonia.ExprGraph, ins, outs gorgonia.Nodes) (*Func, error) {
	if len(outs) == 0 {
		return nil, fmt.Errorf("engine.NewFunc: no outputs")
	}
	return &Func{g: g, ins: ins, outs: outs, m: gorgonia.NewTapeMachine(g)}, nil
}

// Call runs the graph on the given inputs, one per input node, each with
// the node's shape and dtype.
func (f *Func) Call(ins ...*tensor.Dense) ([]*tensor.Dense, error) {
	if len(ins) != len(f.ins) {
		return nil, fmt.Errorf("engine: %d inputs, expected %d", len(ins), len(f.ins))
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, v := range ins {
		n := f.ins[i]
		if !v.Shape().Eq(n.Shape()) || v.Dtype() != n.Dtype() {
			return nil, fmt.Errorf("engine: input %d is %v %v, expected %v %v", i, v.Dtype(), v.Shape(), n.Dtype(), n.Shape())
		}
		if err := gorgonia.Let(n, v); err != nil {
			return nil, err
		}
	}
	defer f.m.Reset()
	if err := f.m.RunAll(); err != nil {
		return nil, err
	}
	out := make([]*tensor.Dense, len(f.outs))
	for i, n := range f.outs {
		d, ok := n.Value().(*tensor.Dense)
		if !ok {
			return nil, fmt.Errorf("engine: output %d is %T, expected a tensor", i, n.Value())
		}
		out[i] = d.Clone().(*tensor.Dense)
	}
	return out, nil
}

// Key identifies a cached Func: the object that built it (a bijector or a
// distribution), what it computes, and the input's shape and dtype.
type Key struct {
	Owner      any
	Kind       string
	Rows, Cols int
	DType      tensor.Dtype
}

// Cache holds Funcs by Key. The zero value is ready to use.
type Cache struct {
	mu sync.Mutex
	m  map[Key]*Func
}

// Get returns the Func for k, building it with build on first use.
func (c *Cache) Get(k Key, build func() (*Func, error)) (*Func, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if f, ok := c.m[k]; ok {
		return f, nil
	}
	f, err := build()
	if err != nil {
		return nil, err
	}
	if c.m == nil {
		c.m = make(map[Key]*Func)
	}
	c.m[k] = f
	return f, nil
}
