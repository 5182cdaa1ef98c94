package dist

import (
	"fmt"

	"github.com/nflowgo/nflow/bijectors"
	"github.com/nflowgo/nflow/engine"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// LogProbOn is LogProb computed on dev: the cuda device runs the density
// graph on the GPU (float32 models). On the cpu it is LogProb.
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
		return nil, fmt.Errorf("%v on %s: %w", d, dev.Name(), err)
	}
	return out[0], nil
}

// SampleOn draws n samples of t on dev. On the cuda device the base draws
// come from a counter-based generator on the GPU seeded by seed (the base
// must be a standard normal), and the forward pass runs there too. On the
// cpu it is Sample with a generator seeded by seed.
func SampleOn(dev engine.Device, t *TransformedDistribution, n int, seed uint64) (*tensor.Dense, error) {
	if dev == nil || dev.Name() == "cpu" {
		return t.Sample(n, newRand(seed))
	}
	if err := unconditionalOnly(t, "SampleOn", "SampleGiven"); err != nil {
		return nil, err
	}
	if n < 1 {
		return nil, fmt.Errorf("%v: sample size %d, expected >= 1", t, n)
	}
	if m, ok := t.Base.(*MultivariateNormalDiag); !ok || !m.standard() {
		return nil, fmt.Errorf("%v: sampling on %s needs a standard normal base", t, dev.Name())
	}
	d := t.EventSize()
	key := engine.Key{Owner: t, Kind: fmt.Sprintf("sample@%s#%d", dev.Name(), seed), Rows: n, Cols: d, DType: t.DType()}
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
		return engine.NewDeviceSampler(dev, g.G, z, gorgonia.Nodes{y}, seed)
	})
	if err != nil {
		return nil, err
	}
	out, err := s.Sample()
	if err != nil {
		return nil, fmt.Errorf("%v on %s: %w", t, dev.Name(), err)
	}
	return out[0], nil
}
