package train

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/nflowgo/nflow/bijectors"
	"github.com/nflowgo/nflow/data"
	"github.com/nflowgo/nflow/dist"
	"github.com/nflowgo/nflow/engine"
	"github.com/nflowgo/nflow/ops"
	"gorgonia.org/tensor"
)

func condFlow(dt tensor.Dtype, c int) *dist.TransformedDistribution {
	flow := must(bijectors.NewMAFStack(2, bijectors.MADEConfig{EventSize: 2, HiddenUnits: []int{32, 32},
		Activation: ops.ReLU, KernelInit: bijectors.TorchUniform, Seed: 5, DType: dt, ContextSize: c}, ops.ScaleSoftplus))
	return must(dist.NewTransformedDistribution(must(dist.StandardNormal(2, dt)), flow))
}

// labelledMoons returns make_moons points and their labels one-hot [n, 2];
// flip swaps the labels.
func labelledMoons(n int, seed int64, dt tensor.Dtype, flip bool) (x, c *tensor.Dense) {
	x64, labels, err := data.MakeMoons(n, 0.05, seed)
	if err != nil {
		panic(err)
	}
	oh := make([]float64, 2*n)
	for i, l := range labels {
		if flip {
			l = 1 - l
		}
		oh[2*i+l] = 1
	}
	return must(data.Cast(x64, dt)), bijectors.NewTensor(dt, oh, n, 2)
}

// TestConditionalFitLowersLoss trains a label-conditioned flow briefly and
// checks that the conditional NLL falls and that the trained density uses
// the label: the data are far less likely given the wrong labels.
func TestConditionalFitLowersLoss(t *testing.T) {
	m := condFlow(tensor.Float32, 2)
	x, c := labelledMoons(1024, 1, tensor.Float32, false)
	_, wrong := labelledMoons(1024, 1, tensor.Float32, true)
	before := must(MeanNLLGiven(m, x, c))
	h, err := Fit(m, x, Config{Epochs: 6, BatchSize: 32, LearningRate: 3e-3, Seed: 1, Context: c, ValidationSplit: 0.25})
	if err != nil {
		t.Fatal(err)
	}
	after := must(MeanNLLGiven(m, x, c))
	if len(h.Loss) != 6 || len(h.ValLoss) != 6 || h.Steps != 6*24 {
		t.Fatalf("history: %d epochs, %d validation losses, %d steps; want 6, 6, 144", len(h.Loss), len(h.ValLoss), h.Steps)
	}
	if !(after < before-0.5) || !(h.Loss[5] < h.Loss[0]) {
		t.Errorf("NLL %g -> %g, epoch losses %v: expected a clear decrease", before, after, h.Loss)
	}
	if swapped := must(MeanNLLGiven(m, x, wrong)); !(swapped > after+1) {
		t.Errorf("NLL given the true labels %g, given swapped labels %g: the label should matter", after, swapped)
	}
	// The validation split takes the last rows of the data and of the context.
	val := tensor.New(tensor.WithShape(256, 2), tensor.WithBacking(x.Float32s()[768*2:]))
	valCtx := tensor.New(tensor.WithShape(256, 2), tensor.WithBacking(c.Float32s()[768*2:]))
	if got := must(MeanNLLGiven(m, val, valCtx)); math.Abs(got-h.ValLoss[5]) > 1e-5 {
		t.Errorf("validation NLL %g, history says %g", got, h.ValLoss[5])
	}
}

// TestConditionalLossGradient checks the conditional training gradient
// (context kernels included) against central finite differences, for a
// MAF and for an IAF, whose density pass reads the parameters in another
// order than the model lists them.
func TestConditionalLossGradient(t *testing.T) {
	maf := condFlow(tensor.Float64, 2)
	iaf := must(dist.NewTransformedDistribution(maf.Base, bijectors.Invert(condFlow(tensor.Float64, 2).Bijector)))
	for _, m := range []*dist.TransformedDistribution{maf, iaf} {
		checkConditionalGradient(t, m)
	}
}

func checkConditionalGradient(t *testing.T, m *dist.TransformedDistribution) {
	x, c := labelledMoons(16, 2, tensor.Float64, false)
	st, err := newStepper(m, 16, 2, engine.Compiled)
	if err != nil {
		t.Fatal(err)
	}
	idx := make([]int, 16)
	for i := range idx {
		idx[i] = i
	}
	st.fill(x.Float64s(), idx, 2)
	fillRows(st.cv, c.Float64s(), idx, 2)
	st.prog.Run()
	rng := rand.New(rand.NewPCG(9, 9))
	sawContext := false
	for pi, p := range m.Params() {
		sawContext = sawContext || strings.Contains(p.Name, "/V")
		v := p.Value.Float64s()
		for k := 0; k < 4; k++ {
			j := rng.IntN(len(v))
			orig := v[j]
			const h = 1e-6
			v[j] = orig + h
			fp := must(MeanNLLGiven(m, x, c))
			v[j] = orig - h
			fm := must(MeanNLLGiven(m, x, c))
			v[j] = orig
			want := (fp - fm) / (2 * h)
			if got := st.g64[pi][j]; math.Abs(got-want) > 1e-6*(1+math.Abs(want)) {
				t.Errorf("%v: parameter %d %s[%d]: gradient %.10g, finite difference %.10g", m.Bijector, pi, p.Name, j, got, want)
			}
		}
	}
	if !sawContext {
		t.Error("no context kernel among the parameters")
	}
}

