package flows

import (
	"bytes"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/nflowgo/nflow/bijectors"
	"github.com/nflowgo/nflow/dist"
	"github.com/nflowgo/nflow/train"
	"gorgonia.org/tensor"
)

// rawPoints returns n rows of 3 columns in very different units, with a
// few far outliers, as a user's table has them.
func rawPoints(n int, seed uint64) []float64 {
	rng := rand.New(rand.NewPCG(seed, 1))
	v := make([]float64, 0, 3*n)
	for i := 0; i < n; i++ {
		a := rng.NormFloat64()
		v = append(v, 1000+250*a, -3+0.01*(a+rng.NormFloat64()), 5e4*math.Exp(rng.NormFloat64()))
	}
	v[0] = 1e6 // an outlier, 4000 sd out
	return v
}

// TestStandardizeDensityInRawUnits checks, for each flow kind, that the
// log-density of a model built with Standardize is the log-density of the
// same flow without it at (y - μ)/σ, minus Σ log σ.
func TestStandardizeDensityInRawUnits(t *testing.T) {
	raw := rawPoints(200, 1)
	y := tensor.New(tensor.WithShape(200, 3), tensor.WithBacking(raw))
	for _, kind := range []string{"maf", "nsf", "realnvp"} {
		spec := Spec{Kind: kind, EventSize: 3, Layers: 2, Hidden: []int{8}, Seed: 4, DType: "float64"}
		inner, err := Build(spec)
		if err != nil {
			t.Fatal(err)
		}
		spec.Standardize = true
		model, err := Build(spec)
		if err != nil {
			t.Fatal(err)
		}
		if err := InitStandardize(model, y); err != nil {
			t.Fatal(err)
		}
		st := StandardizerOf(model)
		mu, ls := st.Shift.Value.Float64s(), st.LogScale.Value.Float64s()
		z := make([]float64, len(raw))
		sumLog := 0.0
		for c := range mu {
			sumLog += ls[c]
		}
		for i, v := range raw {
			z[i] = (v - mu[i%3]) / math.Exp(ls[i%3])
		}
		got, err := model.LogProb(y)
		if err != nil {
			t.Fatal(err)
		}
		want, err := inner.LogProb(tensor.New(tensor.WithShape(200, 3), tensor.WithBacking(z)))
		if err != nil {
			t.Fatal(err)
		}
		for i, g := range got.Float64s() {
			w := want.Float64s()[i] - sumLog
			if math.IsNaN(g) || math.Abs(g-w) > 1e-9*math.Max(1, math.Abs(w)) {
				t.Fatalf("%s: log p(y[%d]) = %.12g, want log p_z(z) - Σ log σ = %.12g", kind, i, g, w)
			}
		}
		x, err := bijectors.Inverse(model.Bijector, y)
		if err != nil {
			t.Fatal(err)
		}
		back, err := bijectors.Forward(model.Bijector, x)
		if err != nil {
			t.Fatal(err)
		}
		for i, b := range back.Float64s() {
			if math.Abs(b-raw[i]) > 1e-8*math.Max(1, math.Abs(raw[i])) {
				t.Fatalf("%s: forward(inverse(y))[%d] = %g, want %g", kind, i, b, raw[i])
			}
		}
	}
}

// TestStandardizeSaveLoadAndTrain checks that training leaves μ and σ as
// InitStandardize set them, and that a saved model reloads them,
// initialised, with the same log-densities.
func TestStandardizeSaveLoadAndTrain(t *testing.T) {
	raw := rawPoints(300, 2)
	raw[0] = 1500 // no far outlier here: training only has to see raw units
	y := tensor.New(tensor.WithShape(300, 3), tensor.WithBacking(raw))
	spec := Spec{Kind: "maf", EventSize: 3, Layers: 2, Hidden: []int{16}, Seed: 1, DType: "float64", Standardize: true}
	model, err := Build(spec)
	if err != nil {
		t.Fatal(err)
	}
	if err := InitStandardize(model, y); err != nil {
		t.Fatal(err)
	}
	st := StandardizerOf(model)
	before := append(st.Shift.Value.Float64s()[:3:3], st.LogScale.Value.Float64s()...)
	h, err := train.Fit(model, y, train.Config{Epochs: 3, BatchSize: 64, LearningRate: 1e-3, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if l := h.Loss[len(h.Loss)-1]; math.IsNaN(l) || l > 50 {
		t.Errorf("training on raw points with Standardize: final loss %g, want a finite loss below 50 nats", l)
	}
	after := append(st.Shift.Value.Float64s()[:3:3], st.LogScale.Value.Float64s()...)
	for i := range before {
		if before[i] != after[i] {
			t.Errorf("state %d was %g before training and %g after, want it unchanged", i, before[i], after[i])
		}
	}
	var buf bytes.Buffer
	if err := Save(&buf, spec, model); err != nil {
		t.Fatal(err)
	}
	spec2, loaded, err := Load(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if !spec2.Standardize {
		t.Error("the loaded spec lost Standardize")
	}
	lst := StandardizerOf(loaded)
	if lst == nil || !lst.Initialized() {
		t.Fatalf("loaded model: Standardize %v, want one marked initialised", lst)
	}
	want, _ := model.LogProb(y)
	got, err := loaded.LogProb(y)
	if err != nil {
		t.Fatal(err)
	}
	for i := range want.Float64s() {
		if got.Float64s()[i] != want.Float64s()[i] {
			t.Fatalf("log p(y[%d]): %g after Load, %g before Save", i, got.Float64s()[i], want.Float64s()[i])
		}
	}
}

func TestInitStandardizeWithout(t *testing.T) {
	model, err := Build(Spec{Kind: "maf", EventSize: 2, Hidden: []int{4}})
	if err != nil {
		t.Fatal(err)
	}
	y := bijectors.NewTensor(tensor.Float32, []float64{1, 2}, 1, 2)
	if err := InitStandardize(model, y); err == nil || !strings.Contains(err.Error(), "Spec.Standardize") {
		t.Errorf("InitStandardize on a model without Standardize: error %v, want one naming Spec.Standardize", err)
	}
	var none *dist.TransformedDistribution
	if StandardizerOf(none) != nil {
		t.Error("StandardizerOf(nil) is not nil")
	}
}
