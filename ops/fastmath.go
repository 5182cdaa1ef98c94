package ops

import (
	"math"
	"unsafe"

	"github.com/nflowgo/nflow/kernels/cpu/vec"
)

// Float32-accurate exp and log for the float32 kernels of the scale
// functions (kernels/cpu/vec's FastExp, FastLog and FastSoftplus: float64
// polynomials whose error is under half a float32 ulp), and their
// batched forms, eight lanes at a time with the same results. The float64
// kernels keep the math package's functions.
func fexp(x float64) float64      { return vec.FastExp(x) }
func flog(x float64) float64      { return vec.FastLog(x) }
func fsoftplus(v float64) float64 { return vec.FastSoftplus(v) }
func flog1pExp(e float64) float64 { return vec.FastLog1pExp(e) }

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
	if is32[T]() {
		return &scales32
	}
	return &scales64
}

func is32[T Float]() bool {
	var zero T
	return unsafe.Sizeof(zero) == 4
}

// The batch forms of the scale functions of element type T work in place
// on a buffer of float64s, with the values of the scalar ones:
// batchScales sets b[i] = σ(b[i]), batchLogScales b[i] = log σ(b[i]) and
// batchLogs b[i] = log b[i]. They are direct calls (not through
// scaleFuncs), so that the callers' stack buffers stay on the stack.

func batchScales[T Float](f ScaleFn, b []float64) {
	if is32[T]() {
		scaleBatch32(f, b)
		return
	}
	for i, u := range b {
		b[i] = scaleOnly(f, u)
	}
}

func batchLogScales[T Float](f ScaleFn, b []float64) {
	if is32[T]() {
		logScaleBatch32(f, b)
		return
	}
	for i, u := range b {
		b[i] = logScaleOnly(f, u)
	}
}

// batchGrads sets b[i], dl[i] = scaleGrad(f, b[i]): σ and (log σ)'.
func batchGrads[T Float](f ScaleFn, b, dl []float64) {
	if is32[T]() {
		gradBatch32(f, b, dl)
		return
	}
	for i, u := range b {
		b[i], dl[i] = scaleGrad(f, u)
	}
}

func batchLogs[T Float](b []float64) {
	if is32[T]() {
		vec.LogSlice(b, b)
		return
	}
	for i, x := range b {
		b[i] = math.Log(x)
	}
}

// scaleChunk is the length of the stack buffers the batched scale
// functions are called on.
const scaleChunk = 256

// scaleBatch32 is scaleOnly32 over b: the same operations, with exp and
// softplus evaluated eight lanes at a time.
func scaleBatch32(f ScaleFn, b []float64) {
	switch f {
	case ScaleExp:
		vec.ExpSlice(b, b)
	case ScaleSoftClip:
		for i, u := range b {
			b[i] = u / (1 + math.Abs(u)/softClipBound)
		}
		vec.ExpSlice(b, b)
	default:
		for i, u := range b {
			b[i] = u + softplusShift
		}
		vec.SoftplusSlice(b, b)
		for i, s := range b {
			b[i] = s + softplusEps
		}
	}
}

// logScaleBatch32 is logScaleOnly32 over b.
func logScaleBatch32(f ScaleFn, b []float64) {
	switch f {
	case ScaleExp:
	case ScaleSoftClip:
		for i, u := range b {
			b[i] = u / (1 + math.Abs(u)/softClipBound)
		}
	default:
		scaleBatch32(f, b)
		vec.LogSlice(b, b)
	}
}

// gradBatch32 is scaleGrad32 over b (at most scaleChunk entries), with dl
// receiving (log σ)': the same operations, exp and softplus eight lanes
// at a time. For softplus, with v = u + shift, σ = FastSoftplus(v) + eps in
// each of scaleGrad32's three cases, and σ' = e/(1+e) for e = eᵛ, or
// 1/(1+e⁻ᵛ) above 20.
func gradBatch32(f ScaleFn, b, dl []float64) {
	dl = dl[:len(b)]
	switch f {
	case ScaleExp:
		vec.ExpSlice(b, b)
		for i := range dl {
			dl[i] = 1
		}
	case ScaleSoftClip:
		for i, u := range b {
			d := 1 + math.Abs(u)/softClipBound
			b[i], dl[i] = u/d, 1/(d*d)
		}
		vec.ExpSlice(b, b)
	default:
		var vb [scaleChunk]float64
		v := vb[:len(b)]
		for i, u := range b {
			v[i] = u + softplusShift
		}
		vec.ExpSlice(dl, v)     // e
		vec.SoftplusSlice(b, v) // σ - eps
		for i, vi := range v {
			var sg float64
			if e := dl[i]; vi > 20 {
				sg = 1 / (1 + fexp(-vi))
			} else {
				sg = e / (1 + e)
			}
			s := b[i] + softplusEps
			b[i], dl[i] = s, sg/s
		}
	}
}
