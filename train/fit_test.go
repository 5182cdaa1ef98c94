package train

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/nflowgo/nflow/bijectors"
	"github.com/nflowgo/nflow/data"
	"github.com/nflowgo/nflow/dist"
	"github.com/nflowgo/nflow/engine"
	"github.com/nflowgo/nflow/ops"
	"github.com/nflowgo/nflow/plot"
	"gorgonia.org/tensor"
)

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func smallFlow(dt tensor.Dtype, scale ops.ScaleFn) *dist.TransformedDistribution {
	flow := must(bijectors.NewMAFStack(2, bijectors.MADEConfig{EventSize: 2, HiddenUnits: []int{32, 32},
		Activation: ops.ReLU, KernelInit: bijectors.TorchUniform, Seed: 5, DType: dt}, scale))
	return must(dist.NewTransformedDistribution(must(dist.StandardNormal(2, dt)), flow))
}

func moons(n int, seed int64, dt tensor.Dtype) *tensor.Dense {
	x, _, err := data.MakeMoons(n, 0.05, seed)
	if err != nil {
		panic(err)
	}
	return must(data.Cast(x, dt))
}

func TestShortFitLowersLossAndIntegrates(t *testing.T) {
	m := smallFlow(tensor.Float32, ops.ScaleSoftplus)
	x := moons(1024, 1, tensor.Float32)
	before := must(MeanNLL(m, x))
	h, err := Fit(m, x, Config{Epochs: 6, BatchSize: 32, LearningRate: 3e-3, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	after := must(MeanNLL(m, x))
	if len(h.Loss) != 6 || h.Steps != 6*32 {
		t.Fatalf("history has %d epochs and %d steps, want 6 and 192", len(h.Loss), h.Steps)
	}
	if !(after < before-0.5) || !(h.Loss[5] < h.Loss[0]) {
		t.Errorf("NLL %g -> %g, epoch losses %v: expected a clear decrease", before, after, h.Loss)
	}
	g := plot.Grid{XMin: -4, XMax: 5, YMin: -4, YMax: 4, NX: 300, NY: 300}
	lp := must(dist.LogProb(m, must(data.Cast(g.Points(), tensor.Float32))))
	if mass, bad := g.Mass(dist.Float64s(lp)); math.Abs(mass-1) > 0.02 || bad > 0 {
		t.Errorf("trained density integrates to %g over the grid (%d non-finite), expected 1", mass, bad)
	}
}

// TestLossGradient checks the training gradient of the whole flow's mean
// NLL against central finite differences, in float64.
func TestLossGradient(t *testing.T) {
	for _, scale := range []ops.ScaleFn{ops.ScaleSoftplus, ops.ScaleExp} {
		m := smallFlow(tensor.Float64, scale)
		x := moons(16, 2, tensor.Float64)
		st, err := newStepper(m, 16, 2, engine.Compiled)
		if err != nil {
			t.Fatal(err)
		}
		st.fill(x.Float64s(), []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}, 2)
		st.prog.Run()
		grads := st.g64
		rng := rand.New(rand.NewPCG(9, 9))
		for pi, p := range m.Params() {
			v := p.Value.Float64s()
			g := grads[pi]
			for k := 0; k < 4; k++ {
				j := rng.IntN(len(v))
				orig := v[j]
				const h = 1e-6
				v[j] = orig + h
				fp := must(MeanNLL(m, x))
				v[j] = orig - h
				fm := must(MeanNLL(m, x))
				v[j] = orig
				want := (fp - fm) / (2 * h)
				if math.Abs(g[j]-want) > 1e-6*(1+math.Abs(want)) {
					t.Errorf("%v %s[%d]: gradient %.10g, finite difference %.10g", scale, p.Name, j, g[j], want)
				}
			}
		}
	}
}

func TestAdamMatchesKeras(t *testing.T) {
	// Two steps on one parameter, computed by hand with Keras's rule.
	p := tensor.New(tensor.WithShape(1), tensor.WithBacking([]float64{1}))
	a := must(engine.NewAdam([]*tensor.Dense{p}, 0.1, 0, 0, 0))
	a.Step64([][]float64{{2}})
	m, v := 0.1*2, 0.001*4
	want := 1 - 0.1*math.Sqrt(1-0.999)/(1-0.9)*m/(math.Sqrt(v)+1e-7)
	if got := p.Float64s()[0]; math.Abs(got-want) > 1e-12 {
		t.Fatalf("step 1: %g, want %g", got, want)
	}
	a.Step64([][]float64{{-1}})
	m, v = 0.9*m+0.1*-1, 0.999*v+0.001*1
	want -= 0.1 * math.Sqrt(1-0.999*0.999) / (1 - 0.81) * m / (math.Sqrt(v) + 1e-7)
	if got := p.Float64s()[0]; math.Abs(got-want) > 1e-12 {
		t.Fatalf("step 2: %g, want %g", got, want)
	}
}

func TestNonFiniteLossRestoresParameters(t *testing.T) {
	m := smallFlow(tensor.Float32, ops.ScaleExp)
	x := moons(512, 3, tensor.Float32)
	_, err := Fit(m, x, Config{Epochs: 50, BatchSize: 16, LearningRate: 1e4, Seed: 1})
	var nf *NonFiniteError
	if !errors.As(err, &nf) {
		t.Fatalf("error %v, want a NonFiniteError", err)
	}
	if nf.Epoch < 1 || nf.Step < 1 || !strings.Contains(err.Error(), "epoch") {
		t.Errorf("error %q does not name the epoch and step", err)
	}
	for _, p := range m.Params() {
		for _, v := range p.Value.Float32s() {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				t.Fatalf("parameter %s holds %g after restoring", p.Name, v)
			}
		}
	}
}

