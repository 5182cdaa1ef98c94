//go:build gpu

package engine

import (
	"fmt"
	"math"
	"unsafe"

	"gorgonia.org/cu"
	"gorgonia.org/tensor"
)

// cudaTrainer keeps a whole training run on the GPU: the data set, the
// parameters, Adam's moments and the per-step losses. A step runs the loss
// and gradient program on its batch, then train_guard (checks that loss
// and gradients are finite, gathers the next batch, advances the
// counters) and adam_step (TrainerLaunches) — all without the host; after
// warm-up it is one CUDA graph launch. After a non-finite step every later
// step of the epoch is skipped, so the parameters stay the last good ones.
type cudaTrainer struct {
	d     *cudaDev
	spec  TrainSpec
	nPar  int
	block cu.DevicePtr // one allocation for everything below
	size  int64

	params, m, v          cu.DevicePtr
	state                 []cu.DevicePtr // one per spec.State tensor
	data, perm, losses    cu.DevicePtr
	counters              cu.DevicePtr // step (int64), t (int64), bad (int32), done (int32): see TrainerCounters
	full, rest            *cudaProgram
	gFull, gRest          *cudaGraph
	stepsFull, stepsPerEp int
	permHost              []int64
	lossHost              []float32
	perStep               int // launches of a full step, as enqueued
}

func (t *cudaTrainer) bad() cu.DevicePtr { return t.counters + counterBad }

func newCUDATrainer(dev Device, spec TrainSpec) (DeviceTrainer, error) {
	d, ok := dev.(*cudaDev)
	if !ok {
		return nil, fmt.Errorf("engine: device %v is not the cuda device", dev)
	}
	var err error
	if spec.LR, spec.Beta1, spec.Beta2, spec.Epsilon, err = adamDefaults(spec.LR, spec.Beta1, spec.Beta2, spec.Epsilon); err != nil {
		return nil, err
	}
	t := &cudaTrainer{d: d, spec: spec}
	for _, p := range spec.Params {
		if p.Dtype() != tensor.Float32 {
			return nil, fmt.Errorf("engine: parameter of dtype %v; the cuda device trains float32", p.Dtype())
		}
		t.nPar += p.Shape().TotalSize()
	}
	t.stepsFull = spec.Rows / spec.Batch
	t.stepsPerEp = t.stepsFull
	if spec.Rows%spec.Batch != 0 {
		t.stepsPerEp++
	}
	par := roundUp(int64(t.nPar) * 4)
	sizes := []int64{par, par, par, roundUp(int64(len(spec.Data)) * 4), roundUp(int64(spec.Rows) * 8), roundUp(int64(t.stepsPerEp) * 4), align}
	for _, s := range sizes {
		t.size += s
	}
	stateOff := t.size
	for _, s := range spec.State {
		if s.Dtype() != tensor.Float32 {
			return nil, fmt.Errorf("engine: state tensor of dtype %v; the cuda device trains float32", s.Dtype())
		}
		t.size += roundUp(int64(s.Shape().TotalSize()) * 4)
	}
	err = d.do(func() error {
		var err error
		if t.block, err = d.pool.alloc(t.size); err != nil {
			return err
		}
		ptrs := []*cu.DevicePtr{&t.params, &t.m, &t.v, &t.data, &t.perm, &t.losses, &t.counters}
		off := t.block
		for i, p := range ptrs {
			*p = off
			off += cu.DevicePtr(sizes[i])
		}
		// Parameters back to back, in gradient order.
		o := t.params
		for _, p := range spec.Params {
			host := p.Float32s()
			if err := d.upload(o, hostPtr(host), int64(len(host))*4); err != nil {
				return err
			}
			o += cu.DevicePtr(len(host) * 4)
		}
		if err := d.upload(t.data, hostPtr(spec.Data), int64(len(spec.Data))*4); err != nil {
			return err
		}
		so := t.block + cu.DevicePtr(stateOff)
		for _, s := range spec.State {
			host := s.Float32s()
			if err := d.upload(so, hostPtr(host), int64(len(host))*4); err != nil {
				return err
			}
			t.state = append(t.state, so)
			so += cu.DevicePtr(roundUp(int64(len(host)) * 4))
		}
		for _, z := range []cu.DevicePtr{t.m, t.v, t.counters} {
			n := par / 4
			if z == t.counters {
				n = align / 4
			}
			if err := cudaErr("cuMemsetD32Async", cu.MemsetD32Async(z, 0, n, d.stream)); err != nil {
				return err
			}
		}
		return cudaErr("cuStreamSynchronize", d.stream.Synchronize())
	})
	if err != nil {
		return nil, err
	}
	shared := map[*tensor.Dense]cu.DevicePtr{}
	for i, s := range spec.State {
		shared[s] = t.state[i]
	}
	o := t.params
	for _, p := range spec.Params {
		shared[p] = o
		o += cu.DevicePtr(p.Shape().TotalSize() * 4)
	}
	if t.full, err = t.program(spec.Full, shared); err != nil {
		return nil, err
	}
	if spec.Rest != nil {
		if t.rest, err = t.program(spec.Rest, shared); err != nil {
			return nil, err
		}
	}
	t.permHost = make([]int64, spec.Rows)
	t.lossHost = make([]float32, t.stepsPerEp)
	return t, nil
}

