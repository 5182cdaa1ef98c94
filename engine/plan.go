package engine

import (
	"errors"
	"fmt"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Role is what a planned buffer holds.
type Role int

const (
	Temp  Role = iota // an op's output, reused once its last reader has run
	Input             // a program input, written by the caller before each run
	Bound             // a leaf bound to a value: a parameter (read in place) or a constant
)

// Buffer is one planned allocation, in elements of the plan's dtype.
type Buffer struct {
	Size  int
	Role  Role
	Value gorgonia.Value // Bound buffers: the leaf's value
	Name  string
}

// Step is one kernel call: Op reads buffers In (with Shapes) and writes Out.
// From[i] is the step that produced input i (-1 for inputs and bound leaves).
type Step struct {
	Op       gorgonia.Op
	In       []int
	From     []int
	Shapes   []tensor.Shape
	Out      int
	OutShape tensor.Shape
}

// Plan is a graph scheduled for execution on any device: the op nodes the
// outputs need, in topological order, over numbered buffers planned by
// liveness. Devices lower a Plan to their own kernels.
type Plan struct {
	DType   tensor.Dtype
	Buffers []Buffer
	Steps   []Step
	Inputs  []int // buffer of each input node
	Outputs []int // buffer of each output node

	InputShapes, OutputShapes []tensor.Shape
}

// ErrEmptyInput is wrapped by the error NewPlan returns for an input
// node with a zero dimension ([0, D], say): every executor, CPU or CUDA,
// refuses such a graph when it is compiled, before any call.
var ErrEmptyInput = errors.New("empty input")

// NewPlan schedules the part of g that computes outputs from inputs.
// Leaves that are not inputs must hold a value (parameters, constants).
// An input with a zero dimension is an error wrapping ErrEmptyInput.
func NewPlan(g *gorgonia.ExprGraph, inputs, outputs gorgonia.Nodes) (*Plan, error) {
	if len(outputs) == 0 {
		return nil, fmt.Errorf("engine: no outputs")
	}
	dt := outputs[0].Dtype()
	if dt != tensor.Float32 && dt != tensor.Float64 {
		return nil, fmt.Errorf("engine: dtype %v, expected float32 or float64", dt)
	}
	order, kids, err := needed(g, outputs)
	if err != nil {
		return nil, err
	}
	p := &Plan{DType: dt}
	buf := map[*gorgonia.Node]int{}
	add := func(b Buffer) int {
		p.Buffers = append(p.Buffers, b)
		return len(p.Buffers) - 1
	}
	isInput := map[*gorgonia.Node]bool{}
	for i, n := range inputs {
		isInput[n] = true
		if n.Shape().TotalSize() == 0 {
			return nil, fmt.Errorf("engine: input %d (%s) of shape %v: %w, expected every dimension >= 1", i, n.Name(), n.Shape(), ErrEmptyInput)
		}
		if n.Dtype() != dt {
			return nil, fmt.Errorf("engine: input %v is %v, the program is %v", n, n.Dtype(), dt)
		}
		buf[n] = add(Buffer{Size: n.Shape().TotalSize(), Role: Input, Name: n.Name()})
	}
	var opNodes gorgonia.Nodes
	for _, n := range order {
		if isInput[n] {
			continue
		}
		if n.Op() != nil && !isConstant(n) {
			opNodes = append(opNodes, n)
			continue
		}
		if n.Dtype() != dt {
			return nil, fmt.Errorf("engine: node %v is %v, the program is %v", n, n.Dtype(), dt)
		}
		if n.Value() == nil {
			return nil, fmt.Errorf("engine: node %v has no value and is not a program input", n)
		}
		buf[n] = add(Buffer{Size: n.Shape().TotalSize(), Role: Bound, Value: n.Value(), Name: n.Name()})
	}
	// Liveness: the index of each node's last reader.
	last := map[*gorgonia.Node]int{}
	for i, n := range opNodes {
		for _, c := range kids[n] {
			last[c] = i
		}
	}
	for _, o := range outputs {
		last[o] = len(opNodes)
	}
	free := map[int][]int{} // size -> released Temp buffers
	producer := map[*gorgonia.Node]int{}
	for i, n := range opNodes {
		producer[n] = i
		size := n.Shape().TotalSize()
		var b int
		if l := free[size]; len(l) > 0 {
			b, free[size] = l[len(l)-1], l[:len(l)-1]
		} else {
			b = add(Buffer{Size: size, Role: Temp})
		}
		buf[n] = b
		st := Step{Op: n.Op(), Out: b, OutShape: n.Shape().Clone()}
		for _, c := range kids[n] {
			cb, ok := buf[c]
			if !ok {
				return nil, fmt.Errorf("engine: %v reads %v, which has no buffer", n, c)
			}
			st.In = append(st.In, cb)
			from, ok := producer[c]
			if !ok {
				from = -1
			}
			st.From = append(st.From, from)
			st.Shapes = append(st.Shapes, c.Shape().Clone())
		}
		p.Steps = append(p.Steps, st)
		for _, c := range kids[n] {
			if last[c] == i && p.Buffers[buf[c]].Role == Temp {
				free[p.Buffers[buf[c]].Size] = append(free[p.Buffers[buf[c]].Size], buf[c])
				last[c] = -1 // released once even if read twice
			}
		}
	}
	for _, n := range inputs {
		p.Inputs = append(p.Inputs, buf[n])
		p.InputShapes = append(p.InputShapes, n.Shape().Clone())
	}
	for _, n := range outputs {
		p.Outputs = append(p.Outputs, buf[n])
		p.OutputShapes = append(p.OutputShapes, n.Shape().Clone())
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

// Bytes is the memory the plan's Temp and Input buffers take.
func (p *Plan) Bytes() int {
	elem := 4
	if p.DType == tensor.Float64 {
		elem = 8
	}
	n := 0
	for _, b := range p.Buffers {
		if b.Role != Bound {
			n += b.Size * elem
		}
	}
	return n
}
