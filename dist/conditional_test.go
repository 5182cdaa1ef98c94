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

// condFlow is a two-layer MAF on D = 2 conditioned on a context of size c.
func condFlow(dt tensor.Dtype, c int) *TransformedDistribution {
	flow := must(bijectors.NewMAFStack(2, bijectors.MADEConfig{EventSize: 2, HiddenUnits: []int{16, 16}, Activation: ops.Tanh,
		KernelInit: bijectors.TorchUniform, Seed: 3, DType: dt, ContextSize: c}, ops.ScaleSoftplus))
	return must(NewTransformedDistribution(must(StandardNormal(2, dt)), flow))
}

func rowOf(dt tensor.Dtype, v ...float64) *tensor.Dense { return bijectors.NewTensor(dt, v, 1, len(v)) }

// condMoments integrates p(y | c) over g: its mass and mean.
func condMoments(t *testing.T, d Distribution, c *tensor.Dense, g plot.Grid) (mass float64, mean [2]float64) {
	t.Helper()
	pts := g.Points()
	if d.DType() == tensor.Float32 {
		pts = float32Of(pts)
	}
	lp := Float64s(must(LogProbGiven(d, pts, c)))
	mass, bad := g.Mass(lp)
	if bad > 0 {
		t.Errorf("%d non-finite log-densities on the grid", bad)
	}
	xy := Float64s(pts)
	for i, v := range lp {
		w := math.Exp(v)
		mean[0] += w * xy[2*i]
		mean[1] += w * xy[2*i+1]
	}
	area := (g.XMax - g.XMin) * (g.YMax - g.YMin) / float64(g.NX*g.NY)
	mean[0] *= area / mass
	mean[1] *= area / mass
	return mass, mean
}

// TestConditionalDensity checks that p(· | c) integrates to one for each
// context, that the context changes it, and that SampleGiven draws from it:
// the sample mean matches the mean integrated from LogProbGiven.
func TestConditionalDensity(t *testing.T) {
	g := plot.Grid{XMin: -7, XMax: 7, YMin: -7, YMax: 7, NX: 250, NY: 250}
	rng := rand.New(rand.NewPCG(5, 6))
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		d := condFlow(dt, 2)
		var means [2][2]float64
		for k, c := range []*tensor.Dense{rowOf(dt, 1, 0), rowOf(dt, -1, 0.5)} {
			mass, mean := condMoments(t, d, c, g)
			if math.Abs(mass-1) > 0.01 {
				t.Errorf("%v context %v: mass %g, expected 1", dt, c.Data(), mass)
			}
			means[k] = mean
			const n = 10000
			s := must(SampleGiven(d, n, c, rng))
			if !s.Shape().Eq(tensor.Shape{n, 2}) || s.Dtype() != dt {
				t.Fatalf("samples %v %v, want (%d, 2) %v", s.Shape(), s.Dtype(), n, dt)
			}
			var sm [2]float64
			for i, v := range Float64s(s) {
				sm[i%2] += v / n
			}
			for j := range sm {
				if math.Abs(sm[j]-mean[j]) > 0.05 {
					t.Errorf("%v context %v: sample mean %v, integrated mean %v", dt, c.Data(), sm, mean)
				}
			}
		}
		if math.Hypot(means[0][0]-means[1][0], means[0][1]-means[1][1]) < 0.1 {
			t.Errorf("%v: means %v and %v: the context barely changes the density", dt, means[0], means[1])
		}
	}
}

