package engine

import (
	"fmt"
	"os"
	"runtime"
	"sync"

	"github.com/nflowgo/nflow/kernels/cpu/gemm"
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
// concurrent use: compiled Funcs run concurrent calls in parallel, each on
// a program of its own (lowered from the same plan on first need); the
// TapeMachine serializes them.
type Func struct {
	mu   sync.Mutex
	ins  gorgonia.Nodes
	outs gorgonia.Nodes
	m    gorgonia.VM // Tape
	plan *Plan       // Compiled: lowered once per concurrent caller
	free []*Program  // Compiled programs not in use
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
		f.plan, f.free = p.Plan(), []*Program{p}
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
	if f.plan != nil {
		return f.callCompiled(ins)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.callTape(ins)
}

// program takes a free program, lowering a new one if all are busy.
func (f *Func) program() (*Program, error) {
	f.mu.Lock()
	if n := len(f.free); n > 0 {
		p := f.free[n-1]
		f.free = f.free[:n-1]
		f.mu.Unlock()
		return p, nil
	}
	f.mu.Unlock()
	return lowerCPU(f.plan)
}

func (f *Func) release(p *Program) {
	f.mu.Lock()
	f.free = append(f.free, p)
	f.mu.Unlock()
}

func (f *Func) callCompiled(ins []*tensor.Dense) ([]*tensor.Dense, error) {
	p, err := f.program()
	if err != nil {
		return nil, err
	}
	defer f.release(p)
	for i, v := range ins {
		if err := tensor.Copy(p.Input(i), v); err != nil {
			return nil, err
		}
	}
	p.Run()
	out := make([]*tensor.Dense, len(f.outs))
	for i, n := range f.outs {
		o := p.Output(i).Clone().(*tensor.Dense)
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

// ParallelRows is the least number of rows that CallRows splits across
// goroutines.
const ParallelRows = 2048

// chunkBytes bounds the buffers of one call in CallRows: a part's rows run
// through its Func in chunks whose buffers fit in the last-level cache, so
// a layer's output is still there when the next op reads it.
const chunkBytes = 8 << 20

// minChunk is the fewest rows of a chunk: smaller products lose more to
// per-call costs than the cache saves.
const minChunk = 256

// CallRows evaluates a row-wise function of one input x [N, ...] whose
// outputs are all [N, ...]: for N >= ParallelRows it splits the rows into
// one part per CPU and runs the parts concurrently, each in chunks of rows
// whose buffers fit in chunkBytes (at least minChunk rows), on the Funcs
// that get returns for those sizes, and joins the outputs; otherwise it is
// one call.
func CallRows(x *tensor.Dense, get func(rows int) (*Func, error)) ([]*tensor.Dense, error) {
	n := x.Shape()[0]
	parts := min(runtime.GOMAXPROCS(0), n/(ParallelRows/2))
	if n < ParallelRows || parts < 2 {
		f, err := get(n)
		if err != nil {
			return nil, err
		}
		return f.Call(x)
	}
	cols := x.Shape().TotalSize() / n
	probe, err := get(minChunk)
	if err != nil {
		return nil, err
	}
	chunk := n // the TapeMachine: no plan to size chunks by
	if probe.plan != nil {
		chunk = max(minChunk, chunkBytes/max(1, probe.plan.Bytes()/minChunk))
	}
	// Chunks of every part: chunks [lo, hi) of equal size ±1, so at most two
	// distinct sizes and Funcs.
	nChunks := parts * max(1, (n/parts+chunk-1)/chunk)
	bounds := make([]int, nChunks+1)
	fs := make([]*Func, nChunks)
	for c := range fs {
		bounds[c+1] = (c + 1) * n / nChunks
		if fs[c], err = get(bounds[c+1] - c*n/nChunks); err != nil {
			return nil, err
		}
	}
	results := make([][]*tensor.Dense, nChunks)
	errs := make([]error, parts)
	per := nChunks / parts
	gemm.Serial(func() { // every CPU has a part: no product splits further
		var wg sync.WaitGroup
		for p := 0; p < parts; p++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for c := p * per; c < (p+1)*per && errs[p] == nil; c++ {
					results[c], errs[p] = fs[c].Call(rowSlice(x, bounds[c], bounds[c+1], cols))
				}
			}()
		}
		wg.Wait()
	})
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	out := make([]*tensor.Dense, len(results[0]))
	for k := range out {
		shape := results[0][k].Shape().Clone()
		shape[0] = n
		var pieces []*tensor.Dense
		for c := range results {
			pieces = append(pieces, results[c][k])
		}
		out[k] = joinRows(pieces, shape)
	}
	return out, nil
}

// rowSlice views rows [lo, hi) of x (no copy).
func rowSlice(x *tensor.Dense, lo, hi, cols int) *tensor.Dense {
	shape := x.Shape().Clone()
	shape[0] = hi - lo
	if x.Dtype() == tensor.Float32 {
		return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(x.Float32s()[lo*cols:hi*cols]))
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(x.Float64s()[lo*cols:hi*cols]))
}

// joinRows concatenates tensors along their first dimension, into one
// allocation of the joined size.
func joinRows(parts []*tensor.Dense, shape tensor.Shape) *tensor.Dense {
	if parts[0].Dtype() == tensor.Float32 {
		all := make([]float32, 0, shape.TotalSize())
		for _, p := range parts {
			all = append(all, p.Float32s()...)
		}
		return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(all))
	}
	all := make([]float64, 0, shape.TotalSize())
	for _, p := range parts {
		all = append(all, p.Float64s()...)
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(all))
}
