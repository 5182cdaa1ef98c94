package engine

import (
	"fmt"

	"github.com/nflowgo/nflow/ops"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Program is a graph compiled for one device: the op nodes that the
// outputs need, sorted once, each a kernel call over buffers planned by
// liveness and allocated at compile time. Run performs no heap allocation.
//
// Input nodes bound to a value (parameters) are read in place from that
// value's memory, so updating a parameter tensor is seen by the next Run.
// Input nodes without a value are the program's inputs: write them through
// Input(i) before Run. Outputs are views valid until the next Run.
type Program struct {
	dev     Device
	dtype   tensor.Dtype
	steps   []step
	bufs    []buffer
	inputs  []int // buffer of each input
	outputs []int // buffer of each output
	inT     []*tensor.Dense
	outT    []*tensor.Dense
	nodeBuf map[*gorgonia.Node]int
	kids    map[*gorgonia.Node]gorgonia.Nodes
}

// buffer is one planned allocation (or a parameter's own memory).
type buffer struct {
	f32 []float32
	f64 []float64
}

type step struct {
	name   string
	k      ops.Kernel
	shapes []tensor.Shape
	in32   [][]float32
	in64   [][]float64
	out32  []float32
	out64  []float64
}

// Compile compiles the part of g that computes outputs from inputs for
// device dev (nil: CPU). Every op node involved must have a kernel on dev,
// or Compile returns an error naming the op.
func Compile(g *gorgonia.ExprGraph, inputs, outputs gorgonia.Nodes, dev Device) (*Program, error) {
	if dev == nil {
		dev = CPU
	}
	if len(outputs) == 0 {
		return nil, fmt.Errorf("engine.Compile: no outputs")
	}
	dt := outputs[0].Dtype()
	if dt != tensor.Float32 && dt != tensor.Float64 {
		return nil, fmt.Errorf("engine.Compile: dtype %v, expected float32 or float64", dt)
	}
	order, kids, err := needed(g, outputs)
	if err != nil {
		return nil, err
	}
	p := &Program{dev: dev, dtype: dt, nodeBuf: map[*gorgonia.Node]int{}, kids: kids}
	isInput := map[*gorgonia.Node]bool{}
	for _, n := range inputs {
		isInput[n] = true
	}
	// Leaves: inputs, parameters and constants.
	for _, n := range order {
		if n.Op() != nil && !isConstant(n) {
			continue
		}
		if n.Dtype() != dt {
			return nil, fmt.Errorf("engine.Compile: node %v is %v, the program is %v", n, n.Dtype(), dt)
		}
		switch {
		case isInput[n]:
			p.nodeBuf[n] = p.alloc(n.Shape().TotalSize())
		case n.Value() != nil:
			b, err := p.bind(n)
			if err != nil {
				return nil, err
			}
			p.nodeBuf[n] = b
		default:
			return nil, fmt.Errorf("engine.Compile: node %v has no value and is not a program input", n)
		}
	}
	for _, n := range inputs {
		if _, ok := p.nodeBuf[n]; !ok { // an input the outputs do not read
			p.nodeBuf[n] = p.alloc(n.Shape().TotalSize())
		}
	}
	if err := p.plan(order, outputs); err != nil {
		return nil, err
	}
	for _, n := range inputs {
		p.inputs = append(p.inputs, p.nodeBuf[n])
		p.inT = append(p.inT, p.view(p.nodeBuf[n], n.Shape()))
	}
	for _, n := range outputs {
		p.outputs = append(p.outputs, p.nodeBuf[n])
		p.outT = append(p.outT, p.view(p.nodeBuf[n], n.Shape()))
	}
	return p, nil
}

// needed returns the nodes the outputs depend on, in topological order
// (inputs first), and each node's children in argument order.
func needed(g *gorgonia.ExprGraph, outputs gorgonia.Nodes) (gorgonia.Nodes, map[*gorgonia.Node]gorgonia.Nodes, error) {
	sorted, err := gorgonia.Sort(g)
	if err != nil {
		return nil, nil, err
	}
	want := map[*gorgonia.Node]bool{}
	kids := map[*gorgonia.Node]gorgonia.Nodes{}
	var mark func(n *gorgonia.Node)
	mark = func(n *gorgonia.Node) {
		if want[n] {
			return
		}
		want[n] = true
		var cs gorgonia.Nodes
		for it := g.From(n.ID()); it.Next(); {
			cs = append(cs, it.Node().(*gorgonia.Node))
		}
		kids[n] = cs
		for _, c := range cs {
			mark(c)
		}
	}
	for _, o := range outputs {
		mark(o)
	}
	var order gorgonia.Nodes
	for i := len(sorted) - 1; i >= 0; i-- {
		if want[sorted[i]] {
			order = append(order, sorted[i])
		}
	}
	return order, kids, nil
}

// isConstant reports whether n is a Gorgonia constant (such as the 1 that
// gorgonia.Grad seeds the backward pass with).
func isConstant(n *gorgonia.Node) bool {
	switch fmt.Sprintf("%T", n.Op()) {
	case "gorgonia.constantScalar", "gorgonia.constantTensor":
		return true
	}
	return false
}

func (p *Program) alloc(size int) int {
	var b buffer
	if p.dtype == tensor.Float32 {
		b.f32 = make([]float32, size)
	} else {
		b.f64 = make([]float64, size)
	}
	p.bufs = append(p.bufs, b)
	return len(p.bufs) - 1
}

// bind makes a buffer that aliases a leaf's value (parameters) or holds a
// copy of a constant.
func (p *Program) bind(n *gorgonia.Node) (int, error) {
	var b buffer
	switch v := n.Value().(type) {
	case *tensor.Dense:
		if p.dtype == tensor.Float32 {
			b.f32 = v.Float32s()
		} else {
			b.f64 = v.Float64s()
		}
	case *gorgonia.F32:
		b.f32 = []float32{float32(*v)}
	case *gorgonia.F64:
		b.f64 = []float64{float64(*v)}
	default:
		return 0, fmt.Errorf("engine.Compile: node %v holds %T, expected a tensor or a scalar", n, v)
	}
	p.bufs = append(p.bufs, b)
	return len(p.bufs) - 1, nil
}

func (p *Program) view(b int, s tensor.Shape) *tensor.Dense {
	shape := s.Clone()
	if len(shape) == 0 {
		shape = tensor.Shape{1}
	}
	if p.dtype == tensor.Float32 {
		return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(p.bufs[b].f32))
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(p.bufs[b].f64))
}