// TestLogProbGivenRows checks the pairing of rows: a [1, C] context equals
// the same row repeated, and each row of an [N, C] context conditions its
// own row.
func TestLogProbGivenRows(t *testing.T) {
	d := condFlow(tensor.Float64, 3)
	rng := rand.New(rand.NewPCG(7, 8))
	x := bijectors.NewTensor(tensor.Float64, []float64{0.1, 0.2, -1, 0.5, 2, -0.3, 0, 0}, 4, 2)
	c := make([]float64, 12)
	for i := range c {
		c[i] = rng.NormFloat64()
	}
	lp := Float64s(must(LogProbGiven(d, x, bijectors.NewTensor(tensor.Float64, c, 4, 3))))
	if len(lp) != 4 {
		t.Fatalf("log-densities %v, want 4", lp)
	}
	for r := 0; r < 4; r++ {
		xr := bijectors.NewTensor(tensor.Float64, Float64s(x)[2*r:2*r+2], 1, 2)
		one := Float64s(must(d.LogProbGiven(xr, rowOf(tensor.Float64, c[3*r:3*r+3]...))))[0]
		if math.Abs(one-lp[r]) > 1e-12 {
			t.Errorf("row %d: %g alone, %g in the batch", r, one, lp[r])
		}
	}
	bcast := Float64s(must(d.LogProbGiven(x, rowOf(tensor.Float64, c[:3]...))))
	rep := Float64s(must(d.LogProbGiven(x, bijectors.NewTensor(tensor.Float64, append(append(append(c[:3:3], c[:3]...), c[:3]...), c[:3]...), 4, 3))))
	closeAll(t, "broadcast context", bcast, rep, 1e-12)
	p := Float64s(must(d.ProbGiven(x, rowOf(tensor.Float64, c[:3]...))))
	for i := range p {
		if math.Abs(p[i]-math.Exp(bcast[i])) > 1e-12 {
			t.Errorf("ProbGiven[%d] = %g, exp(LogProbGiven) = %g", i, p[i], math.Exp(bcast[i]))
		}
	}
	if got := d.ContextSize(); got != 3 || ContextSizeOf(d) != 3 || ContextSizeOf(labFlow(tensor.Float32)) != 0 {
		t.Errorf("ContextSize %d", got)
	}
}

func closeAll(t *testing.T, what string, got, want []float64, tol float64) {
	t.Helper()
	for i := range want {
		if math.Abs(got[i]-want[i]) > tol*(1+math.Abs(want[i])) {
			t.Errorf("%s[%d] = %g, want %g", what, i, got[i], want[i])
			return
		}
	}
}

func TestConditionalBadInput(t *testing.T) {
	d := condFlow(tensor.Float32, 2)
	plain := labFlow(tensor.Float32)
	rng := rand.New(rand.NewPCG(1, 1))
	x := bijectors.NewTensor(tensor.Float32, make([]float64, 6), 3, 2)
	c := bijectors.NewTensor(tensor.Float32, make([]float64, 6), 3, 2)
	nan := bijectors.NewTensor(tensor.Float32, []float64{0, 0, 0, math.NaN(), 0, 0}, 3, 2)
	cases := []struct {
		name, want string
		err        error
	}{
		{"LogProb", "conditional on a context of size 2; use LogProbGiven", errOf(d.LogProb(x))},
		{"Prob", "use LogProbGiven", errOf(Prob(d, x))},
		{"Sample", "use SampleGiven", errOf(d.Sample(3, rng))},
		{"SampleAndLogProb", "use SampleGiven and LogProbGiven", func() error { _, _, err := d.SampleAndLogProb(3, rng); return err }()},
		{"unconditional", "not conditional (context size 0)", errOf(LogProbGiven(plain, x, c))},
		{"unconditional sample", "not conditional", errOf(SampleGiven(plain, 3, c, rng))},
		{"nil context", "context is nil, expected [3, 2] or [1, 2]", errOf(d.LogProbGiven(x, nil))},
		{"width", "context shape (3, 3), expected [3, 2] or [1, 2]", errOf(d.LogProbGiven(x, bijectors.NewTensor(tensor.Float32, make([]float64, 9), 3, 3)))},
		{"rows", "context shape (2, 2), expected [3, 2]", errOf(d.LogProbGiven(x, bijectors.NewTensor(tensor.Float32, make([]float64, 4), 2, 2)))},
		{"vector", "context shape (2), expected", errOf(d.LogProbGiven(x, bijectors.NewTensor(tensor.Float32, make([]float64, 2), 2)))},
		{"dtype", "context dtype float64, expected float32", errOf(d.LogProbGiven(x, bijectors.NewTensor(tensor.Float64, make([]float64, 6), 3, 2)))},
		{"nan", "context row 1 column 1 is NaN", errOf(d.LogProbGiven(x, nan))},
		{"x width", "input shape (3, 3)", errOf(d.LogProbGiven(bijectors.NewTensor(tensor.Float32, make([]float64, 9), 3, 3), c))},
		{"sample rows", "context shape (3, 2), expected [5, 2] or [1, 2]", errOf(d.SampleGiven(5, c, rng))},
		{"sample size", "sample size 0", errOf(d.SampleGiven(0, c, rng))},
		{"nil rng", "random source is nil", errOf(d.SampleGiven(3, c, nil))},
		{"nil dist", "distribution is nil", errOf(SampleGiven(nil, 3, c, rng))},
	}
	for _, c := range cases {
		if c.err == nil || !strings.Contains(c.err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, c.err, c.want)
		}
	}
}
