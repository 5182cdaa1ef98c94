package dist

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/nflowgo/nflow/bijectors"
	"github.com/nflowgo/nflow/engine"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// A conditional distribution p(x | c) has a bijector that reads a context
// c [N, C] (bijectors.Conditional): row n of the batch is paired with row
// n of the context. Its densities and samples need the context, so they
// are computed by LogProbGiven, ProbGiven and SampleGiven; LogProb, Prob
// and Sample return an error for it.

// ContextSizeOf returns the context size C of d (a bijectors.Conditional,
// such as a TransformedDistribution of a conditional MAF), or 0 when d is
// unconditional.
func ContextSizeOf(d Distribution) int {
	if c, ok := d.(bijectors.Conditional); ok {
		return c.ContextSize()
	}
	return 0
}

// ContextSize is the context size C of the bijector (its largest member's
// for a chain), 0 when the distribution is unconditional.
func (t *TransformedDistribution) ContextSize() int { return bijectors.ContextSizeOf(t.Bijector) }

// conditionalOnly returns an error for an unconditional d.
func conditionalOnly(d Distribution, fn string) (int, error) {
	c := ContextSizeOf(d)
	if c == 0 {
		return 0, fmt.Errorf("dist: %s: the distribution is not conditional (context size 0); use the function without Given (%s)", fn, Brief(d))
	}
	return c, nil
}

// unconditionalOnly returns an error for a conditional d that points to
// the function to use instead.
func unconditionalOnly(d Distribution, fn, instead string) error {
	if c := ContextSizeOf(d); c > 0 {
		return fmt.Errorf("dist: %s: the distribution is conditional on a context of size %d; use %s (%s)", fn, c, instead, Brief(d))
	}
	return nil
}

// contextRows checks c against a conditional d with context size cs and a
// batch of n rows: [n, cs] or [1, cs] (one context for every row), d's
// dtype, finite values. It returns c with n rows, the one row repeated.
func contextRows(d Distribution, c *tensor.Dense, cs, n int) (*tensor.Dense, error) {
	if c == nil {
		return nil, fmt.Errorf("dist: context is nil, expected [%d, %d] or [1, %d] (%s)", n, cs, cs, Brief(d))
	}
	s := c.Shape()
	if len(s) != 2 || s[1] != cs || (s[0] != n && s[0] != 1) {
		return nil, fmt.Errorf("dist: context shape %v, expected [%d, %d] or [1, %d] (%s)", s, n, cs, cs, Brief(d))
	}
	if c.Dtype() != d.DType() {
		return nil, fmt.Errorf("dist: context dtype %v, expected %v (%s)", c.Dtype(), d.DType(), Brief(d))
	}
	v := Float64s(c)
	for i, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, fmt.Errorf("dist: context row %d column %d is %g, expected a finite number (%s)", i/cs, i%cs, x, Brief(d))
		}
	}
	if s[0] == n {
		return c, nil
	}
	rep := make([]float64, 0, n*cs)
	for r := 0; r < n; r++ {
		rep = append(rep, v...)
	}
	return bijectors.NewTensor(d.DType(), rep, n, cs), nil
}

// LogProbGiven returns log p(x | c) ([N]) for x [N, D] and the context c
// [N, C] (row n conditions row n) or [1, C] (one context for all rows). It
// compiles and caches one graph per shape, keyed by the context width too.
// It is an error if d is not conditional (use LogProb), or if c is nil,
// misshapen, of another dtype, or not finite. Far points get -Inf, not NaN,
// as in LogProb.
func LogProbGiven(d Distribution, x, c *tensor.Dense) (*tensor.Dense, error) {
	cs, err := conditionalOnly(d, "LogProbGiven")
	if err != nil {
		return nil, err
	}
	if err := checkEvents(d, x); err != nil {
		return nil, err
	}
	s := x.Shape()
	if c, err = contextRows(d, c, cs, s[0]); err != nil {
		return nil, err
	}
	k := engine.Key{Owner: d, Kind: fmt.Sprintf("log_prob|C=%d", cs), Rows: s[0], Cols: s[1], DType: x.Dtype()}
	f, err := cache.Get(k, func() (*engine.Func, error) {
		g, err := bijectors.NewGraph(x.Dtype())
		if err != nil {
			return nil, err
		}
		in := g.Input("x", s[0], s[1])
		g.Context = g.Input("c", s[0], cs)
		lp, err := d.LogProbNode(g, in)
		if err != nil {
			return nil, err
		}
		return engine.NewFunc(g.G, gorgonia.Nodes{in, g.Context}, gorgonia.Nodes{lp}, engine.DefaultExecutor)
	})
	if err != nil {
		return nil, err
	}
	out, err := f.Call(x, c)
	if err != nil {
		return nil, fmt.Errorf("dist: %w (%s)", err, Brief(d))
	}
	return overflowToNegInf(out[0], x), nil
}

