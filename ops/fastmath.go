package ops

import (
	"math"
	"unsafe"
)

// Float32-accurate exp and log for the float32 kernels of the scale
// functions, which spend most of their time in math.Exp, math.Log and
// math.Log1p. Each is evaluated in float64 with a short polynomial whose
// relative error (below 1e-8) is under half a float32 ulp (6e-8), so the
// float32 result is the correctly rounded one or its neighbour. The
// float64 kernels keep the math package's functions.

// fexp is eˣ: x = k·ln2 + r with |r| ≤ ln2/2, eʳ by its Taylor polynomial
// of degree 7 (truncation r⁸/8! < 6e-9), times 2ᵏ set in the exponent bits.
func fexp(x float64) float64 {
	switch {
	case x > 709:
		return math.Inf(1)
	case x < -708:
		return 0
	case x != x:
		return x
	}
	k := math.Floor(x*math.Log2E + 0.5)
	r := x - k*math.Ln2
	p := 1 + r*(1+r*(1.0/2+r*(1.0/6+r*(1.0/24+r*(1.0/120+r*(1.0/720+r*(1.0/5040)))))))
	return p * math.Float64frombits(uint64(int64(k)+1023)<<52)
}

// flog is log x for x > 0: x = m·2ᵏ with m in [1, 2); the top 7 bits of
// m's mantissa pick c_j (1 for j = 0, else the midpoint 1 + (j+½)/128), and
// with r = (m - c_j)/c_j (a multiply by the tabled 1/c_j, |r| < 1/128)
//
//	log x = k·ln2 + log c_j + log1p(r),  log1p(r) = r - r²/2 + … - r⁶/6,
//
// whose truncation r⁷/7 < 3e-16 is far below float32's ulp. Within 1/128
// of 1, where the terms above would cancel, it is log1p(x-1) by the same
// series to d⁷/7 (x-1 is exact there; truncation d⁸/8 relative to d is
// below 1e-14). Zero, negative, NaN, Inf and subnormal inputs go to
// math.Log.
func flog(x float64) float64 {
	bits := math.Float64bits(x)
	exp := int(bits>>52) & 0x7ff
	if x <= 0 || exp == 0 || exp == 0x7ff {
		return math.Log(x)
	}
	if d := x - 1; d > -1.0/128 && d < 1.0/128 { // near 1, on both sides: log1p(d), d exact
		return d * (1 + d*(-1.0/2+d*(1.0/3+d*(-1.0/4+d*(1.0/5+d*(-1.0/6+d*(1.0/7)))))))
	}
	j := bits >> 45 & 127
	m := math.Float64frombits(bits&(1<<52-1) | 1023<<52) // [1, 2)
	r := (m - logTable[j].c) * logTable[j].inv
	p := r * (1 + r*(-1.0/2+r*(1.0/3+r*(-1.0/4+r*(1.0/5+r*(-1.0/6))))))
	return float64(exp-1023)*math.Ln2 + logTable[j].log + p
}

// logTable holds c_j, 1/c_j and log c_j for flog.
var logTable = func() (t [128]struct{ c, inv, log float64 }) {
	for j := range t {
		c := 1 + (float64(j)+0.5)/128
		if j == 0 {
			c = 1
		}
		t[j].c, t[j].inv, t[j].log = c, 1/c, math.Log(c)
	}
	return t
}()

// fsoftplus is log(1 + eᵛ): v itself above 20 and eᵛ below -20 (the
// neglected terms are below 1e-8 relative); else log1p(e) for e = eᵛ, by
// its series e - e²/2 + e³/3 - e⁴/4 + e⁵/5 below 2⁻¹⁰ (truncation e⁶/6 <
// 2e-19 relative) and as flog(1 + e) above, where rounding 1 + e costs at
// most 1.2e-16 absolute against a result above 2⁻¹¹.
func fsoftplus(v float64) float64 {
	switch {
	case v > 20:
		return v
	case v < -20:
		return fexp(v)
	}
	return flog1pExp(fexp(v))
}

// flog1pExp is log1p(e) for e = eᵛ > 0 (fsoftplus's rule).
func flog1pExp(e float64) float64 {
	if e < 1.0/1024 {
		return e * (1 + e*(-1.0/2+e*(1.0/3+e*(-1.0/4+e*(1.0/5)))))
	}
	return flog(1 + e)
}

// scaleOnly32, logScaleOnly32 and scaleGrad32 are scaleOnly, logScaleOnly
// and scaleGrad with fexp and flog: for the float32 kernels.
func scaleOnly32(f ScaleFn, u float64) float64 {
	switch f {
	case ScaleExp:
		return fexp(u)
	case ScaleSoftClip:
		return fexp(u / (1 + math.Abs(u)/softClipBound))
	default:
		return fsoftplus(u+softplusShift) + softplusEps
	}
}

func logScaleOnly32(f ScaleFn, u float64) float64 {
	switch f {
	case ScaleExp:
		return u
	case ScaleSoftClip:
		return u / (1 + math.Abs(u)/softClipBound)
	default:
		return flog(fsoftplus(u+softplusShift) + softplusEps)
	}
}

func scaleGrad32(f ScaleFn, u float64) (s, dLogS float64) {
	switch f {
	case ScaleExp:
		return fexp(u), 1
	case ScaleSoftClip:
		d := 1 + math.Abs(u)/softClipBound
		return fexp(u / d), 1 / (d * d)
	}
	v := u + softplusShift
	var sp, sg float64
	switch {
	case v > 20:
		sp, sg = v, 1/(1+fexp(-v))
	case v < -20:
		e := fexp(v)
		sp, sg = e, e/(1+e)
	default:
		e := fexp(v)
		sp, sg = flog1pExp(e), e/(1+e)
	}
	s = sp + softplusEps
	return s, sg / s
}

// scaleFuncs are the scale functions a kernel of element type T uses: the
// float32-accurate ones for float32, the math package's for float64.
type scaleFuncs struct {
	scale    func(ScaleFn, float64) float64
	logScale func(ScaleFn, float64) float64
	grad     func(ScaleFn, float64) (float64, float64)
}

var (
	scales32 = scaleFuncs{scaleOnly32, logScaleOnly32, scaleGrad32}
	scales64 = scaleFuncs{scaleOnly, logScaleOnly, scaleGrad}
)

func scalesFor[T Float]() *scaleFuncs {
	var zero T
	if unsafe.Sizeof(zero) == 4 {
		return &scales32
	}
	return &scales64
}
