package vec

import "math"

// Float32-accurate exp and log for the float32 kernels of the scale
// functions (ops' fexp, flog and fsoftplus), which spend most of their time
// in math.Exp, math.Log and math.Log1p. Each is evaluated in float64 with a
// short polynomial whose relative error (below 1e-8) is under half a
// float32 ulp (6e-8), so the float32 result is the correctly rounded one or
// its neighbour. ExpSlice, LogSlice and SoftplusSlice evaluate them eight
// lanes at a time (AVX-512) with the same operations in the same order, so
// their results are these functions' bit for bit.

// FastExp is eˣ: x = k·ln2 + r with |r| ≤ ln2/2, eʳ by its Taylor polynomial
// of degree 7 (truncation r⁸/8! < 6e-9), times 2ᵏ set in the exponent bits.
func FastExp(x float64) float64 {
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

// FastLog is log x for x > 0: x = m·2ᵏ with m in [1, 2); the top 7 bits of
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
func FastLog(x float64) float64 {
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

// logTable holds c_j, 1/c_j and log c_j for FastLog.
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

// FastSoftplus is log(1 + eᵛ): v itself above 20 and eᵛ below -20 (the
// neglected terms are below 1e-8 relative); else log1p(e) for e = eᵛ, by
// its series e - e²/2 + e³/3 - e⁴/4 + e⁵/5 below 2⁻¹⁰ (truncation e⁶/6 <
// 2e-19 relative) and as FastLog(1 + e) above, where rounding 1 + e costs at
// most 1.2e-16 absolute against a result above 2⁻¹¹.
func FastSoftplus(v float64) float64 {
	switch {
	case v > 20:
		return v
	case v < -20:
		return FastExp(v)
	}
	return FastLog1pExp(FastExp(v))
}

// FastLog1pExp is log1p(e) for e = eᵛ > 0 (FastSoftplus's rule).
func FastLog1pExp(e float64) float64 {
	if e < 1.0/1024 {
		return e * (1 + e*(-1.0/2+e*(1.0/3+e*(-1.0/4+e*(1.0/5)))))
	}
	return FastLog(1 + e)
}

// fastConst holds the constants of the vector kernels, each broadcast from
// memory: the scalar functions' own constants, so the lanes compute what
// they compute. The offsets (index·8) are fixed in fastmath_amd64.s.
var fastConst = [...]uint64{
	0:  math.Float64bits(math.Log2E),
	1:  math.Float64bits(0.5),
	2:  math.Float64bits(math.Ln2),
	3:  math.Float64bits(1.0 / 5040),
	4:  math.Float64bits(1.0 / 720),
	5:  math.Float64bits(1.0 / 120),
	6:  math.Float64bits(1.0 / 24),
	7:  math.Float64bits(1.0 / 6),
	8:  math.Float64bits(1),
	9:  1023,
	10: math.Float64bits(-1.0 / 128),
	11: math.Float64bits(1.0 / 128),
	12: math.Float64bits(1.0 / 7),
	13: math.Float64bits(-1.0 / 6),
	14: math.Float64bits(1.0 / 5),
	15: math.Float64bits(-1.0 / 4),
	16: math.Float64bits(1.0 / 3),
	17: math.Float64bits(-1.0 / 2),
	18: 1<<52 - 1,
	19: 1023 << 52,
	20: 127,
	21: 0x7ff,
	22: math.Float64bits(1.0 / 1024),
	23: math.Float64bits(20),
	24: math.Float64bits(-20),
	25: math.Float64bits(-708),
	26: math.Float64bits(709),
	27: math.Float64bits(0x1p-1022),
	28: math.Float64bits(math.MaxFloat64),
}

// fastFn names the function a slice form evaluates.
type fastFn int

const (
	fnExp fastFn = iota
	fnLog
	fnSoftplus
)

// scalar evaluates f at x.
func (f fastFn) scalar(x float64) float64 {
	switch f {
	case fnExp:
		return FastExp(x)
	case fnLog:
		return FastLog(x)
	}
	return FastSoftplus(x)
}

// apply sets dst[i] = f(src[i]): the whole vectors through vectorRun,
// the rest through the scalar function.
func apply(f fastFn, dst, src []float64) {
	src = src[:len(dst)]
	for i := vectorRun(f, dst, src); i < len(dst); i++ {
		dst[i] = f.scalar(src[i])
	}
}

// ExpSlice sets dst[i] = FastExp(src[i]); dst and src may be the same.
func ExpSlice(dst, src []float64) { apply(fnExp, dst, src) }

// LogSlice sets dst[i] = FastLog(src[i]); dst and src may be the same.
func LogSlice(dst, src []float64) { apply(fnLog, dst, src) }

// SoftplusSlice sets dst[i] = FastSoftplus(src[i]); dst and src may be the
// same.
func SoftplusSlice(dst, src []float64) { apply(fnSoftplus, dst, src) }