// plan assigns every op node an output buffer, reusing buffers of the same
// size once their last reader has run, and builds the steps.
func (p *Program) plan(order, outputs gorgonia.Nodes) error {
	var opNodes gorgonia.Nodes
	for _, n := range order {
		if n.Op() != nil && !isConstant(n) {
			opNodes = append(opNodes, n)
		}
	}
	last := map[*gorgonia.Node]int{}
	for i, n := range opNodes {
		for _, c := range p.kids[n] {
			last[c] = i
		}
	}
	for _, o := range outputs {
		last[o] = len(opNodes)
	}
	free := map[int][]int{} // size -> buffers
	owned := map[int]bool{} // buffers planned here (reusable)
	for i, n := range opNodes {
		k, err := p.dev.Kernel(n.Op())
		if err != nil {
			return err
		}
		size := n.Shape().TotalSize()
		var b int
		if l := free[size]; len(l) > 0 {
			b, free[size] = l[len(l)-1], l[:len(l)-1]
		} else {
			b = p.alloc(size)
			owned[b] = true
		}
		p.nodeBuf[n] = b
		st := step{name: n.Op().String(), k: k}
		for _, c := range p.kids[n] {
			cb, ok := p.nodeBuf[c]
			if !ok {
				return fmt.Errorf("engine.Compile: %v reads %v, which has no buffer", n, c)
			}
			st.shapes = append(st.shapes, c.Shape().Clone())
			st.in32 = append(st.in32, p.bufs[cb].f32)
			st.in64 = append(st.in64, p.bufs[cb].f64)
		}
		st.out32, st.out64 = p.bufs[b].f32, p.bufs[b].f64
		p.steps = append(p.steps, st)
		// Release the buffers whose last reader is this step.
		for _, c := range p.kids[n] {
			if last[c] == i && c.Op() != nil && !isConstant(c) {
				cb := p.nodeBuf[c]
				if owned[cb] {
					s := c.Shape().TotalSize()
					free[s] = append(free[s], cb)
					last[c] = -1 // released once even if read twice
				}
			}
		}
	}
	return nil
}

// Run executes the program. It does not allocate.
func (p *Program) Run() {
	if p.dtype == tensor.Float32 {
		for i := range p.steps {
			s := &p.steps[i]
			s.k.Exec32(s.out32, s.in32, s.shapes)
		}
		return
	}
	for i := range p.steps {
		s := &p.steps[i]
		s.k.Exec64(s.out64, s.in64, s.shapes)
	}
}

// Input returns input i's buffer as a tensor to write before Run.
func (p *Program) Input(i int) *tensor.Dense { return p.inT[i] }

// Output returns output i's buffer as a tensor (a scalar output has shape
// [1]). It is overwritten by the next Run.
func (p *Program) Output(i int) *tensor.Dense { return p.outT[i] }

// NumSteps is the number of kernel calls per Run.
func (p *Program) NumSteps() int { return len(p.steps) }

// NumBuffers is the number of planned buffers (parameters and inputs included).
func (p *Program) NumBuffers() int { return len(p.bufs) }

// Bytes is the memory the program allocated for its planned buffers.
func (p *Program) Bytes() int {
	n := 0
	elem := 4
	if p.dtype == tensor.Float64 {
		elem = 8
	}
	for _, b := range p.bufs {
		n += (len(b.f32) + len(b.f64)) * elem
	}
	return n
}
