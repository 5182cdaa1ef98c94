package dist

import (
	"fmt"

	"github.com/nflowgo/nflow/bijectors"
	"github.com/nflowgo/nflow/engine"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// LogProbOn is LogProb computed on dev: the cuda device runs the density
// graph on the GPU (float32 models) with the parameters as they are at the
// call, like the cpu. On the cpu it is LogProb.
func LogProbOn(dev engine.Device, d Distribution, x *tensor.Dense) (*tensor.Dense, error) {
	if dev == nil || dev.Name() == "cpu" {
		return LogProb(d, x)
	}
	if err := unconditionalOnly(d, "LogProbOn", "LogProbGiven"); err != nil {
		return nil, err
	}
	if err := checkEvents(d, x); err != nil {
		return nil, err
	}
	s := x.Shape()
	key := engine.Key{Owner: d, Kind: "log_prob@" + dev.Name(), Rows: s[0], Cols: s[1], DType: x.Dtype()}
	f, err := deviceFuncs.get(key, func() (engine.Caller, error) {
		g, in, lp, err := logProbGraph(d, s[0], s[1], x.Dtype(), false)
		if err != nil {
			return nil, err
		}
		return engine.NewDeviceFunc(dev, g.G, gorgonia.Nodes{in}, gorgonia.Nodes{lp})
	})
	if err != nil {
		return nil, err
	}
	out, err := f.Call(x)
	if err != nil {
		return nil, fmt.Errorf("dist: on %s: %w (%s)", dev.Name(), err, Brief(d))
	}
	return overflowToNegInf(out[0], x), nil
}

// SampleOn draws n samples of t on dev. On the cuda device the base draws
// come from a counter-based generator on the GPU seeded by seed (the base
// must be a standard normal), and the forward pass runs there too. On the
// cpu it is Sample with a generator seeded by seed. On either, each call
// starts seed's stream afresh: equal seeds give equal samples.
func SampleOn(dev engine.Device, t *TransformedDistribution, n int, seed uint64) (*tensor.Dense, error) {
	if dev == nil || dev.Name() == "cpu" {
		return t.Sample(n, newRand(seed))
	}
	if err := unconditionalOnly(t, "SampleOn", "SampleGiven"); err != nil {
		return nil, err
	}
	if n < 1 {
		return nil, fmt.Errorf("dist: sample size %d, expected >= 1 (%s)", n, Brief(t))
	}
	if m, ok := t.Base.(*MultivariateNormalDiag); !ok || !m.standard() {
		return nil, fmt.Errorf("dist: sampling on %s needs a standard normal base (%s)", dev.Name(), Brief(t))
	}
	d := t.EventSize()
	key := engine.Key{Owner: t, Kind: "sample@" + dev.Name(), Rows: n, Cols: d, DType: t.DType()}
	s, err := deviceSamplers.get(key, func() (engine.Sampler, error) {
		g, err := bijectors.NewGraph(t.DType())
		if err != nil {
			return nil, err
		}
		z := g.Input("z", n, d)
		y, _, err := t.Bijector.ForwardNode(g, z)
		if err != nil {
			return nil, err
		}
		return engine.NewDeviceSampler(dev, g.G, z, gorgonia.Nodes{y})
	})
	if err != nil {
		return nil, err
	}
	out, err := s.Sample(seed)
	if err != nil {
		return nil, fmt.Errorf("dist: on %s: %w (%s)", dev.Name(), err, Brief(t))
	}
	return out[0], nil
}
