package vi

import (
	"math"
	"testing"

	"github.com/nflowgo/nflow/bijectors"
	"github.com/nflowgo/nflow/dist"
	"github.com/nflowgo/nflow/flows"
	"gorgonia.org/tensor"
)

// gaussian is the target N(loc, diag(sd²)) scaled by e^logZ (so its
// normalizing constant is Z).
func gaussian(loc, sd []float64, logZ float64) TargetFunc {
	d := len(loc)
	return TargetFunc{D: d, Fn: func(x, logp, grad []float64) {
		for n := range logp {
			lp := logZ
			for j := 0; j < d; j++ {
				z := (x[n*d+j] - loc[j]) / sd[j]
				lp -= z*z/2 + math.Log(sd[j]) + 0.5*math.Log(2*math.Pi)
				if grad != nil {
					grad[n*d+j] = -z / sd[j]
				}
			}
			logp[n] = lp
		}
	}}
}

// affineQ is q = N(loc, diag(sd²)) as a standard normal pushed through
// fixed Scale then Shift bijectors (no parameters).
func affineQ(t *testing.T, loc, sd []float64) *dist.TransformedDistribution {
	t.Helper()
	sc, err := bijectors.ScaleMatvecDiag(sd)
	if err != nil {
		t.Fatal(err)
	}
	sh, err := bijectors.Shift(loc)
	if err != nil {
		t.Fatal(err)
	}
	c, err := bijectors.Chain(sh, sc)
	if err != nil {
		t.Fatal(err)
	}
	base, err := dist.StandardNormal(len(loc), tensor.Float64)
	if err != nil {
		t.Fatal(err)
	}
	q, err := dist.NewTransformedDistribution(base, c)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

// iaf returns a small IAF in dtype dt.
func iaf(t testing.TB, d int, dt string) *dist.TransformedDistribution {
	t.Helper()
	q, err := flows.Build(flows.Spec{Kind: "iaf", EventSize: d, Layers: 2, Hidden: []int{8, 8}, Activation: "tanh", Seed: 3, DType: dt})
	if err != nil {
		t.Fatal(err)
	}
	return q
}