func (t *cudaTrainer) program(p *Plan, shared map[*tensor.Dense]cu.DevicePtr) (*cudaProgram, error) {
	if len(p.Inputs) != 1 || len(p.Outputs) != len(t.spec.Params)+1 {
		return nil, fmt.Errorf("engine: a training plan has one input and the loss plus %d gradients; this one has %d inputs and %d outputs",
			len(t.spec.Params), len(p.Inputs), len(p.Outputs))
	}
	for i, par := range t.spec.Params {
		if p.Buffers[p.Outputs[i+1]].Size != par.Shape().TotalSize() {
			return nil, fmt.Errorf("engine: gradient %d has %d values, parameter %d has %d", i, p.Buffers[p.Outputs[i+1]].Size, i, par.Shape().TotalSize())
		}
	}
	return t.d.newProgram(p, shared, p.Outputs[1:])
}

// spec is what the trainer's launches need to know of prog's steps.
func (t *cudaTrainer) stepSpec(prog *cudaProgram) TrainStepSpec {
	next := 0
	if prog == t.full {
		next = t.stepsFull
	}
	return TrainStepSpec{Cols: t.spec.Cols, Batch: t.spec.Batch, Next: next,
		LR: t.spec.LR, Beta1: t.spec.Beta1, Beta2: t.spec.Beta2, Epsilon: t.spec.Epsilon}
}

// launch enqueues l, a launch of prog or of the trainer (device thread only).
func (t *cudaTrainer) launch(prog *cudaProgram, l Launch) error {
	args := prog.slots(l.Args)
	for i, a := range l.Args {
		if a.Kind == ArgTrainer {
			base := []cu.DevicePtr{TrainerParams: t.params, TrainerM: t.m, TrainerV: t.v, TrainerData: t.data,
				TrainerPerm: t.perm, TrainerLosses: t.losses, TrainerCounters: t.counters}[a.Index]
			args[i] = uint64(base) + a.Value
		}
	}
	return t.d.launch(l.Kernel, l.Grid, l.Block, args)
}

// enqueueStep records one training step of prog on the stream: the
// program's launches, then the trainer's two (its batch is already in
// place: gathered by the step before, or by gather).
func (t *cudaTrainer) enqueueStep(prog *cudaProgram) error {
	if err := prog.enqueue(); err != nil {
		return err
	}
	n := len(prog.plan.Launches)
	for _, l := range TrainerLaunches(prog.plan, t.stepSpec(prog)) {
		if err := t.launch(prog, l); err != nil {
			return err
		}
		n++
	}
	if prog == t.full {
		t.perStep = n
	}
	return nil
}

// LaunchesPerStep is the number of kernels the last full training step
// enqueued (the nodes of its CUDA graph); 0 before the first step.
func (t *cudaTrainer) LaunchesPerStep() int { return t.perStep }