// TestIAFFits trains a conditional and an unconditional IAF briefly: the
// density pass reads the parameters in reverse chain order.
func TestIAFFits(t *testing.T) {
	x, c := labelledMoons(256, 6, tensor.Float32, false)
	for _, m := range []*dist.TransformedDistribution{condFlow(tensor.Float32, 2), smallFlow(tensor.Float32, ops.ScaleSoftplus)} {
		iaf := must(dist.NewTransformedDistribution(m.Base, bijectors.Invert(m.Bijector)))
		cfg := Config{Epochs: 3, LearningRate: 3e-3, Seed: 2}
		if iaf.ContextSize() > 0 {
			cfg.Context = c
		}
		h, err := Fit(iaf, x, cfg)
		if err != nil {
			t.Fatalf("%v: %v", iaf.Bijector, err)
		}
		if !(h.Loss[2] < h.Loss[0]) {
			t.Errorf("%v: losses %v, expected a decrease", iaf.Bijector, h.Loss)
		}
	}
}

// TestConditionalCompiledMatchesTape trains two identical conditional
// flows for one epoch, compiled and on the TapeMachine.
func TestConditionalCompiledMatchesTape(t *testing.T) {
	x, c := labelledMoons(96, 3, tensor.Float64, false)
	var losses [2][]float64
	var params [2][]*bijectors.Param
	for i, exec := range []engine.Executor{engine.Compiled, engine.Tape} {
		m := condFlow(tensor.Float64, 2)
		h, err := Fit(m, x, Config{Epochs: 2, BatchSize: 32, Seed: 4, Context: c, ValidationSplit: 0.25, Executor: exec})
		if err != nil {
			t.Fatal(err)
		}
		losses[i], params[i] = append(h.Loss, h.ValLoss...), m.Params()
	}
	for i := range losses[0] {
		if math.Abs(losses[0][i]-losses[1][i]) > 1e-9 {
			t.Errorf("loss %d: compiled %.12g, tape %.12g", i, losses[0][i], losses[1][i])
		}
	}
	for i, p := range params[0] {
		a, b := p.Value.Float64s(), params[1][i].Value.Float64s()
		for j := range a {
			if math.Abs(a[j]-b[j]) > 1e-9 {
				t.Fatalf("%s[%d]: compiled %.12g, tape %.12g", p.Name, j, a[j], b[j])
			}
		}
	}
}

// TestConditionalTrainerStepDoesNotAllocate is TestTrainerStepDoesNotAllocate
// for StepGiven.
func TestConditionalTrainerStepDoesNotAllocate(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		tr := must(NewTrainer(condFlow(dt, 2), Config{}))
		batch, ctx := labelledMoons(32, 5, dt, false)
		if _, err := tr.StepGiven(batch, ctx); err != nil {
			t.Fatal(err)
		}
		allocs := testing.AllocsPerRun(20, func() {
			if _, err := tr.StepGiven(batch, ctx); err != nil {
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

func TestConditionalBadInput(t *testing.T) {
	cond, plain := condFlow(tensor.Float32, 2), smallFlow(tensor.Float32, ops.ScaleSoftplus)
	x, c := labelledMoons(64, 1, tensor.Float32, false)
	nan := c.Clone().(*tensor.Dense)
	nan.Float32s()[9] = float32(math.Inf(1))
	errOf := func(_ any, err error) error { return err }
	trC, trP := must(NewTrainer(cond, Config{})), must(NewTrainer(plain, Config{}))
	cases := []struct {
		name string
		err  error
		want string
	}{
		{"no context", errOf(Fit(cond, x, Config{})), "conditional on a context of size 2: give one [N, 2] context row per data row (Config.Context)"},
		{"unconditional", errOf(Fit(plain, x, Config{Context: c})), "a context is given but"},
		{"rows", errOf(Fit(cond, x, Config{Context: bijectors.NewTensor(tensor.Float32, make([]float64, 20), 10, 2)})), "context shape (10, 2), expected [64, 2]"},
		{"width", errOf(Fit(cond, x, Config{Context: bijectors.NewTensor(tensor.Float32, make([]float64, 64), 64, 1)})), "context shape (64, 1), expected [64, 2]"},
		{"dtype", errOf(Fit(cond, x, Config{Context: bijectors.NewTensor(tensor.Float64, make([]float64, 128), 64, 2)})), "context dtype float64"},
		{"inf", errOf(Fit(cond, x, Config{Context: nan})), "context row 4 column 1 is +Inf"},
		{"MeanNLL", errOf(MeanNLL(cond, x)), "use MeanNLLGiven"},
		{"MeanNLLGiven", errOf(MeanNLLGiven(plain, x, c)), "not conditional; use MeanNLL"},
		{"MeanNLLGiven rows", errOf(MeanNLLGiven(cond, x, bijectors.NewTensor(tensor.Float32, make([]float64, 4), 2, 2))), "context shape (2, 2)"},
		{"Step", errOf(trC.Step(x)), "use StepGiven"},
		{"StepGiven", errOf(trP.StepGiven(x, c)), "not conditional; use Step"},
		{"StepGiven rows", errOf(trC.StepGiven(x, bijectors.NewTensor(tensor.Float32, make([]float64, 4), 2, 2))), "context shape (2, 2) for batch (64, 2)"},
		{"StepGiven nil", errOf(trC.StepGiven(x, nil)), "expected [B, 2] and [B, 2]"},
		{"StepGiven dtype", errOf(trC.StepGiven(x, bijectors.NewTensor(tensor.Float64, make([]float64, 128), 64, 2))), "context dtype float64"},
		{"StepGiven batch", errOf(trC.StepGiven(bijectors.NewTensor(tensor.Float32, make([]float64, 192), 64, 3), c)), "batch shape (64, 3)"},
	}
	for _, c := range cases {
		if c.err == nil || !strings.Contains(c.err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, c.err, c.want)
		}
	}
}
