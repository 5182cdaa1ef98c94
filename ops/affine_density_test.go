package ops

import (
	"math/rand/v2"
	"testing"
)

// TestAffineARDensityMatchesParts checks AffineARDensity's forward values
// against AffineAR (inverse) and LogScaleSum (sign -1) bit for bit, in
// float64 and float32, for every scale function.
func TestAffineARDensityMatchesParts(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 1))
	const n, d = 333, 5 // 1665 entries: rows cross the 256-entry chunks
	for _, f := range []ScaleFn{ScaleSoftplus, ScaleExp, ScaleSoftClip} {
		v, h := randn(rng, n*d), randn(rng, n*2*d)
		o, x, l := make([]float64, n*(d+1)), make([]float64, n*d), make([]float64, n)
		affineDensity(o, v, h, d, f)
		affineAR(x, v, h, true, f)
		logScaleSum(l, h, 2*d, f, -1)
		v32, h32 := toT[float32](v), toT[float32](h)
		o32, x32, l32 := make([]float32, n*(d+1)), make([]float32, n*d), make([]float32, n)
		affineDensity(o32, v32, h32, d, f)
		affineAR(x32, v32, h32, true, f)
		logScaleSum(l32, h32, 2*d, f, -1)
		for r := 0; r < n; r++ {
			for e := 0; e <= d; e++ {
				want, want32 := l[r], l32[r]
				if e < d {
					want, want32 = x[r*d+e], x32[r*d+e]
				}
				if o[r*(d+1)+e] != want || o32[r*(d+1)+e] != want32 {
					t.Fatalf("%v: o[%d, %d] = %v, %v (float32), want %v, %v", f, r, e, o[r*(d+1)+e], o32[r*(d+1)+e], want, want32)
				}
			}
		}
	}
}

// TestNegShiftsIsInputGradient checks that dv taken from dh (NegShifts) is
// AffineARDensityGrad's own dv, bit for bit, in float32 and float64.
func TestNegShiftsIsInputGradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 2))
	const n, d = 97, 4 // 388 entries: rows cross the 256-entry chunks
	for _, f := range []ScaleFn{ScaleSoftplus, ScaleExp, ScaleSoftClip} {
		v, h, g := randn(rng, n*d), randn(rng, n*2*d), randn(rng, n*(d+1))
		dv, dh, neg := make([]float64, n*d), make([]float64, n*2*d), make([]float64, n*d)
		affineDensityGrad(dv, v, h, g, d, f, 0)
		affineDensityGrad(dh, v, h, g, d, f, 1)
		negShifts(neg, dh)
		v32, h32, g32 := toT[float32](v), toT[float32](h), toT[float32](g)
		dv32, dh32, neg32 := make([]float32, n*d), make([]float32, n*2*d), make([]float32, n*d)
		affineDensityGrad(dv32, v32, h32, g32, d, f, 0)
		affineDensityGrad(dh32, v32, h32, g32, d, f, 1)
		negShifts(neg32, dh32)
		for i := range dv {
			if neg[i] != dv[i] || neg32[i] != dv32[i] {
				t.Fatalf("%v: dv[%d] = %v, %v (float32) from dh, %v, %v directly", f, i, neg[i], neg32[i], dv[i], dv32[i])
			}
		}
	}
}
