package vi

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/nflowgo/nflow/bijectors"
	"github.com/nflowgo/nflow/dist"
	"gorgonia.org/tensor"
)

// The compiled step's gradient of L = mean(log q - β log p̃) at fixed base
// samples matches central finite differences of its own loss, for every
// parameter coordinate of a float64 IAF.
func TestStepGradientFiniteDifferences(t *testing.T) {
	t.Run("iaf", func(t *testing.T) { checkStepGradient(t, iaf(t, 3, "float64"), false) })
	t.Run("mixture-base", func(t *testing.T) { checkStepGradient(t, mixtureIAF(t, 3), false) })
	t.Run("mixture-base-path", func(t *testing.T) { checkStepGradientMixturePath(t) })
}

// mixtureIAF is a small IAF on a trainable Gaussian-mixture base.
func mixtureIAF(t *testing.T, d int) *dist.TransformedDistribution {
	t.Helper()
	m, err := NewGaussianMixture(3, d, 1.5, 0.8, 1, tensor.Float64)
	if err != nil {
		t.Fatal(err)
	}
	q, err := dist.NewTransformedDistribution(m, iaf(t, d, "float64").Bijector)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

func checkStepGradientMixturePath(t *testing.T) {
	// The path estimator's loss is not the program's own loss; check only
	// that it builds and gives finite gradients for a trainable base.
	q := mixtureIAF(t, 2)
	st, err := newStep(q, gaussian([]float64{0, 0}, []float64{1, 1}, 0), 8, true)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.sample(rand.New(rand.NewPCG(1, 1))); err != nil {
		t.Fatal(err)
	}
	if l := st.run(); !finite(l) || !st.gradsFinite() {
		t.Errorf("path-gradient step on a mixture base: loss %g, finite gradients %v", l, st.gradsFinite())
	}
}

func checkStepGradient(t *testing.T, q *dist.TransformedDistribution, path bool) {
	target := gaussian([]float64{1, -1, 0.5}, []float64{0.7, 1.5, 1}, 0.3)
	st, err := newStep(q, target, 16, path)
	if err != nil {
		t.Fatal(err)
	}
	st.beta = 0.6
	if err := st.sample(rand.New(rand.NewPCG(1, 1))); err != nil {
		t.Fatal(err)
	}
	st.run()
	grads := make([][]float64, len(st.g64))
	for i, g := range st.g64 {
		grads[i] = append([]float64(nil), g...)
	}
	const h = 1e-6
	worst := 0.0
	for i, p := range q.Params() {
		v := p.Value.Float64s()
		for j := range v {
			old := v[j]
			v[j] = old + h
			lp := st.run()
			v[j] = old - h
			lm := st.run()
			v[j] = old
			num := (lp - lm) / (2 * h)
			if e := math.Abs(num-grads[i][j]) / math.Max(1, math.Abs(num)); e > worst {
				worst = e
				if e > 1e-6 {
					t.Errorf("parameter %s[%d]: gradient %.10g, finite difference %.10g", p.Name, j, grads[i][j], num)
				}
			}
		}
	}
	t.Logf("worst relative error %.2g", worst)
}

// The path-gradient step's gradient is the derivative of
// mean(log q_θ₀(x_θ(ε)) - log p̃(x_θ(ε))) with θ₀ held at θ: finite
// differences move the samples x_θ(ε) and score them with the density of
// the unperturbed flow.
func TestPathGradientFiniteDifferences(t *testing.T) {
	q := iaf(t, 2, "float64")
	target := gaussian([]float64{1, -1}, []float64{0.7, 1.5}, 0)
	st, err := newStep(q, target, 8, true)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.sample(rand.New(rand.NewPCG(2, 2))); err != nil {
		t.Fatal(err)
	}
	st.run()
	eps := st.eps.Clone().(*tensor.Dense)
	var grads [][]float64
	for _, g := range st.g64 {
		grads = append(grads, append([]float64(nil), g...))
	}
	samples := func() []float64 {
		x, err := bijectors.Forward(q.Bijector, eps)
		if err != nil {
			t.Fatal(err)
		}
		return dist.Float64s(x)
	}
	loss := func(x []float64) float64 {
		lq, err := dist.LogProb(q, bijectors.NewTensor(tensor.Float64, x, 8, 2))
		if err != nil {
			t.Fatal(err)
		}
		lp, _, err := EvalTarget(target, x, false)
		if err != nil {
			t.Fatal(err)
		}
		var s float64
		for i, v := range dist.Float64s(lq) {
			s += v - lp[i]
		}
		return s / 8
	}
	const h = 1e-6
	for i, p := range q.Params() {
		v := p.Value.Float64s()
		for j := range v {
			old := v[j]
			v[j] = old + h
			xp := samples()
			v[j] = old - h
			xm := samples()
			v[j] = old
			num := (loss(xp) - loss(xm)) / (2 * h)
			if e := math.Abs(num-grads[i][j]) / math.Max(1, math.Abs(num)); e > 1e-5 {
				t.Errorf("parameter %s[%d]: path gradient %.10g, finite difference %.10g", p.Name, j, grads[i][j], num)
			}
		}
	}
}

// A float32 training step (sample, run, Adam update) does not allocate,
// on a Gaussian base and on a mixture base.
func TestStepDoesNotAllocate(t *testing.T) {
	m, err := NewGaussianMixture(4, 2, 1, 1, 1, tensor.Float32)
	if err != nil {
		t.Fatal(err)
	}
	mq, err := dist.NewTransformedDistribution(m, iaf(t, 2, "float32").Bijector)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []*dist.TransformedDistribution{iaf(t, 2, "float32"), mq} {
		checkNoAllocs(t, q)
	}
}

func checkNoAllocs(t *testing.T, q *dist.TransformedDistribution) {
	st, err := newStep(q, gaussian([]float64{0, 0}, []float64{1, 1}, 0), 32, false)
	if err != nil {
		t.Fatal(err)
	}
	var values []*tensor.Dense
	for _, p := range q.Params() {
		values = append(values, p.Value)
	}
	opt, err := newAdamFor(values)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	one := func() {
		_ = st.sample(rng)
		st.run()
		st.update(opt)
	}
	one()
	if a := testing.AllocsPerRun(20, one); a != 0 {
		t.Errorf("%v: %v allocations per step, expected 0", q.Base, a)
	}
}
