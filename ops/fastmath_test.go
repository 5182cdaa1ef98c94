package ops

import (
	"math"
	"testing"
)

// ulps is the distance between a and b in float32 units in the last place.
func ulps(a, b float64) float64 {
	fa, fb := float32(a), float32(b)
	if fa == fb {
		return 0
	}
	return math.Abs(float64(fa-fb)) / float64(math.Nextafter32(max(abs32(fa), abs32(fb)), float32(math.Inf(1)))-max(abs32(fa), abs32(fb)))
}

func abs32(x float32) float32 { return float32(math.Abs(float64(x))) }

// TestFastMathFloat32Accurate checks fexp, flog and fsoftplus against the
// math package to within one float32 ulp over their ranges, and their
// special values; and the float32 scale functions against the float64 ones.
func TestFastMathFloat32Accurate(t *testing.T) {
	for x := -100.0; x <= 88; x += 0.0137 {
		if u := ulps(fexp(x), math.Exp(x)); u > 1 && math.Exp(x) > 1e-37 {
			t.Fatalf("fexp(%g) = %g, math.Exp %g (%g ulps)", x, fexp(x), math.Exp(x), u)
		}
		if u := ulps(fsoftplus(x), softplus(x)); u > 1 && softplus(x) > 1e-37 {
			t.Fatalf("fsoftplus(%g) = %g, softplus %g (%g ulps)", x, fsoftplus(x), softplus(x), u)
		}
	}
	for x := 1e-30; x < 1e30; x *= 1.0173 {
		if u := ulps(flog(x), math.Log(x)); u > 1 {
			t.Fatalf("flog(%g) = %g, math.Log %g (%g ulps)", x, flog(x), math.Log(x), u)
		}
	}
	for x := 0.5; x < 2; x += 1e-4 { // near 1, where log is near 0
		if u := ulps(flog(x), math.Log(x)); u > 1 {
			t.Fatalf("flog(%g) = %g, math.Log %g (%g ulps)", x, flog(x), math.Log(x), u)
		}
	}
	if !math.IsInf(fexp(1000), 1) || fexp(-1000) != 0 || !math.IsNaN(fexp(math.NaN())) ||
		!math.IsInf(flog(0), -1) || !math.IsNaN(flog(-1)) || !math.IsInf(flog(math.Inf(1)), 1) {
		t.Fatal("special values of fexp or flog")
	}
	for _, f := range []ScaleFn{ScaleSoftplus, ScaleExp, ScaleSoftClip} {
		for u := -40.0; u <= 40; u += 0.0371 {
			s, l, d := scaleOf(f, u)
			s32, d32 := scaleGrad32(f, u)
			if ulps(scaleOnly32(f, u), s) > 1 || ulps(s32, s) > 1 || ulps(d32, d) > 2 ||
				math.Abs(logScaleOnly32(f, u)-l) > 1e-7*(1+math.Abs(l)) {
				t.Fatalf("%v(%g): float32 scale %g, %g, %g, log %g; float64 %g, %g, log %g", f, u,
					scaleOnly32(f, u), s32, d32, logScaleOnly32(f, u), s, d, l)
			}
		}
	}
}

// TestBatchScalesAreScalar checks the batched float32 scale functions
// (eight lanes at a time) against scaleOnly32, logScaleOnly32 and
// scaleGrad32 bit for bit, over both sides of softplus's ±20 branches, far
// values and NaN, at lengths that are not multiples of the vector width.
func TestBatchScalesAreScalar(t *testing.T) {
	var u []float64
	for x := -800.0; x <= 800; x += 0.37 {
		u = append(u, x)
	}
	for x := -25.0; x <= 25; x += 0.0173 {
		u = append(u, x)
	}
	u = append(u, math.NaN(), math.Inf(1), math.Inf(-1), 0, 20-softplusShift, -20-softplusShift)
	same := func(a, b float64) bool { return math.Float64bits(a) == math.Float64bits(b) || a != a && b != b }
	for _, f := range []ScaleFn{ScaleSoftplus, ScaleExp, ScaleSoftClip} {
		for i0 := 0; i0 < len(u); i0 += scaleChunk - 3 {
			in := u[i0:min(i0+scaleChunk-3, len(u))]
			s, l, g, dl := append([]float64(nil), in...), append([]float64(nil), in...), append([]float64(nil), in...), make([]float64, len(in))
			batchScales[float32](f, s)
			batchLogScales[float32](f, l)
			batchGrads[float32](f, g, dl)
			for i, x := range in {
				ws, wg := scaleGrad32(f, x)
				if !same(s[i], scaleOnly32(f, x)) || !same(l[i], logScaleOnly32(f, x)) || !same(g[i], ws) || !same(dl[i], wg) {
					t.Fatalf("%v(%v): batch %v %v %v %v, scalar %v %v %v %v", f, x, s[i], l[i], g[i], dl[i], scaleOnly32(f, x), logScaleOnly32(f, x), ws, wg)
				}
			}
		}
	}
}