func TestEarlyStoppingAndRestoreBest(t *testing.T) {
	m := smallFlow(tensor.Float32, ops.ScaleSoftplus)
	x := moons(400, 4, tensor.Float32)
	// A learning rate too small to change any float32 parameter: the
	// validation loss never improves after epoch 1.
	h, err := Fit(m, x, Config{Epochs: 20, LearningRate: 1e-30, ValidationSplit: 0.25, Patience: 3})
	if err != nil {
		t.Fatal(err)
	}
	if !h.StoppedEarly || len(h.Loss) != 4 || len(h.ValLoss) != 4 {
		t.Errorf("stopped early %v after %d epochs, want true after 4", h.StoppedEarly, len(h.Loss))
	}

	m = smallFlow(tensor.Float32, ops.ScaleSoftplus)
	h, err = Fit(m, x, Config{Epochs: 5, LearningRate: 1e-2, ValidationSplit: 0.25, RestoreBest: true, Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	best := math.Inf(1)
	for _, v := range h.ValLoss {
		best = math.Min(best, v)
	}
	val := must(data.Cast(must(data.Cast(x, tensor.Float64)), tensor.Float32))
	valRows := tensor.New(tensor.WithShape(100, 2), tensor.WithBacking(val.Float32s()[300*2:]))
	if got := must(MeanNLL(m, valRows)); math.Abs(got-best) > 1e-5 {
		t.Errorf("validation NLL after restoring %g, best epoch's %g (history %v)", got, best, h.ValLoss)
	}
	if h.ValLoss[h.BestEpoch-1] != best {
		t.Errorf("BestEpoch %d does not hold the best validation loss", h.BestEpoch)
	}
}

func TestBadInput(t *testing.T) {
	m := smallFlow(tensor.Float32, ops.ScaleSoftplus)
	x := moons(64, 1, tensor.Float32)
	nan := moons(64, 1, tensor.Float32)
	nan.Float32s()[7] = float32(math.NaN())
	cases := []struct {
		name string
		data *tensor.Dense
		cfg  Config
		want string
	}{
		{"epochs", x, Config{Epochs: -1}, "epochs = -1"},
		{"batch", x, Config{BatchSize: -5}, "batch size = -5"},
		{"lr", x, Config{LearningRate: math.NaN()}, "learning rate = NaN"},
		{"split", x, Config{ValidationSplit: 1}, "validation split = 1"},
		{"width", nil, Config{}, ""},
		{"nan", nan, Config{}, "row 3 column 1 is NaN"},
		{"dtype", moons(64, 1, tensor.Float64), Config{}, "data dtype float64"},
		{"nil", nil, Config{}, "data is nil"},
	}
	wide := tensor.New(tensor.WithShape(4, 3), tensor.WithBacking(make([]float32, 12)))
	cases[4].data, cases[4].want = wide, "data shape (4, 3), expected [N, 2]"
	for _, c := range cases {
		_, err := Fit(m, c.data, c.cfg)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
}

// TestTrainerStepDoesNotAllocate checks that a compiled training step —
// forward, backward, the finite check, the last-good copy and Adam —
// allocates nothing after the first.
func TestTrainerStepDoesNotAllocate(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		m := smallFlow(dt, ops.ScaleSoftplus)
		tr := must(NewTrainer(m, Config{}))
		batch := moons(32, 5, dt)
		if _, err := tr.Step(batch); err != nil {
			t.Fatal(err)
		}
		allocs := testing.AllocsPerRun(20, func() {
			if _, err := tr.Step(batch); err != nil {
				t.Fatal(err)
			}
		})
		if allocs != 0 {
			t.Errorf("%v: %v allocations per step, want 0", dt, allocs)
		}
		if tr.Steps() != 22 {
			t.Errorf("%d steps, want 22", tr.Steps())
		}
	}
}

func TestCosineSchedule(t *testing.T) {
	for _, c := range []struct {
		step int
		want float64
	}{{0, 1e-3}, {50, (1e-3 + 1e-5) / 2}, {100, 1e-5}} {
		if got := cosineRate(1e-3, 1e-5, c.step, 100); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("step %d: rate %g, want %g", c.step, got, c.want)
		}
	}
	m := smallFlow(tensor.Float32, ops.ScaleSoftplus)
	x := moons(512, 1, tensor.Float32)
	h, err := Fit(m, x, Config{Epochs: 3, LearningRate: 3e-3, FinalLearningRate: 1e-4, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if !(h.Loss[2] < h.Loss[0]) {
		t.Errorf("losses %v: no decrease under the schedule", h.Loss)
	}
	if _, err := Fit(m, x, Config{FinalLearningRate: -1}); err == nil || !strings.Contains(err.Error(), "final learning rate = -1") {
		t.Errorf("negative final rate: %v", err)
	}
}
