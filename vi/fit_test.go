package vi

import (
	"bytes"
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/nflowgo/nflow/dist"
	"gorgonia.org/tensor"
)

// A few hundred steps fit an IAF to a correlated-free Gaussian target:
// the ELBO approaches log Z, with a progress line per interval.
func TestFitGaussian(t *testing.T) {
	q := iaf(t, 2, "float32")
	target := gaussian([]float64{1, -2}, []float64{0.5, 2}, 1.5)
	var progress bytes.Buffer
	h, err := Fit(q, target, Config{Steps: 400, BatchSize: 64, LearningRate: 1e-2, EvalEvery: 100, Progress: &progress})
	if err != nil {
		t.Fatal(err)
	}
	if h.Steps != 400 || len(h.ELBO) != 4 || len(h.ESS) != 4 || h.BestInterval < 1 {
		t.Errorf("history: %d steps, %d ELBO, %d ESS values, best interval %d; expected 400, 4, 4, >= 1", h.Steps, len(h.ELBO), len(h.ESS), h.BestInterval)
	}
	if n := strings.Count(progress.String(), "elbo"); n != 4 {
		t.Errorf("%d progress lines, expected 4:\n%s", n, progress.String())
	}
	d, err := Diagnose(q, target, 20000, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	if d.ELBO < 1.5-0.05 || d.ELBO > 1.5+5*d.ELBOStdErr || d.ESSFraction < 0.9 {
		t.Errorf("after fitting: %v; expected ELBO within 0.05 below log Z = 1.5 and ESS fraction >= 0.9", d)
	}
}

// Annealing follows its schedule; the path gradient and a mixture base
// train too.
func TestFitAnnealedPathGradient(t *testing.T) {
	cfg := Config{Steps: 100, AnnealSteps: 50, InitialBeta: 0.1, GeometricAnneal: true}
	if err := cfg.defaults(); err != nil {
		t.Fatal(err)
	}
	if b := cfg.beta(0); math.Abs(b-0.1) > 1e-12 {
		t.Errorf("β(0) = %g, expected 0.1", b)
	}
	if b := cfg.beta(25); math.Abs(b-math.Sqrt(0.1)) > 1e-12 {
		t.Errorf("geometric β(25 of 50) = %g, expected √0.1", b)
	}
	if b := cfg.beta(50); b != 1 {
		t.Errorf("β(50) = %g, expected 1", b)
	}
	q := mixtureIAF(t, 2)
	target := gaussian([]float64{1, -2}, []float64{0.5, 2}, 0)
	h, err := Fit(q, target, Config{Steps: 60, BatchSize: 32, PathGradient: true, AnnealSteps: 30, EvalEvery: 10, RestoreBest: true})
	if err != nil {
		t.Fatal(err)
	}
	if h.Beta[0] >= 1 || h.Beta[len(h.Beta)-1] != 1 {
		t.Errorf("β per interval %v, expected to rise to 1", h.Beta)
	}
}

// A target that turns NaN stops Fit with a NonFiniteError and restores
// the last good parameters.
func TestFitNonFinite(t *testing.T) {
	q := iaf(t, 2, "float32")
	calls := 0
	bad := TargetFunc{D: 2, Fn: func(x, logp, grad []float64) {
		calls++
		gaussian([]float64{0, 0}, []float64{1, 1}, 0).Fn(x, logp, grad)
		if calls > 5 {
			logp[3] = math.NaN()
		}
	}}
	var before []float32
	_, err := Fit(q, bad, Config{Steps: 5, BatchSize: 16})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range q.Params() {
		before = append(before, p.Value.Float32s()...)
	}
	_, err = Fit(q, bad, Config{Steps: 10, BatchSize: 16})
	var nf *NonFiniteError
	if !errors.As(err, &nf) || nf.Step != 1 {
		t.Fatalf("error %v, expected a NonFiniteError at step 1", err)
	}
	var after []float32
	for _, p := range q.Params() {
		after = append(after, p.Value.Float32s()...)
	}
	for i := range before {
		if before[i] != after[i] {
			t.Fatalf("parameter value %d changed from %g to %g, expected the last good parameters", i, before[i], after[i])
		}
	}
}

func TestFitErrors(t *testing.T) {
	q := iaf(t, 2, "float32")
	g := gaussian([]float64{0, 0}, []float64{1, 1}, 0)
	for _, c := range []struct {
		name   string
		target Target
		cfg    Config
		want   string
	}{
		{"dimension", gaussian([]float64{0}, []float64{1}, 0), Config{}, "dimension 1, expected 2"},
		{"nil fn", TargetFunc{D: 2}, Config{}, "Fn is nil"},
		{"batch", g, Config{BatchSize: 1}, "batch size = 1"},
		{"lr", g, Config{LearningRate: -1}, "learning rate = -1"},
		{"beta", g, Config{InitialBeta: 2}, "initial beta = 2"},
	} {
		if _, err := Fit(q, c.target, c.cfg); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, expected one containing %q", c.name, err, c.want)
		}
	}
	if _, err := Fit(nil, g, Config{}); err == nil {
		t.Error("nil q: no error")
	}
	// A base with parameters but no reparameterized sampling.
	m, err := NewGaussianMixture(2, 2, 1, 1, 1, tensor.Float32)
	if err != nil {
		t.Fatal(err)
	}
	hidden, err := dist.NewTransformedDistribution(struct{ dist.Distribution }{m}, q.Bijector)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Fit(hidden, g, Config{Steps: 1}); err == nil || !strings.Contains(err.Error(), "not a ReparameterizedBase") {
		t.Errorf("trainable base without reparameterization: error %v", err)
	}
}

func TestResample(t *testing.T) {
	// q = N(0, 1), p = N(1, 1): the resampled mean approaches 1.
	q := affineQ(t, []float64{0}, []float64{1})
	x, logw, err := LogWeights(q, gaussian([]float64{1}, []float64{1}, 0), 50000, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatal(err)
	}
	r, err := Resample(x, logw, 20000, rand.New(rand.NewPCG(3, 4)))
	if err != nil {
		t.Fatal(err)
	}
	var m float64
	for _, v := range r.Float64s() {
		m += v / 20000
	}
	if math.Abs(m-1) > 0.05 {
		t.Errorf("resampled mean %.4f, expected 1 ± 0.05", m)
	}
	if _, err := Resample(x, logw[:10], 5, rand.New(rand.NewPCG(1, 1))); err == nil {
		t.Error("mismatched weights: no error")
	}
	if _, err := Resample(tensor.New(tensor.WithShape(2, 1), tensor.WithBacking([]float64{1, 2})), []float64{math.Inf(-1), math.Inf(-1)}, 5, rand.New(rand.NewPCG(1, 1))); err == nil {
		t.Error("all-zero weights: no error")
	}
}
