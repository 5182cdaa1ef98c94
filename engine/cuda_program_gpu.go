//go:build gpu

package engine

import (
	"fmt"
	"math"

	"gorgonia.org/cu"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// cudaProgram is a CUDAPlan on the device: every buffer it owns in one
// allocation (256-byte aligned blocks), parameters possibly shared with a
// trainer, and each launch's argument slots resolved to device addresses.
type cudaProgram struct {
	d     *cudaDev
	plan  *CUDAPlan
	base  cu.DevicePtr
	size  int64
	addr  []cu.DevicePtr // per plan buffer
	cAddr []cu.DevicePtr // per constant array
	args  [][]uint64     // per launch
	// scratch holds the partial sums of the split reductions (Scratch floats).
	scratch cu.DevicePtr
}

const align = 256

func roundUp(n int64) int64 { return (n + align - 1) / align * align }

// newProgram lowers p and places its buffers. shared maps parameter
// tensors to device memory a trainer owns; contiguous lists buffers to
// place back to back (no padding) at the start of the allocation, in order
// (the gradients, so Adam sees one flat array).
func (d *cudaDev) newProgram(p *Plan, shared map[*tensor.Dense]cu.DevicePtr, contiguous []int) (*cudaProgram, error) {
	cp, err := LowerCUDA(p)
	if err != nil {
		return nil, err
	}
	prog := &cudaProgram{d: d, plan: cp, addr: make([]cu.DevicePtr, len(cp.Buffers)), cAddr: make([]cu.DevicePtr, len(cp.Consts))}
	offset := map[int]int64{}
	var size int64
	placed := map[int]bool{}
	for _, b := range contiguous {
		offset[b], placed[b] = size, true
		size += int64(cp.Buffers[b].Size) * 4
	}
	size = roundUp(size)
	for i, b := range cp.Buffers {
		if placed[i] {
			continue
		}
		if v, ok := b.Value.(*tensor.Dense); ok && b.Role == Bound && shared[v] != 0 {
			continue
		}
		offset[i] = size
		size += roundUp(int64(b.Size) * 4)
	}
	cOffset := make([]int64, len(cp.Consts))
	for i, c := range cp.Consts {
		cOffset[i] = size
		size += roundUp(int64(len(c.F32))*4 + int64(len(c.I64)+len(c.Slots))*8)
	}
	scratch := size
	size += roundUp(int64(cp.Scratch) * 4)
	err = d.do(func() error {
		var err error
		if prog.base, err = d.pool.alloc(size); err != nil {
			return err
		}
		prog.size = size
		for i, b := range cp.Buffers {
			if v, ok := b.Value.(*tensor.Dense); ok && b.Role == Bound && shared[v] != 0 && !placed[i] {
				prog.addr[i] = shared[v]
				continue
			}
			prog.addr[i] = prog.base + cu.DevicePtr(offset[i])
			if b.Role == Bound {
				host, err := boundFloats(b.Value)
				if err != nil {
					return err
				}
				if err := d.upload(prog.addr[i], hostPtr(host), int64(len(host))*4); err != nil {
					return err
				}
			}
		}
		prog.scratch = prog.base + cu.DevicePtr(scratch)
		for i := range cp.Consts {
			prog.cAddr[i] = prog.base + cu.DevicePtr(cOffset[i])
		}
		for i, c := range cp.Consts {
			switch {
			case len(c.Slots) > 0: // a block program's table, resolved like launch arguments
				table := prog.slots(c.Slots)
				if err := d.upload(prog.cAddr[i], hostPtr(table), int64(len(table))*8); err != nil {
					return err
				}
			case len(c.F32) > 0:
				if err := d.upload(prog.cAddr[i], hostPtr(c.F32), int64(len(c.F32))*4); err != nil {
					return err
				}
			case len(c.I64) > 0:
				if err := d.upload(prog.cAddr[i], hostPtr(c.I64), int64(len(c.I64))*8); err != nil {
					return err
				}
			}
		}
		for _, l := range cp.Init { // mask the stored-masked parameters in place, once
			if err := d.launch(l.Kernel, l.Grid, l.Block, prog.slots(l.Args)); err != nil {
				return err
			}
		}
		return cudaErr("cuStreamSynchronize", d.stream.Synchronize())
	})
	if err != nil {
		return nil, err
	}
	for _, l := range cp.Launches {
		prog.args = append(prog.args, prog.slots(l.Args))
	}
	return prog, nil
}

// slots resolves launch arguments to their 8-byte values (ArgTrainer
// arguments are the trainer's to resolve: they read as 0 here).
func (p *cudaProgram) slots(args []Arg) []uint64 {
	slots := make([]uint64, len(args))
	for j, a := range args {
		switch a.Kind {
		case ArgBuffer:
			slots[j] = uint64(p.addr[a.Index])
		case ArgConst:
			slots[j] = uint64(p.cAddr[a.Index])
		case ArgScratch:
			slots[j] = uint64(p.scratch) + uint64(a.Index)*4
		case ArgInt, ArgFloat:
			slots[j] = a.Value
		}
	}
	return slots
}

func boundFloats(v gorgonia.Value) ([]float32, error) {
	switch x := v.(type) {
	case *tensor.Dense:
		return x.Float32s(), nil
	case *gorgonia.F32:
		return []float32{float32(*x)}, nil
	}
	return nil, fmt.Errorf("engine: bound value %T, expected a float32 tensor or scalar", v)
}

// enqueue launches every kernel of the program on the stream (device thread only).
func (p *cudaProgram) enqueue() error {
	for i, l := range p.plan.Launches {
		if err := p.d.launch(l.Kernel, l.Grid, l.Block, p.args[i]); err != nil {
			return err
		}
	}
	return nil
}

func (p *cudaProgram) free() {
	p.d.do(func() error { p.d.pool.release(p.base, p.size); return nil })
}

// cudaFunc runs a program per call: refresh the parameters, upload the
// inputs, launch, download the outputs.
type cudaFunc struct {
	prog  *cudaProgram
	bound []boundCopy
}

// boundCopy is a Bound buffer (a parameter or constant) and the values
// last uploaded for it. The CPU executor reads parameters in place, so a
// call after the host changed them (further training) must see the new
// values: each call compares the host values with last (one pass, O(P) for
// P parameter values, against the pass's O(N·P)) and uploads only the
// buffers that differ.
type boundCopy struct {
	buf   int
	value gorgonia.Value
	last  []float32
}

func newCUDAFunc(dev Device, plan *Plan) (Caller, error) {
	d, ok := dev.(*cudaDev)
	if !ok {
		return nil, fmt.Errorf("engine: device %v is not the cuda device", dev)
	}
	prog, err := d.newProgram(plan, nil, nil)
	if err != nil {
		return nil, err
	}
	f := &cudaFunc{prog: prog}
	for i, b := range prog.plan.Buffers {
		if b.Role != Bound {
			continue
		}
		host, err := boundFloats(b.Value)
		if err != nil {
			return nil, err
		}
		f.bound = append(f.bound, boundCopy{buf: i, value: b.Value, last: append([]float32(nil), host...)})
	}
	return f, nil
}

// refresh uploads every Bound buffer whose host values changed since the
// last upload (device thread only). Values compare bit for bit, so a NaN
// parameter that stays NaN is not re-sent.
func (f *cudaFunc) refresh() error {
	for i := range f.bound {
		bc := &f.bound[i]
		host, err := boundFloats(bc.value)
		if err != nil {
			return err
		}
		same := len(host) == len(bc.last)
		for j := 0; same && j < len(host); j++ {
			same = math.Float32bits(host[j]) == math.Float32bits(bc.last[j])
		}
		if same {
			continue
		}
		bc.last = append(bc.last[:0], host...)
		if err := f.prog.d.upload(f.prog.addr[bc.buf], hostPtr(bc.last), int64(len(bc.last))*4); err != nil {
			return err
		}
		if err := f.prog.reinit(bc.buf); err != nil {
			return err
		}
	}
	return nil
}

// reinit runs the Init launches that prepare buffer b (the in-place mask
// of a stored-masked parameter) after b was uploaded again (device thread only).
func (p *cudaProgram) reinit(b int) error {
	for _, l := range p.plan.Init {
		if len(l.Args) > 0 && l.Args[0].Kind == ArgBuffer && l.Args[0].Index == b {
			if err := p.d.launch(l.Kernel, l.Grid, l.Block, p.slots(l.Args)); err != nil {
				return err
			}
		}
	}
	return nil
}

func (f *cudaFunc) Call(ins ...*tensor.Dense) ([]*tensor.Dense, error) {
	p := f.prog
	if len(ins) != len(p.plan.Inputs) {
		return nil, fmt.Errorf("engine: %d inputs, expected %d", len(ins), len(p.plan.Inputs))
	}
	outs := make([]*tensor.Dense, len(p.plan.Outputs))
	err := p.d.do(func() error {
		for i, v := range ins {
			b := p.plan.Inputs[i]
			if v.Dtype() != tensor.Float32 || v.Shape().TotalSize() != p.plan.Buffers[b].Size {
				return fmt.Errorf("engine: input %d is %v %v, expected float32 %v", i, v.Dtype(), v.Shape(), p.plan.InputShapes[i])
			}
			host := v.Float32s()
			if err := p.d.upload(p.addr[b], hostPtr(host), int64(len(host))*4); err != nil {
				return err
			}
		}
		if err := f.refresh(); err != nil {
			return err
		}
		if err := p.enqueue(); err != nil {
			return err
		}
		return p.downloadOutputs(outs)
	})
	return outs, err
}

// cudaSampler fills the program's input with Philox normals on the device,
// then runs it.
type cudaSampler struct {
	*cudaFunc
}

func newCUDASampler(dev Device, plan *Plan) (Sampler, error) {
	f, err := newCUDAFunc(dev, plan)
	if err != nil {
		return nil, err
	}
	return cudaSampler{f.(*cudaFunc)}, nil
}

// Sample fills the input's count values with the Philox stream of seed
// from counter 0 (ceil(count/4) counters), so equal seeds give equal
// draws, then runs the program.
func (s cudaSampler) Sample(seed uint64) ([]*tensor.Dense, error) {
	p := s.prog
	b := p.plan.Inputs[0]
	count := p.plan.Buffers[b].Size
	outs := make([]*tensor.Dense, len(p.plan.Outputs))
	err := p.d.do(func() error {
		if err := s.refresh(); err != nil {
			return err
		}
		g, bl := ElementGrid((count + 3) / 4)
		if err := p.d.launch("philox_normal", g, bl, []uint64{uint64(p.addr[b]), uint64(count), seed, 0}); err != nil {
			return err
		}
		if err := p.enqueue(); err != nil {
			return err
		}
		return p.downloadOutputs(outs)
	})
	return outs, err
}

// downloadOutputs copies every output to new host tensors (device thread only).
func (p *cudaProgram) downloadOutputs(outs []*tensor.Dense) error {
	for i, b := range p.plan.Outputs {
		host := make([]float32, p.plan.Buffers[b].Size)
		if err := p.d.download(hostPtr(host), p.addr[b], int64(len(host))*4); err != nil {
			return err
		}
		shape := p.plan.OutputShapes[i].Clone()
		if len(shape) == 0 {
			shape = tensor.Shape{1}
		}
		outs[i] = tensor.New(tensor.WithShape(shape...), tensor.WithBacking(host))
	}
	return nil
}
