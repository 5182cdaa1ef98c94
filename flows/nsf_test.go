package flows

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/nflowgo/nflow/data"
	"github.com/nflowgo/nflow/dist"
	"github.com/nflowgo/nflow/train"
	"gorgonia.org/tensor"
)

var splineKinds = []string{"realnvp", "nsf", "nsf-coupling"}

func TestSplineKindsAreDeterministic(t *testing.T) {
	for _, kind := range splineKinds {
		s := Spec{Kind: kind, EventSize: 3, Layers: 2, Hidden: []int{8}, Seed: 4}
		a, err := Build(s)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := Build(s)
		if len(a.Params()) != len(b.Params()) || len(a.Params()) == 0 {
			t.Fatalf("%s: %d and %d parameters", kind, len(a.Params()), len(b.Params()))
		}
		for i, p := range a.Params() {
			q := b.Params()[i]
			for j, v := range p.Value.Float32s() {
				if q.Value.Float32s()[j] != v {
					t.Fatalf("%s: parameter %s differs between two builds", kind, p.Name)
				}
			}
		}
	}
}

// TestSplineKindsStructure checks the chains the builders make: layers
// with reversing permutations between, the spline defaults (8 bins on
// [-3, 3]) and num_masked from the masked fraction.
func TestSplineKindsStructure(t *testing.T) {
	for _, c := range []struct {
		spec Spec
		want string
	}{
		{Spec{Kind: "nsf", EventSize: 2, Layers: 2, Hidden: []int{8}},
			"Chain([MaskedAutoregressiveSpline(D=2, hidden=[8], bins=8, bound=3), Permute([1 0]), MaskedAutoregressiveSpline(D=2, hidden=[8], bins=8, bound=3)])"},
		{Spec{Kind: "nsf-coupling", EventSize: 3, Layers: 1, Hidden: []int{8}, Bins: 4, Bound: 2, MaskedFrac: -0.34},
			"Chain([NeuralSplineCoupling(D=3, num_masked=-1, hidden=[8], bins=4, bound=2)])"},
		{Spec{Kind: "realnvp", EventSize: 4, Layers: 2, Hidden: []int{8}, Scale: "exp"},
			"Chain([RealNVP(D=4, num_masked=2, hidden=[8], scale=exp), Permute([3 2 1 0]), RealNVP(D=4, num_masked=2, hidden=[8], scale=exp)])"},
		{Spec{Kind: "realnvp", EventSize: 2, Layers: 1, Hidden: []int{8}, ContextSize: 3},
			"Chain([RealNVP(D=2, num_masked=1, hidden=[8], scale=softplus, context=3)])"},
	} {
		td, err := Build(c.spec)
		if err != nil {
			t.Fatal(err)
		}
		if got := td.Bijector.String(); got != c.want {
			t.Errorf("%+v:\n got %s\nwant %s", c.spec, got, c.want)
		}
	}
}

// TestCouplingKindsStartAtIdentity: the coupling networks' output layers
// start at zero, so an untrained realnvp (scale exp: σ(0) = 1) or
// nsf-coupling flow has the density of its base.
func TestCouplingKindsStartAtIdentity(t *testing.T) {
	x := tensor.New(tensor.WithShape(3, 2), tensor.WithBacking([]float64{0.1, -0.5, 1.2, 0.3, -2, 2.5}))
	base, _ := dist.StandardNormal(2, tensor.Float64)
	want, err := dist.LogProb(base, x)
	if err != nil {
		t.Fatal(err)
	}
	for _, kind := range []string{"realnvp", "nsf-coupling"} {
		td, err := Build(Spec{Kind: kind, EventSize: 2, Layers: 3, Hidden: []int{8}, Scale: "exp", DType: "float64"})
		if err != nil {
			t.Fatal(err)
		}
		got, err := dist.LogProb(td, x)
		if err != nil {
			t.Fatal(err)
		}
		for i, w := range want.Float64s() {
			if g := got.Float64s()[i]; math.Abs(g-w) > 1e-12 {
				t.Errorf("%s: untrained log_prob %g, base %g", kind, g, w)
			}
		}
	}
}

