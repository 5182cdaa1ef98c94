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
// step of at least 2·MinShardRows rows is split across CPUs, one shard per
// CPU up to rows/MinShardRows shards. On an idle machine the lab's step
// gains from the split even at 32 rows (about 100 µs a step), but a small
// step loses more than it gains when the other CPU is busy with other
// work; from 128 rows the split wins either way.
var MinShardRows = 64

// shards is one training step split across P CPUs: shard s takes the
// batch's rows [r_s, r_{s+1}) and runs the whole program (forward,
// backward) on a program of its own, reading its rows of the stepper's
// batch in place. With w_s = n_s/n the step's mean loss and gradients are
//
//	loss = Σ_s w_s·loss_s,  g = Σ_s w_s·g_s,
//
// the unsplit step's up to float32 rounding; the sum is written into shard
// 0's gradient buffers, also split across the CPUs (part p of P sums its
// P-th of every gradient), and one Adam update follows. Cost per step: the
// unsplit step's flops, a P-th on each CPU, and one pass over the
// gradients. It allocates nothing (engine.ParallelN: two shards hand over
// through engine.Parallel).
type shards struct {
	progs  []*engine.Program
	w      []float64
	g32    [][][]float32 // [shard][gradient]
	g64    [][][]float64
	runs   []func() // the shards' programs
	sums   []func() // part p sums its P-th of every gradient and checks it is finite
	saves  []func() // part p copies its P-th of every parameter into lastGood
	finite []bool
	dst    []*tensor.Dense // save's lastGood and values
	src    []*tensor.Dense
}

// shardCount is the number of shards a step of rows rows splits into:
// one per CPU (at most maxShards), at least MinShardRows rows each; below
// 2 it is not split.
func shardCount(rows int) int {
	return min(runtime.GOMAXPROCS(0), rows/max(1, MinShardRows), maxShards)
}

// maxShards bounds the shards of a step.
const maxShards = 64

// newShardedStepper returns a stepper whose step runs on several CPUs, or
// nil when the step is not split: one CPU, fewer than 2·MinShardRows rows,
// or a model whose loss couples the rows (BatchNormalization's batch
// statistics).
func newShardedStepper(model dist.Distribution, rows, d int) (*stepper, error) {
	p := shardCount(rows)
	if p < 2 {
		return nil, nil
	}
	sh := &shards{progs: make([]*engine.Program, p), w: make([]float64, p), g32: make([][][]float32, p), g64: make([][][]float64, p), finite: make([]bool, p)}
	bounds := make([]int, p+1)
	for s := range sh.progs {
		bounds[s+1] = (s + 1) * rows / p
		n := bounds[s+1] - bounds[s]
		sh.w[s] = float64(n) / float64(rows)
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
		sh.progs[s] = prog
		sh.g32[s], sh.g64[s] = gradBuffers(prog, len(lg.grads))
	}
	st := &stepper{xv: bijectors.NewTensor(model.DType(), make([]float64, rows*d), rows, d), sh: sh}
	if err := sh.bind(0, st.xv, bounds, d); err != nil {
		return nil, err
	}
	if cs := dist.ContextSizeOf(model); cs > 0 {
		st.cv = bijectors.NewTensor(model.DType(), make([]float64, rows*cs), rows, cs)
		if err := sh.bind(1, st.cv, bounds, cs); err != nil {
			return nil, err
		}
	}
	st.g32, st.g64 = sh.g32[0], sh.g64[0]
	for s := range sh.progs {
		sh.runs = append(sh.runs, sh.progs[s].Run)
		sh.sums = append(sh.sums, func() { sh.sum(s) })
		sh.saves = append(sh.saves, func() { sh.save(s) })
	}
	return st, nil
}

// bind makes input i of each shard read its rows of t ([rows, cols]):
// shard s rows [bounds[s], bounds[s+1]).
func (sh *shards) bind(i int, t *tensor.Dense, bounds []int, cols int) error {
	for s, prog := range sh.progs {
		lo, hi := bounds[s]*cols, bounds[s+1]*cols
		var rows any
		switch v := t.Data().(type) {
		case []float32:
			rows = v[lo:hi]
		case []float64:
			rows = v[lo:hi]
		}
		if err := prog.BindInput(i, rows); err != nil {
			return err
		}
	}
	return nil
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
	engine.ParallelN(sh.runs)
	engine.ParallelN(sh.sums)
	var loss float64
	for k, prog := range sh.progs {
		if s.g32 != nil {
			loss += sh.w[k] * float64(prog.Output(0).Float32s()[0])
		} else {
			loss += sh.w[k] * prog.Output(0).Float64s()[0]
		}
	}
	return loss
}

// sum writes g_0 = Σ_s w_s·g_s over part part (of P) of every gradient,
// and records whether that part is finite (x - x is 0 for finite x, NaN
// for ±Inf and NaN).
func (sh *shards) sum(part int) {
	p := len(sh.progs)
	var f [maxShards]float32
	for k, w := range sh.w {
		f[k] = float32(w)
	}
	var bad32 float32
	var (
		g32 [][]float32
		g64 [][]float64
	)
	if len(sh.g32) > 0 {
		g32 = sh.g32[0]
	}
	if len(sh.g64) > 0 {
		g64 = sh.g64[0]
	}
	for k, a := range g32 {
		lo, hi := share(len(a), part, p)
		a = a[lo:hi]
		for i := range a {
			v := f[0] * a[i]
			for s := 1; s < p; s++ {
				v += f[s] * sh.g32[s][k][lo+i]
			}
			a[i], bad32 = v, bad32+(v-v)
		}
	}
	var bad64 float64
	for k, a := range g64 {
		lo, hi := share(len(a), part, p)
		a = a[lo:hi]
		for i := range a {
			v := sh.w[0] * a[i]
			for s := 1; s < p; s++ {
				v += sh.w[s] * sh.g64[s][k][lo+i]
			}
			a[i], bad64 = v, bad64+(v-v)
		}
	}
	sh.finite[part] = bad32 == 0 && bad64 == 0
}

// save copies part part of every parameter (src) into lastGood (dst).
func (sh *shards) save(part int) {
	p := len(sh.progs)
	for i, d := range sh.dst {
		if d.Dtype() == tensor.Float32 {
			a, b := d.Float32s(), sh.src[i].Float32s()
			lo, hi := share(len(a), part, p)
			copy(a[lo:hi], b[lo:hi])
		} else {
			a, b := d.Float64s(), sh.src[i].Float64s()
			lo, hi := share(len(a), part, p)
			copy(a[lo:hi], b[lo:hi])
		}
	}
}

// gradsFinite reports whether every gradient of the last run is finite.
func (s *stepper) gradsFinite() bool {
	switch {
	case s.sh != nil:
		for _, ok := range s.sh.finite {
			if !ok {
				return false
			}
		}
		return true
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
	engine.ParallelN(s.sh.saves)
	s.sh.dst, s.sh.src = nil, nil
}

// share returns the bounds of part part of p of n elements.
func share(n, part, p int) (lo, hi int) {
	return part * n / p, (part + 1) * n / p
}
