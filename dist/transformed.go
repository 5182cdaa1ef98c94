package dist

import (
	"fmt"
	"math/rand/v2"

	"github.com/nflowgo/nflow/bijectors"
	"github.com/nflowgo/nflow/engine"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TransformedDistribution is the distribution of y = f(x) with x drawn from
// Base and f the Bijector, as tfd.TransformedDistribution:
//
//	log p(y) = base.log_prob(f⁻¹(y)) + ILDJ(y)
//	sample   = f(base.sample())
//
// Densities take one inverse pass; samples one forward pass (D network
// passes for a MAF).
type TransformedDistribution struct {
	Base     Distribution
	Bijector bijectors.Bijector
}

// NewTransformedDistribution returns the pushforward of base through b.
// b's event size (if fixed) and parameter dtypes must match base.
func NewTransformedDistribution(base Distribution, b bijectors.Bijector) (*TransformedDistribution, error) {
	if base == nil || b == nil {
		return nil, fmt.Errorf("TransformedDistribution: base and bijector must be non-nil")
	}
	if d := b.EventSize(); d > 0 && d != base.EventSize() {
		return nil, fmt.Errorf("TransformedDistribution: bijector %v has event size %d, base has %d", b, d, base.EventSize())
	}
	for _, p := range b.Params() {
		if p.Value.Dtype() != base.DType() {
			return nil, fmt.Errorf("TransformedDistribution: parameter %s is %v, base is %v", p.Name, p.Value.Dtype(), base.DType())
		}
	}
	return &TransformedDistribution{Base: base, Bijector: b}, nil
}

func (t *TransformedDistribution) String() string {
	return fmt.Sprintf("TransformedDistribution(%v, %v)", t.Base, t.Bijector)
}
func (t *TransformedDistribution) EventSize() int      { return t.Base.EventSize() }
func (t *TransformedDistribution) DType() tensor.Dtype { return t.Base.DType() }

// Params returns the base's parameters, then the bijector's.
func (t *TransformedDistribution) Params() []*bijectors.Param {
	return append(append([]*bijectors.Param(nil), t.Base.Params()...), t.Bijector.Params()...)
}

// LogProbNode adds base.log_prob(f⁻¹(y)) + ILDJ(y) to g.
func (t *TransformedDistribution) LogProbNode(g *bijectors.Graph, y *gorgonia.Node) (*gorgonia.Node, error) {
	x, ildj, err := t.Bijector.InverseNode(g, y)
	if err != nil {
		return nil, err
	}
	lp, err := t.Base.LogProbNode(g, x)
	if err != nil {
		return nil, err
	}
	return gorgonia.Add(lp, ildj)
}

// Sample draws n events f(x), x ~ Base, using rng. A conditional
// distribution is an error: use SampleGiven.
func (t *TransformedDistribution) Sample(n int, rng *rand.Rand) (*tensor.Dense, error) {
	if err := unconditionalOnly(t, "Sample", "SampleGiven"); err != nil {
		return nil, err
	}
	x, err := t.Base.Sample(n, rng)
	if err != nil {
		return nil, err
	}
	return bijectors.Forward(t.Bijector, x)
}

// SampleAndLogProb draws n events and returns them with their
// log-densities, base.log_prob(x) - FLDJ(x), from the forward pass alone.
func (t *TransformedDistribution) SampleAndLogProb(n int, rng *rand.Rand) (*tensor.Dense, *tensor.Dense, error) {
	if err := unconditionalOnly(t, "SampleAndLogProb", "SampleGiven and LogProbGiven"); err != nil {
		return nil, nil, err
	}
	x, err := t.Base.Sample(n, rng)
	if err != nil {
		return nil, nil, err
	}
	d := t.EventSize()
	f, err := cache.Get(engine.Key{Owner: t, Kind: "sample_and_log_prob", Rows: n, Cols: d, DType: t.DType()}, func() (*engine.Func, error) {
		g, err := bijectors.NewGraph(t.DType())
		if err != nil {
			return nil, err
		}
		g.CPU = true
		in := g.Input("x", n, d)
		y, fldj, err := t.Bijector.ForwardNode(g, in)
		if err != nil {
			return nil, err
		}
		lp, err := t.Base.LogProbNode(g, in)
		if err != nil {
			return nil, err
		}
		if lp, err = gorgonia.Sub(lp, fldj); err != nil {
			return nil, err
		}
		return engine.NewFunc(g.G, gorgonia.Nodes{in}, gorgonia.Nodes{y, lp}, engine.DefaultExecutor)
	})
	if err != nil {
		return nil, nil, err
	}
	out, err := f.Call(x)
	if err != nil {
		return nil, nil, fmt.Errorf("dist: %w (%s)", err, Brief(t))
	}
	return out[0], out[1], nil
}

// LogProb returns log p(y) ([N]) for y [N, D].
func (t *TransformedDistribution) LogProb(y *tensor.Dense) (*tensor.Dense, error) {
	return LogProb(t, y)
}

// Prob returns p(y) ([N]) for y [N, D].
func (t *TransformedDistribution) Prob(y *tensor.Dense) (*tensor.Dense, error) { return Prob(t, y) }

// InitFromData runs the data-dependent initialisation of the bijector
// (ActNorm) on a batch y [N, D], if it has any left to do.
func (t *TransformedDistribution) InitFromData(y *tensor.Dense) error {
	if !bijectors.NeedsDataInit(t.Bijector) {
		return nil
	}
	if err := checkEvents(t, y); err != nil {
		return err
	}
	return bijectors.InitFromData(t.Bijector, y)
}
