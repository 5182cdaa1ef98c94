package dist

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/nflowgo/nflow/bijectors"
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

func gridMass(t *testing.T, d Distribution, g plot.Grid) float64 {
	t.Helper()
	pts := g.Points()
	if d.DType() == tensor.Float32 {
		pts = float32Of(pts)
	}
	lp, err := LogProb(d, pts)
	if err != nil {
		t.Fatal(err)
	}
	m, bad := g.Mass(Float64s(lp))
	if bad > 0 {
		t.Errorf("%d non-finite log-densities on the grid", bad)
	}
	return m
}

func float32Of(t *tensor.Dense) *tensor.Dense {
	v := Float64s(t)
	return bijectors.NewTensor(tensor.Float32, v, t.Shape()...)
}

func TestNormalIntegratesToOne(t *testing.T) {
	g := plot.Grid{XMin: -8, XMax: 8, YMin: -8, YMax: 8, NX: 300, NY: 300}
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		n := must(NewMultivariateNormalDiag([]float64{0.5, -1}, []float64{1.5, 0.7}, dt))
		if m := gridMass(t, n, g); math.Abs(m-1) > 1e-3 {
			t.Errorf("%v: mass %g, expected 1", dt, m)
		}
	}
}

func TestNormalLogProbFormula(t *testing.T) {
	n := must(NewMultivariateNormalDiag([]float64{1, 2}, []float64{2, 0.5}, tensor.Float64))
	x := tensor.New(tensor.WithShape(1, 2), tensor.WithBacking([]float64{0, 3}))
	lp := must(n.LogProb(x)).Float64s()[0]
	want := -0.5*(0.25+4) - math.Log(2) - math.Log(0.5) - math.Log(2*math.Pi)
	if math.Abs(lp-want) > 1e-12 {
		t.Errorf("log_prob %g, want %g", lp, want)
	}
}

func TestNormalSampleMoments(t *testing.T) {
	n := must(NewMultivariateNormalDiag([]float64{1, -2}, []float64{0.5, 3}, tensor.Float64))
	s := must(n.Sample(20000, rand.New(rand.NewPCG(1, 1)))).Float64s()
	for j, want := range [][2]float64{{1, 0.5}, {-2, 3}} {
		var m, v float64
		for i := j; i < len(s); i += 2 {
			m += s[i]
		}
		m /= 10000 * 2
		for i := j; i < len(s); i += 2 {
			v += (s[i] - m) * (s[i] - m)
		}
		sd := math.Sqrt(v / 20000)
		if math.Abs(m-want[0]) > 0.05*want[1] || math.Abs(sd-want[1]) > 0.03*want[1] {
			t.Errorf("dim %d: mean %g sd %g, want %g %g", j, m, sd, want[0], want[1])
		}
	}
}

func labFlow(dt tensor.Dtype) *TransformedDistribution {
	flow := must(bijectors.NewMAFStack(2, bijectors.MADEConfig{EventSize: 2, HiddenUnits: []int{16, 16},
		Activation: ops.Tanh, KernelInit: bijectors.TorchUniform, Seed: 3, DType: dt}, ops.ScaleSoftplus))
	base := must(StandardNormal(2, dt))
	return must(NewTransformedDistribution(base, flow))
}

func TestTransformedLogProbFormula(t *testing.T) {
	td := labFlow(tensor.Float64)
	y := tensor.New(tensor.WithShape(3, 2), tensor.WithBacking([]float64{0.1, 0.2, -1, 0.5, 2, -0.3}))
	lp := must(td.LogProb(y)).Float64s()
	x, ildj := must2(bijectors.InverseAndLogDet(td.Bijector, y))
	blp := must(LogProb(td.Base, x)).Float64s()
	for i := range lp {
		if want := blp[i] + ildj.Float64s()[i]; math.Abs(lp[i]-want) > 1e-12 {
			t.Errorf("row %d: log_prob %g, base.log_prob(inverse)+ILDJ %g", i, lp[i], want)
		}
	}
	p := must(td.Prob(y)).Float64s()
	for i := range p {
		if math.Abs(p[i]-math.Exp(lp[i])) > 1e-12 {
			t.Errorf("prob %g, exp(log_prob) %g", p[i], math.Exp(lp[i]))
		}
	}
}

func must2[A, B any](a A, b B, err error) (A, B) {
	if err != nil {
		panic(err)
	}
	return a, b
}

func TestSampleAndLogProbMatchesLogProb(t *testing.T) {
	td := labFlow(tensor.Float64)
	s, lp := must2(td.SampleAndLogProb(50, rand.New(rand.NewPCG(2, 2))))
	if !s.Shape().Eq(tensor.Shape{50, 2}) {
		t.Fatalf("sample shape %v", s.Shape())
	}
	want := must(td.LogProb(s)).Float64s()
	for i, v := range lp.Float64s() {
		if math.Abs(v-want[i]) > 1e-8 {
			t.Errorf("sample %d: log-prob from the forward pass %g, from log_prob %g", i, v, want[i])
		}
	}
}

func TestUntrainedFlowIntegratesToOne(t *testing.T) {
	g := plot.Grid{XMin: -7, XMax: 7, YMin: -7, YMax: 7, NX: 250, NY: 250}
	if m := gridMass(t, labFlow(tensor.Float32), g); math.Abs(m-1) > 0.01 {
		t.Errorf("mass %g, expected 1", m)
	}
}

func TestBadInput(t *testing.T) {
	td := labFlow(tensor.Float32)
	rng := rand.New(rand.NewPCG(1, 1))
	cases := []struct {
		name, want string
		err        error
	}{
		{"width", "expected [N, 2]", errOf(td.LogProb(tensor.New(tensor.WithShape(2, 3), tensor.WithBacking(make([]float32, 6)))))},
		{"dtype", "expected float32", errOf(td.LogProb(tensor.New(tensor.WithShape(2, 2), tensor.WithBacking(make([]float64, 4)))))},
		{"nil", "nil", errOf(td.LogProb(nil))},
		{"sample size", "sample size 0", errOf(td.Sample(0, rng))},
		{"nil rng", "random source is nil", errOf(td.Sample(3, nil))},
		{"scale", "scale[1] = -1", errOf(NewMultivariateNormalDiag([]float64{0, 0}, []float64{1, -1}, tensor.Float32))},
		{"lengths", "loc has 2 entries and scale 1", errOf(NewMultivariateNormalDiag([]float64{0, 0}, []float64{1}, tensor.Float32))},
		{"event size", "event size 2, base has 3", errOf(NewTransformedDistribution(must(StandardNormal(3, tensor.Float32)), td.Bijector))},
		{"param dtype", "is float32, base is float64", errOf(NewTransformedDistribution(must(StandardNormal(2, tensor.Float64)), td.Bijector))},
	}
	for _, c := range cases {
		if c.err == nil || !strings.Contains(c.err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, c.err, c.want)
		}
	}
}

func errOf[T any](_ T, err error) error { return err }
