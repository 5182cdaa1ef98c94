package engine

import (
	"fmt"
	"os"
	"sync"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Executor selects how a Func runs its graph.
type Executor string

const (
	// Compiled runs a Program: planned buffers, one kernel call per op.
	Compiled Executor = "compiled"
	// Tape runs Gorgonia's TapeMachine: the reference, for debugging.
	Tape Executor = "tape"
)

// DefaultExecutor is the executor of the Funcs that bijectors and
// distributions build: Compiled, or Tape when the environment variable
// NFLOW_EXECUTOR is "tape".
var DefaultExecutor = func() Executor {
	if os.Getenv("NFLOW_EXECUTOR") == string(Tape) {
		return Tape
	}
	return Compiled
}()

// Func evaluates a graph: it binds values to the input nodes, runs the
// graph and returns copies of the output nodes' values. A Func is safe for
// concurrent use; calls are serialized.
type Func struct {
	mu   sync.Mutex
	ins  gorgonia.Nodes
	outs gorgonia.Nodes
	m    gorgonia.VM // Tape
	p    *Program    // Compiled
}

// NewFunc returns a Func over g that reads ins and returns outs, run by exec.
func NewFunc(g *gorgonia.ExprGraph, ins, outs gorgonia.Nodes, exec Executor) (*Func, error) {
	if len(outs) == 0 {
		return nil, fmt.Errorf("engine.NewFunc: no outputs")
	}
	f := &Func{ins: ins, outs: outs}
	switch exec {
	case Tape:
		f.m = gorgonia.NewTapeMachine(g)
	case Compiled, "":
		p, err := Compile(g, ins, outs, CPU)
		if err != nil {
			return nil, err
		}
		f.p = p
	default:
		return nil, fmt.Errorf("engine.NewFunc: executor %q, expected compiled or tape", exec)
	}
	return f, nil
}

// Call runs the graph on the given inputs, one per input node, each with
// the node's shape and dtype.
func (f *Func) Call(ins ...*tensor.Dense) ([]*tensor.Dense, error) {
	if len(ins) != len(f.ins) {
		return nil, fmt.Errorf("engine: %d inputs, expected %d", len(ins), len(f.ins))
	}
	for i, v := range ins {
		n := f.ins[i]
		if !v.Shape().Eq(n.Shape()) || v.Dtype() != n.Dtype() {
			return nil, fmt.Errorf("engine: input %d is %v %v, expected %v %v", i, v.Dtype(), v.Shape(), n.Dtype(), n.Shape())
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.p != nil {
		return f.callCompiled(ins)
	}
	return f.callTape(ins)
}

func (f *Func) callCompiled(ins []*tensor.Dense) ([]*tensor.Dense, error) {
	for i, v := range ins {
		if err := tensor.Copy(f.p.Input(i), v); err != nil {
			return nil, err
		}
	}
	f.p.Run()
	out := make([]*tensor.Dense, len(f.outs))
	for i, n := range f.outs {
		o := f.p.Output(i).Clone().(*tensor.Dense)
		if err := o.Reshape(n.Shape()...); err != nil && !n.IsScalar() {
			return nil, err
		}
		out[i] = o
	}
	return out, nil
}

func (f *Func) callTape(ins []*tensor.Dense) ([]*tensor.Dense, error) {
	for i, v := range ins {
		if err := gorgonia.Let(f.ins[i], v); err != nil {
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

// Cache holds Funcs by Key, at most MaxCached of them: adding one more
// drops the least recently used. The zero value is ready to use.
type Cache struct {
	mu   sync.Mutex
	m    map[Key]*Func
	used map[Key]uint64
	tick uint64
}

// MaxCached bounds the number of Funcs a Cache keeps.
const MaxCached = 64

// Len is the number of cached Funcs.
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}

// Get returns the Func for k, building it with build on first use. k.Owner
// must be comparable (a pointer, typically).
func (c *Cache) Get(k Key, build func() (*Func, error)) (*Func, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.tick++
	if f, ok := c.m[k]; ok {
		c.used[k] = c.tick
		return f, nil
	}
	f, err := build()
	if err != nil {
		return nil, err
	}
	if c.m == nil {
		c.m, c.used = make(map[Key]*Func), make(map[Key]uint64)
	}
	if len(c.m) >= MaxCached {
		var oldest Key
		first := true
		for key, t := range c.used {
			if first || t < c.used[oldest] {
				oldest, first = key, false
			}
		}
		delete(c.m, oldest)
		delete(c.used, oldest)
	}
	c.m[k], c.used[k] = f, c.tick
	return f, nil
}
