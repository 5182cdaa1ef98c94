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
