package engine

import (
	"fmt"

	"github.com/nflowgo/nflow/ops"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Program is a Plan lowered to the CPU: one kernel call per step over
// buffers allocated at compile time. Run performs no heap allocation.
//
// Input nodes bound to a value (parameters) are read in place from that
// value's memory, so updating a parameter tensor is seen by the next Run.
// Input nodes without a value are the program's inputs: write them through
// Input(i) before Run. Outputs are views valid until the next Run.
type Program struct {
	plan  *Plan
	steps []step
	f32   [][]float32
	f64   [][]float64
	inT   []*tensor.Dense
	outT  []*tensor.Dense
}

type step struct {
	k      ops.Kernel
	shapes []tensor.Shape
	in32   [][]float32
	in64   [][]float64
	out32  []float32
	out64  []float64
}

// Compile plans the part of g that computes outputs from inputs and lowers
// it to the CPU. Every op must have a CPU kernel, or Compile returns an
// error naming the op. dev must be CPU (or nil); other devices compile
// through their own entry points.
func Compile(g *gorgonia.ExprGraph, inputs, outputs gorgonia.Nodes, dev Device) (*Program, error) {
	if dev != nil && dev.Name() != "cpu" {
		return nil, fmt.Errorf("engine.Compile: device %q; Compile lowers to the cpu", dev.Name())
	}
	plan, err := NewPlan(g, inputs, outputs)
	if err != nil {
		return nil, fmt.Errorf("engine.Compile: %w", err)
	}
	return lowerCPU(plan)
}

func lowerCPU(plan *Plan) (*Program, error) {
	p := &Program{plan: plan}
	f32 := plan.DType == tensor.Float32
	for i, b := range plan.Buffers {
		var s32 []float32
		var s64 []float64
		switch {
		case b.Role != Bound && f32:
			s32 = make([]float32, b.Size)
		case b.Role != Bound:
			s64 = make([]float64, b.Size)
		default:
			switch v := b.Value.(type) {
			case *tensor.Dense:
				if f32 {
					s32 = v.Float32s()
				} else {
					s64 = v.Float64s()
				}
			case *gorgonia.F32:
				s32 = []float32{float32(*v)}
			case *gorgonia.F64:
				s64 = []float64{float64(*v)}
			default:
				return nil, fmt.Errorf("engine.Compile: buffer %d (%s) holds %T, expected a tensor or a scalar", i, b.Name, v)
			}
		}
		p.f32 = append(p.f32, s32)
		p.f64 = append(p.f64, s64)
	}
	for _, st := range plan.Steps {
		k, err := CPUKernel(st.Op)
		if err != nil {
			return nil, err
		}
		s := step{k: k, shapes: st.Shapes, out32: p.f32[st.Out], out64: p.f64[st.Out]}
		for _, b := range st.In {
			s.in32 = append(s.in32, p.f32[b])
			s.in64 = append(s.in64, p.f64[b])
		}
		p.steps = append(p.steps, s)
	}
	for i, b := range plan.Inputs {
		p.inT = append(p.inT, p.view(b, plan.Buffers[b].Size, plan.InputShapes[i]))
	}
	for i, b := range plan.Outputs {
		p.outT = append(p.outT, p.view(b, plan.Buffers[b].Size, plan.OutputShapes[i]))
	}
	return p, nil
}

func (p *Program) view(b, size int, s tensor.Shape) *tensor.Dense {
	shape := s.Clone()
	if len(shape) == 0 {
		shape = tensor.Shape{size}
	}
	if p.plan.DType == tensor.Float32 {
		return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(p.f32[b]))
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(p.f64[b]))
}

// Run executes the program. It does not allocate.
func (p *Program) Run() {
	if p.plan.DType == tensor.Float32 {
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

// BindInput makes input i read data (a []float32 or []float64 of the
// program's dtype and the input's size) in place of its own buffer, so a
// caller can hand the program a view, such as a shard of a larger batch,
// instead of copying into Input(i).
func (p *Program) BindInput(i int, data any) error {
	if i < 0 || i >= len(p.plan.Inputs) {
		return fmt.Errorf("engine: input %d of %d", i, len(p.plan.Inputs))
	}
	b := p.plan.Inputs[i]
	size := p.plan.Buffers[b].Size
	switch v := data.(type) {
	case []float32:
		if p.plan.DType != tensor.Float32 || len(v) != size {
			return fmt.Errorf("engine: input %d binds %d float32s, expected %d %v", i, len(v), size, p.plan.DType)
		}
		p.f32[b] = v
	case []float64:
		if p.plan.DType != tensor.Float64 || len(v) != size {
			return fmt.Errorf("engine: input %d binds %d float64s, expected %d %v", i, len(v), size, p.plan.DType)
		}
		p.f64[b] = v
	default:
		return fmt.Errorf("engine: input %d binds %T, expected []float32 or []float64", i, data)
	}
	for si, st := range p.plan.Steps {
		for j, in := range st.In {
			if in == b {
				p.steps[si].in32[j], p.steps[si].in64[j] = p.f32[b], p.f64[b]
			}
		}
	}
	p.inT[i] = p.view(b, size, p.plan.InputShapes[i])
	for k, o := range p.plan.Outputs {
		if o == b {
			p.outT[k] = p.view(b, size, p.plan.OutputShapes[k])
		}
	}
	return nil
}

// Plan returns the program's plan.
func (p *Program) Plan() *Plan { return p.plan }

// Input returns input i's buffer as a tensor to write before Run.
func (p *Program) Input(i int) *tensor.Dense { return p.inT[i] }

// Output returns output i's buffer as a tensor (a scalar output has shape
// [1]). It is overwritten by the next Run.
func (p *Program) Output(i int) *tensor.Dense { return p.outT[i] }

// NumSteps is the number of kernel calls per Run.
func (p *Program) NumSteps() int { return len(p.steps) }

// NumBuffers is the number of buffers (parameters and inputs included).
func (p *Program) NumBuffers() int { return len(p.plan.Buffers) }

// Bytes is the memory the program allocated for its own buffers.
func (p *Program) Bytes() int { return p.plan.Bytes() }