// gather enqueues the gathering of the current step's batch into prog's
// input (an epoch's first batch, and its short last one).
func (t *cudaTrainer) gather(prog *cudaProgram) error {
	return t.launch(prog, GatherLaunch(prog.plan, t.stepSpec(prog)))
}

// run replays a captured step, capturing it first if needed, or launches
// it kernel by kernel when graphs are off or during warm-up.
func (t *cudaTrainer) run(prog *cudaProgram, graph **cudaGraph, warm bool) error {
	if !t.spec.Graphs || !warm {
		return t.enqueueStep(prog)
	}
	if *graph == nil {
		g, err := capture(t.d.stream, func() error { return t.enqueueStep(prog) })
		if err != nil {
			return err
		}
		*graph = g
	}
	return (*graph).launch(t.d.stream)
}

func (t *cudaTrainer) Epoch(order []int) ([]float64, error) {
	if len(order) != t.spec.Rows {
		return nil, fmt.Errorf("engine: order has %d rows, the data %d", len(order), t.spec.Rows)
	}
	for i, r := range order {
		t.permHost[i] = int64(r)
	}
	var bad int32
	err := t.d.do(func() error {
		d := t.d
		if err := d.upload(t.perm, hostPtr(t.permHost), int64(len(t.permHost))*8); err != nil {
			return err
		}
		// A new epoch: step index 0, bad and the finished-block count cleared
		// (Adam's t carries on).
		if err := cudaErr("cuMemsetD32Async", cu.MemsetD32Async(t.counters+counterStep, 0, 2, d.stream)); err != nil {
			return err
		}
		if err := cudaErr("cuMemsetD32Async", cu.MemsetD32Async(t.counters+counterBad, 0, 2, d.stream)); err != nil {
			return err
		}
		if t.stepsFull > 0 {
			if err := t.gather(t.full); err != nil {
				return err
			}
		}
		for s := 0; s < t.stepsFull; s++ {
			if err := t.run(t.full, &t.gFull, s > 0 || t.gFull != nil); err != nil {
				return err
			}
		}
		if t.rest != nil {
			if err := t.gather(t.rest); err != nil {
				return err
			}
			if err := t.run(t.rest, &t.gRest, t.gRest != nil || t.stepsFull > 0); err != nil {
				return err
			}
		}
		if err := d.download(hostPtr(t.lossHost), t.losses, int64(len(t.lossHost))*4); err != nil {
			return err
		}
		return d.download(unsafe.Pointer(&bad), t.bad(), 4)
	})
	if err != nil {
		return nil, err
	}
	losses := make([]float64, len(t.lossHost))
	for i, l := range t.lossHost {
		losses[i] = float64(l)
	}
	if bad != 0 {
		for i, l := range losses {
			if math.IsNaN(l) || math.IsInf(l, 0) {
				return losses, &NonFiniteStep{Step: i, Loss: l}
			}
		}
		return losses, &NonFiniteStep{Step: len(losses) - 1, Loss: math.NaN()}
	}
	return losses, nil
}

func (t *cudaTrainer) Sync() error {
	return t.d.do(func() error {
		o := t.params
		for _, p := range t.spec.Params {
			host := p.Float32s()
			if err := t.d.download(hostPtr(host), o, int64(len(host))*4); err != nil {
				return err
			}
			o += cu.DevicePtr(len(host) * 4)
		}
		for i, s := range t.spec.State {
			host := s.Float32s()
			if err := t.d.download(hostPtr(host), t.state[i], int64(len(host))*4); err != nil {
				return err
			}
		}
		return nil
	})
}

func (t *cudaTrainer) Close() error {
	for _, g := range []*cudaGraph{t.gFull, t.gRest} {
		if g != nil {
			t.d.do(func() error { g.destroy(); return nil })
		}
	}
	t.full.free()
	if t.rest != nil {
		t.rest.free()
	}
	return t.d.do(func() error { t.d.pool.release(t.block, t.size); return nil })
}
