package train

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/nflowgo/nflow/engine"
	"github.com/nflowgo/nflow/flows"
	"gorgonia.org/tensor"
)

// TestLossGradientDensityParams checks the training gradient of maf and
// nsf flows whose conditioners parameterise the density direction
// (Spec.DensityParams) against central finite differences of the eager
// MeanNLL, in float64, and the training graph's loss against MeanNLL.
func TestLossGradientDensityParams(t *testing.T) {
	specs := []flows.Spec{
		{Kind: "maf", Scale: "softclip", Init: "torch-uniform", InputBound: 5},
		{Kind: "maf", Scale: "softplus"},
		{Kind: "nsf", Init: "torch-uniform", Bins: 4, Bound: 1.5},
		{Kind: "nsf", Init: "torch-uniform", Bins: 4, Bound: 1.5, SplineKnots: "softclip"},
		{Kind: "nsf", Init: "torch-uniform", Bins: 4, Bound: 1.5, SplineKnots: "softclip", SplineInputBound: 1},
	}
	for _, s := range specs {
		s.EventSize, s.Layers, s.Hidden, s.DType, s.Seed, s.DensityParams = 3, 2, []int{16, 16}, "float64", 4, true
		m, err := flows.Build(s)
		if err != nil {
			t.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(3, 3))
		const n = 12
		xs := make([]float64, n*3)
		for i := range xs {
			xs[i] = 2 * rng.NormFloat64() // partly outside the spline's [-1.5, 1.5]
		}
		x := tensor.New(tensor.WithShape(n, 3), tensor.WithBacking(xs))
		st, err := newStepper(m, n, 3, engine.Compiled)
		if err != nil {
			t.Fatal(err)
		}
		idx := make([]int, n)
		for i := range idx {
			idx[i] = i
		}
		st.fill(xs, idx, 3)
		loss := st.run()
		if want := must(MeanNLL(m, x)); math.Abs(loss-want) > 1e-9*(1+math.Abs(want)) {
			t.Errorf("%s %s%s: training loss %.12g, MeanNLL %.12g", s.Kind, s.Scale, s.SplineKnots, loss, want)
		}
		for pi, p := range m.Params() {
			v := p.Value.Float64s()
			for k := 0; k < 6; k++ {
				j := rng.IntN(len(v))
				orig := v[j]
				const h = 1e-6
				v[j] = orig + h
				fp := must(MeanNLL(m, x))
				v[j] = orig - h
				fm := must(MeanNLL(m, x))
				v[j] = orig
				want := (fp - fm) / (2 * h)
				if g := st.g64[pi][j]; math.Abs(g-want) > 1e-6*(1+math.Abs(want)) {
					t.Errorf("%s %s%s %s[%d]: gradient %.10g, finite difference %.10g", s.Kind, s.Scale, s.SplineKnots, p.Name, j, g, want)
				}
			}
		}
	}
}
