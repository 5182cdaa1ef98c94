package flows

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"

	"github.com/nflowgo/nflow/bijectors"
	"github.com/nflowgo/nflow/dist"
	"gorgonia.org/tensor"
)

// probeRows is how many points verifyReload compares the two models at.
const probeRows = 8

// verifyReload checks that the file contents buf of model load back (so
// that a model that saves always loads) into a model with the same
// log-density, bit for bit, at a few fixed points: names and shapes of the
// parameters cannot tell a relu network from a tanh one, nor one scale
// function or permutation from another, but the density they compute can.
func verifyReload(buf []byte, model *dist.TransformedDistribution) error {
	_, got, err := decode(buf)
	if err != nil {
		return fmt.Errorf("the model would not load back: %s", strings.TrimPrefix(err.Error(), "flows: "))
	}
	d, cs := model.EventSize(), dist.ContextSizeOf(model)
	rng := rand.New(rand.NewPCG(0x70726f6265, uint64(d)))
	probe := func(cols int) *tensor.Dense {
		v := make([]float64, probeRows*cols)
		for i := range v {
			v[i] = rng.NormFloat64() * float64(1+i%3)
		}
		return bijectors.NewTensor(model.DType(), v, probeRows, cols)
	}
	x := probe(d)
	var want, have *tensor.Dense
	if cs == 0 {
		if want, err = model.LogProb(x); err == nil {
			have, err = got.LogProb(x)
		}
	} else {
		c := probe(cs)
		if want, err = model.LogProbGiven(x, c); err == nil {
			have, err = got.LogProbGiven(x, c)
		}
	}
	if err != nil {
		return fmt.Errorf("checking the model against its spec: %w", err)
	}
	w, h := dist.Float64s(want), dist.Float64s(have)
	for i := range w {
		if math.Float64bits(w[i]) != math.Float64bits(h[i]) && !(math.IsNaN(w[i]) && math.IsNaN(h[i])) {
			return fmt.Errorf("the spec does not describe the model: at a test point the model's log-density is %g, the spec's model with the same parameters gives %g (an activation, scale function or other setting differs)", w[i], h[i])
		}
	}
	return nil
}