func TestSplineKindErrors(t *testing.T) {
	for _, c := range []struct {
		s    Spec
		want string
	}{
		{Spec{Kind: "realnvp", EventSize: 1}, "event size >= 2"},
		{Spec{Kind: "nsf-coupling", EventSize: 1}, "event size >= 2"},
		{Spec{Kind: "realnvp", EventSize: 2, MaskedFrac: 1}, "fraction masked"},
		{Spec{Kind: "realnvp", EventSize: 2, MaskedFrac: 0.1}, "masks 0"},
		{Spec{Kind: "nsf", EventSize: 2, Bins: 100}, "bins"},
		{Spec{Kind: "nsf", EventSize: 2, Bound: -1}, "bound"},
		{Spec{Kind: "nsf-coupling", EventSize: 2, Bins: -3}, "bins"},
	} {
		if _, err := Build(c.s); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: error %v, want %q", c.s, err, c.want)
		}
	}
}

// TestSplineKindsTrain runs a few epochs of each kind on a small moons set
// (float32, compiled engine): the loss must fall and stay finite, and the
// trained flow must sample and give finite densities everywhere on a grid
// that reaches outside the splines' range.
func TestSplineKindsTrain(t *testing.T) {
	x, _, err := data.MakeMoons(512, 0.05, 1)
	if err != nil {
		t.Fatal(err)
	}
	x, _ = data.Cast(x, tensor.Float32)
	grid := make([]float32, 0, 2*81)
	for i := 0; i < 9; i++ {
		for j := 0; j < 9; j++ {
			grid = append(grid, float32(-8+2*i), float32(-8+2*j))
		}
	}
	for _, kind := range splineKinds {
		td, err := Build(Spec{Kind: kind, EventSize: 2, Layers: 2, Hidden: []int{16, 16}, Seed: 2})
		if err != nil {
			t.Fatal(err)
		}
		h, err := train.Fit(td, x, train.Config{Epochs: 4, BatchSize: 64, LearningRate: 3e-3, Seed: 1})
		if err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		if first, last := h.Loss[0], h.Loss[len(h.Loss)-1]; !(last < first) {
			t.Errorf("%s: loss went from %g to %g", kind, first, last)
		}
		lp, err := dist.LogProb(td, tensor.New(tensor.WithShape(81, 2), tensor.WithBacking(grid)))
		if err != nil {
			t.Fatal(err)
		}
		for i, v := range lp.Float32s() {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				t.Errorf("%s: log_prob at grid point %d is %g", kind, i, v)
			}
		}
		s, err := td.Sample(100, rand.New(rand.NewPCG(1, 1)))
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range s.Float32s() {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				t.Fatalf("%s: sample %g", kind, v)
			}
		}
	}
}

// TestSplineKindsStepWithoutAllocating: a compiled training step of each
// kind (spline knots, spline, log-det, coupling splits and all their
// gradients) performs no heap allocation after the first.
func TestSplineKindsStepWithoutAllocating(t *testing.T) {
	x, _, err := data.MakeMoons(32, 0.05, 1)
	if err != nil {
		t.Fatal(err)
	}
	x, _ = data.Cast(x, tensor.Float32)
	for _, kind := range splineKinds {
		td, err := Build(Spec{Kind: kind, EventSize: 2, Layers: 2, Hidden: []int{8}, Seed: 3})
		if err != nil {
			t.Fatal(err)
		}
		tr, err := train.NewTrainer(td, train.Config{LearningRate: 1e-3})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tr.Step(x); err != nil {
			t.Fatal(err)
		}
		if a := testing.AllocsPerRun(5, func() {
			if _, err := tr.Step(x); err != nil {
				t.Fatal(err)
			}
		}); a != 0 {
			t.Errorf("%s: %g allocations per training step, want 0", kind, a)
		}
	}
}
