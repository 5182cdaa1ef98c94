package flows

import (
	"bytes"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/nflowgo/nflow/dist"
	"gorgonia.org/tensor"
)

// TestConditionalBuild checks that Spec.ContextSize builds conditional maf
// and iaf flows whose densities depend on the context and whose samples
// invert.
func TestConditionalBuild(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, kind := range []string{"maf", "iaf"} {
		s := Spec{Kind: kind, EventSize: 3, Layers: 2, Hidden: []int{8}, ContextSize: 2, Seed: 4, DType: "float64"}
		td, err := Build(s)
		if err != nil {
			t.Fatal(err)
		}
		if td.ContextSize() != 2 || dist.ContextSizeOf(td) != 2 {
			t.Fatalf("%s: context size %d, want 2", kind, td.ContextSize())
		}
		if cfg := s.MADEConfig(2); cfg.ContextSize != 2 {
			t.Errorf("MADEConfig.ContextSize %d", cfg.ContextSize)
		}
		plain, err := Build(Spec{Kind: kind, EventSize: 3, Layers: 2, Hidden: []int{8}, Seed: 4, DType: "float64"})
		if err != nil {
			t.Fatal(err)
		}
		if n, m := len(td.Params()), len(plain.Params()); n != m+2*2 {
			t.Errorf("%s: %d parameters, the unconditional flow has %d: want one context kernel per layer", kind, n, m)
		}
		c := tensor.New(tensor.WithShape(1, 2), tensor.WithBacking([]float64{1, -1}))
		x, err := td.SampleGiven(5, c, rng)
		if err != nil {
			t.Fatal(err)
		}
		lp, err := td.LogProbGiven(x, c)
		if err != nil {
			t.Fatal(err)
		}
		other, err := td.LogProbGiven(x, tensor.New(tensor.WithShape(1, 2), tensor.WithBacking([]float64{-1, 1})))
		if err != nil {
			t.Fatal(err)
		}
		for i, v := range lp.Float64s() {
			if math.IsNaN(v) || math.IsInf(v, 0) || v == other.Float64s()[i] {
				t.Errorf("%s: log p(x_%d | c) = %g, given another context %g", kind, i, v, other.Float64s()[i])
			}
		}
		if _, err := td.LogProb(x); err == nil || !strings.Contains(err.Error(), "use LogProbGiven") {
			t.Errorf("%s: LogProb on a conditional flow: %v", kind, err)
		}
	}
}

// TestConditionalSaveLoad checks that a conditional flow survives Save and
// Load: the context kernels are saved, and the reloaded density given a
// context is the same.
func TestConditionalSaveLoad(t *testing.T) {
	s := Spec{Kind: "maf", EventSize: 2, Layers: 2, Hidden: []int{8}, ContextSize: 3, Seed: 5, DType: "float64"}
	td, err := Build(s)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range td.Params() { // move away from the initial values
		for i := range p.Value.Float64s() {
			p.Value.Float64s()[i] += 0.01 * float64(i%7)
		}
	}
	var buf bytes.Buffer
	if err := Save(&buf, s, td); err != nil {
		t.Fatal(err)
	}
	s2, td2, err := Load(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if s2.ContextSize != 3 || td2.ContextSize() != 3 {
		t.Fatalf("reloaded context size %d / %d, want 3", s2.ContextSize, td2.ContextSize())
	}
	x := tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float64{0.1, 0.2, -1, 1}))
	c := tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]float64{1, 0, 0, 0, 1, 0.5}))
	a, err := td.LogProbGiven(x, c)
	if err != nil {
		t.Fatal(err)
	}
	b, err := td2.LogProbGiven(x, c)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range a.Float64s() {
		if b.Float64s()[i] != v {
			t.Errorf("row %d: log p(x | c) %g before saving, %g after loading", i, v, b.Float64s()[i])
		}
	}
}
