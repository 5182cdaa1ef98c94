package dist

import (
	"fmt"
	"math/rand/v2"

	"github.com/nflowgo/nflow/bijectors"
	"github.com/nflowgo/nflow/engine"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Distribution is a distribution over events of size D.
type Distribution interface {
	// EventSize is D.
	EventSize() int
	// DType is the dtype of samples and densities.
	DType() tensor.Dtype
	// LogProbNode adds log p(x) ([N]) for x [N, D] to g.
	LogProbNode(g *bijectors.Graph, x *gorgonia.Node) (*gorgonia.Node, error)
	// Sample draws n events [n, D] using rng.
	Sample(n int, rng *rand.Rand) (*tensor.Dense, error)
	// Params returns the trainable parameters.
	Params() []*bijectors.Param
}

var cache engine.Cache

// checkEvents validates x [N, D] against d: shape, dtype and finite values.
func checkEvents(d Distribution, x *tensor.Dense) error {
	if x == nil {
		return fmt.Errorf("dist: input is nil, expected [N, %d] (%s)", d.EventSize(), Brief(d))
	}
	s := x.Shape()
	if len(s) != 2 || s[0] < 1 || s[1] != d.EventSize() {
		return fmt.Errorf("dist: input shape %v, expected [N, %d] with N >= 1 (%s)", s, d.EventSize(), Brief(d))
	}
	if x.Dtype() != d.DType() {
		return fmt.Errorf("dist: input dtype %v, expected %v (%s)", x.Dtype(), d.DType(), Brief(d))
	}
	return nil
}

// LogProb returns log p(x) ([N]) for x [N, D]. A conditional d is an
// error: use LogProbGiven. A row so far from the model's mass that its
// computation overflows gets -Inf, never NaN (see overflowToNegInf); only a
// row holding a NaN gets NaN.
func LogProb(d Distribution, x *tensor.Dense) (*tensor.Dense, error) {
	if err := unconditionalOnly(d, "LogProb", "LogProbGiven"); err != nil {
		return nil, err
	}
	if err := checkEvents(d, x); err != nil {
		return nil, err
	}
	cols := x.Shape()[1]
	out, err := engine.CallRows(x, func(rows int) (*engine.Func, error) {
		return cache.Get(engine.Key{Owner: d, Kind: "log_prob", Rows: rows, Cols: cols, DType: x.Dtype()}, func() (*engine.Func, error) {
			g, in, lp, err := logProbGraph(d, rows, cols, x.Dtype(), true)
			if err != nil {
				return nil, err
			}
			return engine.NewFunc(g.G, gorgonia.Nodes{in}, gorgonia.Nodes{lp}, engine.DefaultExecutor)
		})
	})
	if err != nil {
		return nil, fmt.Errorf("dist: %w (%s)", err, Brief(d))
	}
	return overflowToNegInf(out[0], x), nil
}

// logProbGraph builds the density graph of d for a batch [rows, cols];
// cpu marks it for the CPU executor alone (bijectors.Graph.CPU).
func logProbGraph(d Distribution, rows, cols int, dt tensor.Dtype, cpu bool) (*bijectors.Graph, *gorgonia.Node, *gorgonia.Node, error) {
	g, err := bijectors.NewGraph(dt)
	if err != nil {
		return nil, nil, nil, err
	}
	g.CPU = cpu
	in := g.Input("x", rows, cols)
	lp, err := d.LogProbNode(g, in)
	return g, in, lp, err
}

// Prob returns p(x) = exp(log p(x)) ([N]) for x [N, D].
func Prob(d Distribution, x *tensor.Dense) (*tensor.Dense, error) {
	lp, err := LogProb(d, x)
	if err != nil {
		return nil, err
	}
	expInPlace(lp)
	return lp, nil
}

// Float64s returns the values of a float32 or float64 tensor as float64s.
func Float64s(t *tensor.Dense) []float64 {
	switch v := t.Data().(type) {
	case []float64:
		return append([]float64(nil), v...)
	case []float32:
		out := make([]float64, len(v))
		for i, x := range v {
			out[i] = float64(x)
		}
		return out
	case float32:
		return []float64{float64(v)}
	case float64:
		return []float64{v}
	}
	return nil
}
