package bijectors

import (
	"math/rand/v2"
	"testing"

	"github.com/nflowgo/nflow/ops"
	"gorgonia.org/tensor"
)

// The spline and coupling bijectors join the shared conformance suite in
// float64. Their networks start at the identity (a zero output layer), so
// the tests perturb every parameter to exercise a non-trivial map.

func init() {
	moreConformanceCases = append(moreConformanceCases, splineConformanceCases)
}

// perturb adds U(-scale, scale) noise to every parameter of b.
func perturb(b Bijector, seed uint64, scale float64) {
	rng := rand.New(rand.NewPCG(seed, 99))
	for _, p := range b.Params() {
		for i := range p.Value.Float64s() {
			p.Value.Float64s()[i] += scale * (2*rng.Float64() - 1)
		}
	}
}

func testSplineTable(seed uint64, d, bins int) [][]float64 {
	rng := rand.New(rand.NewPCG(seed, 5))
	t := make([][]float64, d)
	for i := range t {
		t[i] = make([]float64, ops.SplineParams(bins))
		for j := range t[i] {
			t[i][j] = 2 * (2*rng.Float64() - 1)
		}
	}
	return t
}

func testCouplingNet(t testing.TB, in, out, params, ctx int, seed uint64) *CouplingNetwork {
	t.Helper()
	n, err := NewCouplingNetwork(CouplingNetworkConfig{InputSize: in, OutputSize: out, Params: params, HiddenUnits: []int{8, 8},
		Activation: ops.Tanh, ContextSize: ctx, Seed: seed, DType: tensor.Float64})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func testRealNVP(t testing.TB, d, masked int, scale ops.ScaleFn, seed uint64) *RealNVP {
	t.Helper()
	r, err := NewRealNVP(masked, testCouplingNet(t, abs(masked), d-abs(masked), 2, 0, seed), scale)
	if err != nil {
		t.Fatal(err)
	}
	perturb(r, seed, 0.3)
	return r
}

func testSplineCoupling(t testing.TB, d, masked, bins int, bound float64, seed uint64) *NeuralSplineCoupling {
	t.Helper()
	s, err := NewNeuralSplineCoupling(masked, testCouplingNet(t, abs(masked), d-abs(masked), ops.SplineParams(bins), 0, seed), bins, bound)
	if err != nil {
		t.Fatal(err)
	}
	perturb(s, seed, 0.5)
	return s
}

func testMAS(t testing.TB, d int, order InputOrder, bins int, bound float64, seed uint64) *MaskedAutoregressiveSpline {
	t.Helper()
	net, err := NewAutoregressiveNetwork(MADEConfig{Params: ops.SplineParams(bins), EventSize: d, HiddenUnits: []int{8, 8},
		Activation: ops.Tanh, InputOrder: order, Seed: seed, DType: tensor.Float64, KernelInit: TorchUniform})
	if err != nil {
		t.Fatal(err)
	}
	m, err := NewMaskedAutoregressiveSpline(net, bins, bound)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// densityParams sets DensityParams on a MaskedAutoregressiveSpline or
// MaskedAutoregressiveFlow.
func densityParams(b Bijector) Bijector {
	switch m := b.(type) {
	case *MaskedAutoregressiveSpline:
		m.DensityParams = true
	case *MaskedAutoregressiveFlow:
		m.DensityParams = true
	}
	return b
}

// softClipKnots sets Knots = SoftClipKnots on a MaskedAutoregressiveSpline
// and scales its network's output layer up so that the raw parameters
// reach into the soft clips.
func softClipKnots(b Bijector) Bijector {
	m := b.(*MaskedAutoregressiveSpline)
	m.Knots = SoftClipKnots
	ps := m.Params()
	for _, p := range ps[len(ps)-2:] { // the output layer's kernel and bias
		for i := range p.Value.Float64s() {
			p.Value.Float64s()[i] *= 20
		}
	}
	return m
}

// inputBound sets InputBound = 1 on a MaskedAutoregressiveSpline (small,
// so that tanh bends within the sampled range).
func inputBound(b Bijector) Bijector {
	b.(*MaskedAutoregressiveSpline).InputBound = 1
	return b
}

func splineConformanceCases(t testing.TB) []conformanceCase {
	wide := [2]float64{-2, 2}  // partly outside the splines' [-1.5, 1.5]
	inner := [2]float64{-1, 1} // inside
	rqs := must(NewRationalQuadraticSpline(5, 1.5, testSplineTable(1, 3, 5), tensor.Float64))
	rqs1 := must(NewRationalQuadraticSpline(1, 1.5, testSplineTable(2, 2, 1), tensor.Float64))
	return []conformanceCase{
		{"RQSpline", rqs, 3, wide, wide, true},
		{"RQSpline-inner", rqs, 3, inner, inner, true},
		{"RQSpline-K1", rqs1, 2, wide, wide, true},
		{"InvertRQSpline", Invert(rqs), 3, wide, wide, true},
		{"MAS", testMAS(t, 3, LeftToRight, 5, 1.5, 11), 3, wide, wide, true},
		{"MAS-inner", testMAS(t, 3, LeftToRight, 5, 1.5, 12), 3, inner, inner, true},
		{"MAS-D1", testMAS(t, 1, LeftToRight, 4, 1.5, 13), 1, wide, wide, true},
		{"MAS-right-to-left", testMAS(t, 3, RightToLeft, 4, 1.5, 14), 3, wide, wide, false},
		{"IAS", Invert(testMAS(t, 2, LeftToRight, 4, 1.5, 15)), 2, wide, wide, true},
		{"MAS-density-params", densityParams(testMAS(t, 3, LeftToRight, 5, 1.5, 16)), 3, wide, wide, true},
		{"MAS-density-params-inner", densityParams(testMAS(t, 3, LeftToRight, 5, 1.5, 17)), 3, inner, inner, true},
		{"MAS-density-params-right-to-left", densityParams(testMAS(t, 3, RightToLeft, 4, 1.5, 18)), 3, wide, wide, false},
		{"MAS-softclip-knots", softClipKnots(testMAS(t, 3, LeftToRight, 5, 1.5, 20)), 3, wide, wide, true},
		{"MAS-softclip-knots-density-params", softClipKnots(densityParams(testMAS(t, 3, RightToLeft, 4, 1.5, 25))), 3, wide, wide, false},
		{"MAS-input-bound", inputBound(softClipKnots(densityParams(testMAS(t, 3, LeftToRight, 4, 1.5, 26)))), 3, [2]float64{-6, 6}, [2]float64{-6, 6}, true},
		{"IAS-density-params", Invert(densityParams(testMAS(t, 2, LeftToRight, 4, 1.5, 19))), 2, wide, wide, true},
		{"RealNVP-1of3", testRealNVP(t, 3, 1, ops.ScaleSoftplus, 21), 3, wide, wide, true},
		{"RealNVP-2of3", testRealNVP(t, 3, 2, ops.ScaleExp, 22), 3, wide, wide, true},
		{"RealNVP-last1of3", testRealNVP(t, 3, -1, ops.ScaleSoftClip, 23), 3, wide, wide, false},
		{"RealNVP-D2", testRealNVP(t, 2, 1, ops.ScaleSoftplus, 24), 2, wide, wide, true},
		{"NSFCoupling-1of3", testSplineCoupling(t, 3, 1, 5, 1.5, 31), 3, wide, wide, true},
		{"NSFCoupling-inner", testSplineCoupling(t, 3, 2, 5, 1.5, 32), 3, inner, inner, true},
		{"NSFCoupling-last2of3", testSplineCoupling(t, 3, -2, 3, 1.5, 33), 3, wide, wide, false},
		{"NSFStack", must(Chain(testSplineCoupling(t, 2, 1, 4, 1.5, 34), must(Permute([]int{1, 0})),
			testMAS(t, 2, LeftToRight, 4, 1.5, 35), must(Permute([]int{1, 0})), testRealNVP(t, 2, 1, ops.ScaleSoftplus, 36))), 2, wide, wide, false},
	}
}
