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

// flog is log x for x > 0: x = m·2ᵏ with m in [√½, √2), and with
// s = (m-1)/(m+1), |s| ≤ 0.172, log m = 2s·(1 + s²/3 + s⁴/5 + s⁶/7 + s⁸/9)
// (truncation below 1e-9). Zero, negative, NaN, Inf and subnormal inputs go
// to math.Log.
func flog(x float64) float64 {
	bits := math.Float64bits(x)
	exp := int(bits>>52) & 0x7ff
	if x <= 0 || exp == 0 || exp == 0x7ff {
		return math.Log(x)
	}
	k := float64(exp - 1023)
	m := math.Float64frombits(bits&(1<<52-1) | 1023<<52) // [1, 2)
	if m > math.Sqrt2 {
		m, k = m/2, k+1
	}
	s := (m - 1) / (m + 1)
	s2 := s * s
	return k*math.Ln2 + 2*s*(1+s2*(1.0/3+s2*(1.0/5+s2*(1.0/7+s2*(1.0/9)))))
}

// fsoftplus is log(1 + eᵛ): v itself above 20 and eᵛ below -20 (the
// neglected terms are below 1e-8 relative), else log1p(e) for e = eᵛ as
// log(u)·e/(u-1) with u = 1 + e, which cancels the rounding of u.
func fsoftplus(v float64) float64 {
	switch {
	case v > 20:
		return v
	case v < -20:
		return fexp(v)
	}
	e := fexp(v)
	u := 1 + e
	return flog(u) * e / (u - 1)
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
		u1 := 1 + e
		sp, sg = flog(u1)*e/(u1-1), e/u1
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
