package train

import (
	"runtime"

	"github.com/nflowgo/nflow/bijectors"
	"github.com/nflowgo/nflow/dist"
	"github.com/nflowgo/nflow/engine"
	"github.com/nflowgo/nflow/ops"
	"gorgonia.org/tensor"
)

// MinShardRows is the least number of batch rows per shard: a compiled
// step of at least 2·MinShardRows rows is split across two CPUs. On an idle
// machine the lab's step gains from the split even at 32 rows (about 100 µs
// a step), but a small step loses more than it gains when the other CPU is
// busy with other work; from 128 rows the split wins either way.
var MinShardRows = 64

// shards is one training step split across two CPUs: the batch's rows
// [0, n0) and [n0, n) run the whole program (forward, backward) on
// programs of their own, each reading its rows of the stepper's batch in
// place. With w_s = n_s/n the step's mean loss and gradients are
//
//	loss = w_0·loss_0 + w_1·loss_1,  g = w_0·g_0 + w_1·g_1,
//
// the unsplit step's up to float32 rounding; the sum is written into shard
// 0's gradient buffers, also split across the CPUs, and one Adam update
// follows. Cost per step: the unsplit step's flops, half on each CPU, and
// one pass over the gradients. It allocates nothing.
type shards struct {
	progs        [2]*engine.Program
	w0, w1       float64
	g32          [2][][]float32
	g64          [2][][]float64
	run0, run1   func() // the shards' programs
	sum0, sum1   func() // each sums half of every gradient and checks it is finite
	save0, save1 func() // each copies half of every parameter into lastGood
	finite       [2]bool
	dst, src     []*tensor.Dense // save's lastGood and values
}

// newShardedStepper returns a stepper whose step runs on two CPUs, or nil
// when the step is not split: one CPU, fewer than 2·MinShardRows rows, or
// a model whose loss couples the rows (BatchNormalization's batch
// statistics).
func newShardedStepper(model dist.Distribution, rows, d int) (*stepper, error) {
	if runtime.GOMAXPROCS(0) < 2 || rows < 2*MinShardRows {
		return nil, nil
	}
	n0 := rows / 2
	sh := &shards{w0: float64(n0) / float64(rows), w1: float64(rows-n0) / float64(rows)}
	var nGrads int
	for s, n := range [2]int{n0, rows - n0} {
		lg, err := newLossGraph(model, n, d)
		if err != nil {
			return nil, err
		}
		prog, err := lg.compile()
		if err != nil {
			return nil, err
		}
		for _, st := range prog.Plan().Steps {
			if _, ok := st.Op.(*ops.BatchNorm); ok {
				return nil, nil
			}
		}
		sh.progs[s], nGrads = prog, len(lg.grads)
		sh.g32[s], sh.g64[s] = gradBuffers(prog, nGrads)
	}
	st := &stepper{xv: bijectors.NewTensor(model.DType(), make([]float64, rows*d), rows, d), sh: sh}
	if err := sh.bind(0, st.xv, n0, d); err != nil {
		return nil, err
	}
	if cs := dist.ContextSizeOf(model); cs > 0 {
		st.cv = bijectors.NewTensor(model.DType(), make([]float64, rows*cs), rows, cs)
		if err := sh.bind(1, st.cv, n0, cs); err != nil {
			return nil, err
		}
	}
	st.g32, st.g64 = sh.g32[0], sh.g64[0]
	sh.run0, sh.run1 = sh.progs[0].Run, sh.progs[1].Run
	sh.sum0, sh.sum1 = func() { sh.sum(0) }, func() { sh.sum(1) }
	sh.save0, sh.save1 = func() { sh.save(0) }, func() { sh.save(1) }
	return st, nil
}

// bind makes input i of each shard read its rows of t ([rows, cols]).
func (sh *shards) bind(i int, t *tensor.Dense, n0, cols int) error {
	var lo, hi [2]any
	switch v := t.Data().(type) {
	case []float32:
		lo[0], hi[0] = v[:n0*cols], v[n0*cols:]
	case []float64:
		lo[0], hi[0] = v[:n0*cols], v[n0*cols:]
	}
	if err := sh.progs[0].BindInput(i, lo[0]); err != nil {
		return err
	}
	return sh.progs[1].BindInput(i, hi[0])
}

// run runs the step's programs (split or not) and returns the mean loss;
// the gradients are then in s.g32 or s.g64.
func (s *stepper) run() float64 {
	if s.sh == nil {
		s.prog.Run()
		if s.g32 != nil {
			return float64(s.prog.Output(0).Float32s()[0])
		}
		return s.prog.Output(0).Float64s()[0]
	}
	sh := s.sh
	engine.Parallel(sh.run0, sh.run1)
	engine.Parallel(sh.sum0, sh.sum1)
	if s.g32 != nil {
		return sh.w0*float64(sh.progs[0].Output(0).Float32s()[0]) + sh.w1*float64(sh.progs[1].Output(0).Float32s()[0])
	}
	return sh.w0*sh.progs[0].Output(0).Float64s()[0] + sh.w1*sh.progs[1].Output(0).Float64s()[0]
}

// sum writes g_0 = w_0·g_0 + w_1·g_1 over half part (0: first, 1: second)
// of every gradient, and records whether that half is finite (x - x is 0
// for finite x, NaN for ±Inf and NaN).
func (sh *shards) sum(part int) {
	w0, w1 := sh.w0, sh.w1
	f0, f1 := float32(w0), float32(w1)
	var bad32 float32
	for k, a := range sh.g32[0] {
		b := sh.g32[1][k]
		lo, hi := half(len(a), part)
		a, b = a[lo:hi], b[lo:hi]
		for i := range a {
			v := f0*a[i] + f1*b[i]
			a[i], bad32 = v, bad32+(v-v)
		}
	}
	var bad64 float64
	for k, a := range sh.g64[0] {
		b := sh.g64[1][k]
		lo, hi := half(len(a), part)
		a, b = a[lo:hi], b[lo:hi]
		for i := range a {
			v := w0*a[i] + w1*b[i]
			a[i], bad64 = v, bad64+(v-v)
		}
	}
	sh.finite[part] = bad32 == 0 && bad64 == 0
}

// save copies half part of every parameter (src) into lastGood (dst).
func (sh *shards) save(part int) {
	for i, d := range sh.dst {
		if d.Dtype() == tensor.Float32 {
			a, b := d.Float32s(), sh.src[i].Float32s()
			lo, hi := half(len(a), part)
			copy(a[lo:hi], b[lo:hi])
		} else {
			a, b := d.Float64s(), sh.src[i].Float64s()
			lo, hi := half(len(a), part)
			copy(a[lo:hi], b[lo:hi])
		}
	}
}

// gradsFinite reports whether every gradient of the last run is finite.
func (s *stepper) gradsFinite() bool {
	switch {
	case s.sh != nil:
		return s.sh.finite[0] && s.sh.finite[1]
	case s.g32 != nil:
		return engine.AllFinite32(s.g32)
	}
	return engine.AllFinite64(s.g64)
}

// save copies the parameters (values) into lastGood, split across the
// CPUs for a split step.
func (s *stepper) save(lastGood, values []*tensor.Dense) {
	if s.sh == nil {
		engine.CopyTensors(lastGood, values)
		return
	}
	s.sh.dst, s.sh.src = lastGood, values
	engine.Parallel(s.sh.save0, s.sh.save1)
	s.sh.dst, s.sh.src = nil, nil
}

// half returns the bounds of half part of n elements.
func half(n, part int) (lo, hi int) {
	if part == 0 {
		return 0, n / 2
	}
	return n / 2, n
}
