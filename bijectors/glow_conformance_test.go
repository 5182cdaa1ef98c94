package bijectors

import (
	"math/rand/v2"
	"testing"

	"github.com/nflowgo/nflow/ops"
	"gorgonia.org/tensor"
)

// ActNorm, ScaleMatvecLU, BatchNormalization (inference mode: the running
// moments, as every eager call) and Glow steps join the shared conformance
// suite in float64, with their parameters moved off their initial values.

func init() {
	moreConformanceCases = append(moreConformanceCases, glowConformanceCases)
}

// jitterParams adds U(-scale, scale) noise to every float64 tensor in ps.
func jitterParams(ps []*Param, seed uint64, scale float64) {
	rng := rand.New(rand.NewPCG(seed, 77))
	for _, p := range ps {
		v := p.Value.Float64s()
		for i := range v {
			v[i] += scale * (2*rng.Float64() - 1)
		}
	}
}

func testActNorm(t testing.TB, d int, seed uint64) *ActNorm {
	a, err := NewActNorm(d, tensor.Float64)
	if err != nil {
		t.Fatal(err)
	}
	jitterParams(a.Params(), seed, 0.8)
	return a
}

func testLU(t testing.TB, d int, logDiag bool, seed uint64) *ScaleMatvecLU {
	lu, perm, err := RandomOrthogonalLU(d, rand.New(rand.NewPCG(seed, 1)))
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewScaleMatvecLU(lu, perm, logDiag, tensor.Float64)
	if err != nil {
		t.Fatal(err)
	}
	jitterParams(b.Params(), seed, 0.3) // no longer orthogonal: a non-zero log-det
	return b
}

func testBatchNorm(t testing.TB, d int, seed uint64) *BatchNormalization {
	b, err := NewBatchNormalization(d, DefaultBatchNormMomentum, DefaultBatchNormEpsilon, tensor.Float64)
	if err != nil {
		t.Fatal(err)
	}
	jitterParams(append(b.Params(), b.State()...), seed, 0.5) // variance 1 ± 0.5 stays positive
	return b
}

func testGlowStep(t testing.TB, d int, seed uint64) *GlowStep {
	s, err := NewGlowStep(testActNorm(t, d, seed), testLU(t, d, true, seed+1), testMAF(t, d, LeftToRight, ops.ScaleSoftplus, seed+2))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func glowConformanceCases(t testing.TB) []conformanceCase {
	all := [2]float64{-2, 2}
	glow, err := NewGlow(2, 3, tensor.Float64, rand.New(rand.NewPCG(5, 5)), func(i int) (Bijector, error) {
		return testMAF(t, 3, LeftToRight, ops.ScaleSoftplus, uint64(40+i)), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range glow.Params() {
		if p.Name != "made/W0" { // the MADE weights are already random
			jitterParams([]*Param{p}, 6, 0.3)
		}
	}
	return []conformanceCase{
		{"ActNorm", testActNorm(t, 3, 1), 3, all, all, true},
		{"ActNorm-D1", testActNorm(t, 1, 2), 1, all, all, true},
		{"ScaleMatvecLU-raw", testLU(t, 3, false, 3), 3, all, all, false},
		{"ScaleMatvecLU-logdiag", testLU(t, 4, true, 4), 4, all, all, false},
		{"ScaleMatvecLU-D1", testLU(t, 1, true, 5), 1, all, all, true},
		{"BatchNormalization", testBatchNorm(t, 3, 6), 3, all, all, true},
		{"InvertBatchNormalization", Invert(testBatchNorm(t, 2, 7)), 2, all, all, true},
		{"GlowStep-MAF", testGlowStep(t, 3, 8), 3, all, all, false},
		{"Glow-2-steps", glow, 3, all, all, false},
	}
}
