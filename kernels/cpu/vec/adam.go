// Package vec holds vectorized loops of the CPU engine: the fused Adam
// update and the finite-value probe, in AVX2 assembly where the CPU has it
// and in Go elsewhere. It is a package of its own because Go assembly and
// cgo (the gpu build's CUDA graphs) cannot share one.
package vec

import "math"

// Adam is Keras's Adam update of one parameter slice in Go:
//
//	m ← β1·m + (1-β1)·g;  v ← β2·v + (1-β2)·g²;  p ← p - lrT·m/(√v + ε)
//
// with lrT the bias-corrected learning rate.
func Adam[T float32 | float64](p, g, m, v []T, b1, b2, eps, lrT float64) {
	b1t, b2t, c1, c2, e, lr := T(b1), T(b2), T(1-b1), T(1-b2), eps, T(lrT)
	g = g[:len(p)]
	m = m[:len(p)]
	v = v[:len(p)]
	for j, gj := range g {
		mj := b1t*m[j] + c1*gj
		vj := b2t*v[j] + c2*gj*gj
		m[j], v[j] = mj, vj
		p[j] -= lr * mj / T(math.Sqrt(float64(vj))+e)
	}
}

// allFinite reports whether every x is finite: x - x is 0 for finite x and
// NaN for ±Inf and NaN.
func allFinite[T float32 | float64](xs []T) bool {
	var s T
	for _, x := range xs {
		s += x - x
	}
	return s == 0
}

// AllFinite64 reports whether every value in every slice is finite.
func AllFinite64(xs [][]float64) bool {
	for _, x := range xs {
		if !allFinite(x) {
			return false
		}
	}
	return true
}