// ProbGiven returns p(x | c) = exp(log p(x | c)) ([N]); see LogProbGiven.
func ProbGiven(d Distribution, x, c *tensor.Dense) (*tensor.Dense, error) {
	lp, err := LogProbGiven(d, x, c)
	if err != nil {
		return nil, err
	}
	expInPlace(lp)
	return lp, nil
}

// SampleGiven draws n events y = f(x; c), x ~ Base, from p(· | c) using
// rng: row r of the result [n, D] is drawn given row r of c [n, C], or
// every row given c [1, C]. The forward pass of a MAF takes D network
// passes. It is an error if d is not conditional (use Sample) or c is
// invalid (see LogProbGiven).
func SampleGiven(d *TransformedDistribution, n int, c *tensor.Dense, rng *rand.Rand) (*tensor.Dense, error) {
	if d == nil {
		return nil, fmt.Errorf("SampleGiven: distribution is nil")
	}
	cs, err := conditionalOnly(d, "SampleGiven")
	if err != nil {
		return nil, err
	}
	if n < 1 {
		return nil, fmt.Errorf("dist: sample size %d, expected >= 1 (%s)", n, Brief(d))
	}
	if c, err = contextRows(d, c, cs, n); err != nil {
		return nil, err
	}
	x, err := d.Base.Sample(n, rng)
	if err != nil {
		return nil, err
	}
	dim := d.EventSize()
	k := engine.Key{Owner: d, Kind: fmt.Sprintf("sample|C=%d", cs), Rows: n, Cols: dim, DType: d.DType()}
	f, err := cache.Get(k, func() (*engine.Func, error) {
		g, err := bijectors.NewGraph(d.DType())
		if err != nil {
			return nil, err
		}
		in := g.Input("x", n, dim)
		g.Context = g.Input("c", n, cs)
		y, _, err := d.Bijector.ForwardNode(g, in)
		if err != nil {
			return nil, err
		}
		return engine.NewFunc(g.G, gorgonia.Nodes{in, g.Context}, gorgonia.Nodes{y}, engine.DefaultExecutor)
	})
	if err != nil {
		return nil, err
	}
	out, err := f.Call(x, c)
	if err != nil {
		return nil, fmt.Errorf("dist: %w (%s)", err, Brief(d))
	}
	return overflowToNegInf(out[0], x), nil
}

// LogProbGiven returns log p(y | c) ([N]) for y [N, D] and c [N, C] or [1, C].
func (t *TransformedDistribution) LogProbGiven(y, c *tensor.Dense) (*tensor.Dense, error) {
	return LogProbGiven(t, y, c)
}

// ProbGiven returns p(y | c) ([N]) for y [N, D] and c [N, C] or [1, C].
func (t *TransformedDistribution) ProbGiven(y, c *tensor.Dense) (*tensor.Dense, error) {
	return ProbGiven(t, y, c)
}

// SampleGiven draws n events [n, D] given c [n, C] or [1, C] using rng.
func (t *TransformedDistribution) SampleGiven(n int, c *tensor.Dense, rng *rand.Rand) (*tensor.Dense, error) {
	return SampleGiven(t, n, c, rng)
}

// expInPlace replaces every value v of a float tensor by exp(v).
func expInPlace(t *tensor.Dense) {
	switch v := t.Data().(type) {
	case []float32:
		for i := range v {
			v[i] = float32(math.Exp(float64(v[i])))
		}
	case []float64:
		for i := range v {
			v[i] = math.Exp(v[i])
		}
	}
}
