package flows

import (
	"bytes"
	"math"
	"strings"
	"testing"

	"github.com/nflowgo/nflow/bijectors"
	"github.com/nflowgo/nflow/data"
	"github.com/nflowgo/nflow/dist"
	"github.com/nflowgo/nflow/train"
	"gorgonia.org/tensor"
)

func glowSteps(t *testing.T, m *dist.TransformedDistribution) []*bijectors.GlowStep {
	t.Helper()
	c, ok := m.Bijector.(*bijectors.ChainBijector)
	if !ok {
		t.Fatalf("glow bijector is %T, expected a chain", m.Bijector)
	}
	var steps []*bijectors.GlowStep
	for _, b := range c.Bijectors {
		s, ok := b.(*bijectors.GlowStep)
		if !ok {
			t.Fatalf("glow member %v is %T, expected *GlowStep", b, b)
		}
		steps = append(steps, s)
	}
	return steps
}

func TestGlowBuild(t *testing.T) {
	s := Spec{Kind: "glow", EventSize: 3, Layers: 2, Hidden: []int{8}, Seed: 4}
	a, err := Build(s)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Build(s)
	for i, p := range a.Params() {
		for j, v := range p.Value.Float32s() {
			if b.Params()[i].Value.Float32s()[j] != v {
				t.Fatalf("parameter %s differs between two builds", p.Name)
			}
		}
	}
	steps := glowSteps(t, a)
	if len(steps) != 2 {
		t.Fatalf("%d steps, want 2", len(steps))
	}
	if _, ok := steps[0].Coupling.(*bijectors.RealNVP); !ok {
		t.Errorf("coupling %T, want *RealNVP", steps[0].Coupling)
	}
	if !bijectors.NeedsDataInit(a.Bijector) {
		t.Error("a new glow flow does not ask for data initialisation")
	}
	if _, err := Build(Spec{Kind: "glow", EventSize: 1}); err == nil || !strings.Contains(err.Error(), "event size >= 2") {
		t.Errorf("glow with event size 1: error %v", err)
	}
}

// TestGlowFitMoons fits a Glow flow on two moons through train.Fit, which
// initialises every ActNorm from the first batch: the loss must fall, and
// the first batch's inverse through the first ActNorm must be standardised
// (up to what two epochs of Adam move).
func TestGlowFitMoons(t *testing.T) {
	x, _, err := data.MakeMoons(1000, 0.05, 7)
	if err != nil {
		t.Fatal(err)
	}
	model, err := Build(Spec{Kind: "glow", EventSize: 2, Layers: 3, Hidden: []int{32, 32}, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	xs := dist.Float64s(x)
	f32 := make([]float32, len(xs))
	for i, v := range xs {
		f32[i] = float32(v)
	}
	y := tensor.New(tensor.WithShape(1000, 2), tensor.WithBacking(f32))
	const batch = 100
	h, err := train.Fit(model, y, train.Config{Epochs: 3, BatchSize: batch, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("loss per epoch %v", h.Loss)
	if last := h.Loss[len(h.Loss)-1]; !(last < h.Loss[0]) {
		t.Errorf("loss went from %g to %g, expected a decrease", h.Loss[0], last)
	}
	if bijectors.NeedsDataInit(model.Bijector) {
		t.Fatal("train.Fit left the glow flow's ActNorms uninitialised")
	}
	first := tensor.New(tensor.WithShape(batch, 2), tensor.WithBacking(f32[:batch*2]))
	z, err := bijectors.Inverse(glowSteps(t, model)[0].ActNorm, first)
	if err != nil {
		t.Fatal(err)
	}
	zs := dist.Float64s(z)
	for c := 0; c < 2; c++ {
		var m, q float64
		for r := 0; r < batch; r++ {
			m += zs[r*2+c] / batch
		}
		for r := 0; r < batch; r++ {
			q += (zs[r*2+c] - m) * (zs[r*2+c] - m) / batch
		}
		if math.Abs(m) > 0.1 || math.Abs(math.Sqrt(q)-1) > 0.1 {
			t.Errorf("first batch through the first ActNorm, column %d: mean %.4f sd %.4f, want about 0 and 1", c, m, math.Sqrt(q))
		}
	}
}

// TestGlowSaveLoad checks that a fitted glow flow saves and loads with its
// ActNorms marked initialised, so a later Fit does not re-initialise them.
func TestGlowSaveLoad(t *testing.T) {
	spec := Spec{Kind: "glow", EventSize: 2, Layers: 2, Hidden: []int{8}, Seed: 2, DType: "float64"}
	model, err := Build(spec)
	if err != nil {
		t.Fatal(err)
	}
	x, _, err := data.MakeMoons(200, 0.05, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := model.InitFromData(x); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := Save(&buf, spec, model); err != nil {
		t.Fatal(err)
	}
	_, loaded, err := Load(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if bijectors.NeedsDataInit(loaded.Bijector) {
		t.Error("a loaded, initialised glow flow asks for data initialisation again")
	}
	want, _ := model.LogProb(x)
	got, err := loaded.LogProb(x)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range got.Float64s() {
		if math.Abs(v-want.Float64s()[i]) > 1e-12 {
			t.Fatalf("row %d: loaded log_prob %g, saved model's %g", i, v, want.Float64s()[i])
		}
	}
}

// TestGlowTrainStepAllocs checks that a compiled Glow training step (ActNorm,
// ScaleMatvecLU and coupling kernels, forward and backward, and Adam)
// performs no heap allocation.
func TestGlowTrainStepAllocs(t *testing.T) {
	model, err := Build(Spec{Kind: "glow", EventSize: 4, Layers: 2, Hidden: []int{16}, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	tr, err := train.NewTrainer(model, train.Config{})
	if err != nil {
		t.Fatal(err)
	}
	v := make([]float32, 64*4)
	for i := range v {
		v[i] = float32(math.Sin(float64(i)))
	}
	batch := tensor.New(tensor.WithShape(64, 4), tensor.WithBacking(v))
	if _, err := tr.Step(batch); err != nil { // compiles the step
		t.Fatal(err)
	}
	if a := testing.AllocsPerRun(20, func() {
		if _, err := tr.Step(batch); err != nil {
			t.Fatal(err)
		}
	}); a != 0 {
		t.Errorf("%g allocations per training step, expected 0", a)
	}
}

func TestGlowRefusesContext(t *testing.T) {
	_, err := Build(Spec{Kind: "glow", EventSize: 2, ContextSize: 2})
	if err == nil || !strings.Contains(err.Error(), "context") {
		t.Errorf("conditional glow: error %v, want one about the context", err)
	}
}
