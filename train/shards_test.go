package train

import (
	"math"
	"runtime"
	"testing"

	"github.com/nflowgo/nflow/bijectors"
	"github.com/nflowgo/nflow/dist"
	"github.com/nflowgo/nflow/engine"
	"github.com/nflowgo/nflow/ops"
	"gorgonia.org/tensor"
)

// testProcs is the GOMAXPROCS withShards sets: the number of shards of a
// split step.
var testProcs = 2

// withShards runs f with the step split (rows ≥ 2·minRows) or not, on
// testProcs CPUs.
func withShards(t *testing.T, minRows int, f func()) {
	t.Helper()
	prevProcs, prevRows := runtime.GOMAXPROCS(testProcs), MinShardRows
	defer func() { runtime.GOMAXPROCS(prevProcs); MinShardRows = prevRows }()
	MinShardRows = minRows
	f()
}

// trainSteps takes steps Adam steps on batches of rows (an odd size: the
// shards differ) and returns the losses and the final parameters.
func trainSteps(t *testing.T, dt tensor.Dtype, rows, steps int, split bool) ([]float64, []float64) {
	var losses, params []float64
	min := 1 << 30
	if split {
		min = 4
	}
	withShards(t, min, func() {
		m := smallFlow(dt, ops.ScaleSoftplus)
		tr := must(NewTrainer(m, Config{}))
		for i := 0; i < steps; i++ {
			loss, err := tr.Step(moons(rows, int64(i), dt))
			if err != nil {
				t.Fatal(err)
			}
			losses = append(losses, loss)
		}
		if st := tr.steppers[rows]; (st.sh != nil) != split {
			t.Fatalf("split %v: the stepper has shards %v", split, st.sh != nil)
		} else if split && len(st.sh.progs) != testProcs {
			t.Fatalf("the step is split into %d shards, want %d (GOMAXPROCS)", len(st.sh.progs), testProcs)
		}
		for _, p := range m.Params() {
			params = append(params, dist.Float64s(p.Value)...)
		}
	})
	return losses, params
}

// TestShardedStepEqualsUnsplit checks that a training step split across two
// CPUs gives the unsplit step's losses and parameters: to float64 rounding
// in float64 and float32 rounding in float32, over several Adam steps.
//
// With GOMAXPROCS 3 and 5 the step is split three and five ways
// (engine.ParallelN) whatever the CPUs; the same holds.
func TestShardedStepEqualsUnsplit(t *testing.T) {
	for _, procs := range []int{2, 3, 5} {
		testProcs = procs
		testShardedStepEqualsUnsplit(t)
	}
	testProcs = 2
}

func testShardedStepEqualsUnsplit(t *testing.T) {
	for _, c := range []struct {
		dt  tensor.Dtype
		tol float64
	}{{tensor.Float64, 1e-10}, {tensor.Float32, 2e-4}} {
		l0, p0 := trainSteps(t, c.dt, 61, 5, false)
		l1, p1 := trainSteps(t, c.dt, 61, 5, true)
		for i := range l0 {
			if math.Abs(l0[i]-l1[i]) > c.tol*(1+math.Abs(l0[i])) {
				t.Fatalf("%v, %d shards, step %d: loss %v split, %v unsplit", c.dt, testProcs, i, l1[i], l0[i])
			}
		}
		for i := range p0 {
			if math.Abs(p0[i]-p1[i]) > c.tol*(1+math.Abs(p0[i])) {
				t.Fatalf("%v, %d shards: parameter %d is %v split, %v unsplit", c.dt, testProcs, i, p1[i], p0[i])
			}
		}
	}
}

// TestShardedStepAllocatesNothing checks that a split step allocates
// nothing once compiled.
func TestShardedStepAllocatesNothing(t *testing.T) {
	for _, procs := range []int{2, 4} {
		testProcs = procs
		testShardedStepAllocatesNothing(t)
	}
	testProcs = 2
}

func testShardedStepAllocatesNothing(t *testing.T) {
	withShards(t, 4, func() {
		tr := must(NewTrainer(smallFlow(tensor.Float32, ops.ScaleSoftplus), Config{}))
		x := moons(64, 1, tensor.Float32)
		for i := 0; i < 3; i++ {
			if _, err := tr.Step(x); err != nil {
				t.Fatal(err)
			}
		}
		if tr.steppers[64].sh == nil {
			t.Fatal("the step of 64 rows is not split")
		}
		if a := testing.AllocsPerRun(20, func() { tr.Step(x) }); a != 0 {
			t.Fatalf("a step split %d ways allocates %v times", testProcs, a)
		}
	})
}

// TestBatchNormStepIsNotSplit checks that a model whose loss couples the
// batch's rows (batch statistics) keeps the unsplit step.
func TestBatchNormStepIsNotSplit(t *testing.T) {
	withShards(t, 4, func() {
		bn := must(bijectors.NewBatchNormalization(2, 0.99, 1e-3, tensor.Float32))
		m := must(dist.NewTransformedDistribution(must(dist.StandardNormal(2, tensor.Float32)), bn))
		tr := must(NewTrainer(m, Config{}))
		if _, err := tr.Step(moons(64, 1, tensor.Float32)); err != nil {
			t.Fatal(err)
		}
		if tr.steppers[64].sh != nil {
			t.Fatal("a BatchNormalization step was split across CPUs")
		}
	})
}

// TestShardedStepNonFinite checks the non-finite guard of a split step: a
// batch whose second shard holds an Inf gives a *NonFiniteError and leaves
// the parameters those that gave the last finite loss, bit for bit.
func TestShardedStepNonFinite(t *testing.T) {
	withShards(t, 4, func() {
		m := smallFlow(tensor.Float32, ops.ScaleSoftplus)
		tr := must(NewTrainer(m, Config{}))
		x := moons(64, 1, tensor.Float32)
		var before []float64 // the parameters of the last finite loss
		for _, p := range m.Params() {
			before = append(before, dist.Float64s(p.Value)...)
		}
		if _, err := tr.Step(x); err != nil {
			t.Fatal(err)
		}
		bad := x.Clone().(*tensor.Dense)
		bad.Float32s()[2*50] = float32(math.Inf(1)) // row 50: the second shard
		if _, err := tr.Step(bad); err == nil {
			t.Fatal("a batch with an Inf gave no error")
		}
		var after []float64
		for _, p := range m.Params() {
			after = append(after, dist.Float64s(p.Value)...)
		}
		for i := range before {
			if before[i] != after[i] {
				t.Fatalf("parameter %d changed from %v to %v by a non-finite step", i, before[i], after[i])
			}
		}
	})
}

// TestShardSumFlagsNonFinite checks that summing the shards' gradients
// flags the half that holds a NaN or an Inf, and only that half.
func TestShardSumFlagsNonFinite(t *testing.T) {
	for _, bad := range []float32{float32(math.NaN()), float32(math.Inf(-1))} {
		sh := &shards{progs: make([]*engine.Program, 2), w: []float64{0.5, 0.5}, g32: [][][]float32{{{1, 2, 3, 4}}, {{1, 2, bad, 4}}}, finite: make([]bool, 2)}
		sh.sum(0)
		sh.sum(1)
		if !sh.finite[0] || sh.finite[1] {
			t.Fatalf("gradient entry 2 = %v: halves finite %v, want [true false]", bad, sh.finite)
		}
		if g := sh.g32[0][0]; g[0] != 1 || g[1] != 2 || g[3] != 4 {
			t.Fatalf("summed gradient %v, want [1 2 · 4]", g)
		}
	}
}
