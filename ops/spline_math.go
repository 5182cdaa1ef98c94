package ops

import (
	"fmt"
	"math"
)

// Limits of the rational-quadratic spline ops (see RQSplineKnots and RQSpline).
const (
	// SplineMinBin is the smallest bin width or height as a fraction of the range 2B.
	SplineMinBin = 1e-3
	// SplineMinDerivative is the smallest interior knot slope.
	SplineMinDerivative = 1e-3
	// MaxSplineBins is the largest number of bins a spline op accepts.
	MaxSplineBins = 64
)

// splineSlopeShift is c = log(e^(1-m_δ) - 1): softplus(0 + c) + m_δ = 1.
var splineSlopeShift = math.Log(math.Expm1(1 - SplineMinDerivative))

// SplineParams returns the number of unconstrained parameters per feature
// of a spline with the given number of bins: K widths, K heights and K-1
// interior slopes, 3K - 1.
func SplineParams(bins int) int { return 3*bins - 1 }

// SplineKnotParams returns the number of normalized values per feature
// that RQSplineKnots emits: K widths, K heights and K+1 slopes, 3K + 1.
func SplineKnotParams(bins int) int { return 3*bins + 1 }

// checkSpline validates the bins and bound of a spline op.
func checkSpline(name string, bins int, bound float64) error {
	if bins < 1 || bins > MaxSplineBins {
		return fmt.Errorf("%s: %d bins, expected 1..%d", name, bins, MaxSplineBins)
	}
	if !(bound > 0) || math.IsInf(bound, 0) {
		return fmt.Errorf("%s: bound %g, expected a finite positive number", name, bound)
	}
	return nil
}

// normalizeKnots writes one feature's normalized spline κ [3K+1] (widths,
// heights, slopes) from its raw parameters p [3K-1].
func normalizeKnots[T Float](kap, p []T, k int, bound float64) {
	span := 2 * bound
	scale := span * (1 - float64(k)*SplineMinBin)
	for part := 0; part < 2; part++ {
		raw, out := p[part*k:(part+1)*k], kap[part*k:(part+1)*k]
		mx := math.Inf(-1)
		for _, v := range raw {
			mx = math.Max(mx, float64(v))
		}
		var e [MaxSplineBins]float64
		sum := 0.0
		for j, v := range raw {
			e[j] = math.Exp(float64(v) - mx)
			sum += e[j]
		}
		for j := range out {
			out[j] = T(span*SplineMinBin + scale*e[j]/sum)
		}
	}
	d := kap[2*k:]
	d[0], d[k] = 1, 1
	for j := 1; j < k; j++ {
		d[j] = T(softplus(float64(p[2*k+j-1])+splineSlopeShift) + SplineMinDerivative)
	}
}

// normalizeKnotsGrad writes the gradient gp [3K-1] with respect to the raw
// parameters p from the gradient gk [3K+1] with respect to κ. The softmax
// fractions come back from κ: σ_j = (W_j/2B - m)/(1 - K·m), so
//
//	gp_j = 2B(1-Km)·σ_j·(gW_j - Σ_i σ_i gW_i)   (widths; heights alike)
//	gp_{2K+j-1} = gδ_j·sigmoid(p_{2K+j-1} + c)   (interior slopes)
func normalizeKnotsGrad[T Float](gp, p, kap, gk []T, k int, bound float64) {
	span := 2 * bound
	scale := span * (1 - float64(k)*SplineMinBin)
	for part := 0; part < 2; part++ {
		sizes, g, out := kap[part*k:(part+1)*k], gk[part*k:(part+1)*k], gp[part*k:(part+1)*k]
		var sm [MaxSplineBins]float64
		dot := 0.0
		for j, v := range sizes {
			sm[j] = (float64(v)/span - SplineMinBin) / (1 - float64(k)*SplineMinBin)
			dot += sm[j] * float64(g[j])
		}
		for j := range out {
			out[j] = T(scale * sm[j] * (float64(g[j]) - dot))
		}
	}
	for j := 1; j < k; j++ {
		gp[2*k+j-1] = T(float64(gk[2*k+j]) * sigmoid(float64(p[2*k+j-1])+splineSlopeShift))
	}
}

// rqKnots is one feature's normalized spline with its knot positions.
type rqKnots struct {
	k      int
	xs, ys [MaxSplineBins + 1]float64 // knot positions
	w, h   [MaxSplineBins]float64     // bin widths and heights
	d      [MaxSplineBins + 1]float64 // knot slopes
}

// loadKnots reads κ [3K+1] and accumulates the knots x_k = -B + Σ_{j<k} W_j
// (likewise y_k), with x_K = y_K = B exactly.
func loadKnots[T Float](kn *rqKnots, kap []T, k int, bound float64) {
	kn.k = k
	kn.xs[0], kn.ys[0] = -bound, -bound
	for j := 0; j < k; j++ {
		kn.w[j], kn.h[j] = float64(kap[j]), float64(kap[k+j])
		kn.xs[j+1] = kn.xs[j] + kn.w[j]
		kn.ys[j+1] = kn.ys[j] + kn.h[j]
	}
	kn.xs[k], kn.ys[k] = bound, bound
	for j, v := range kap[2*k : 3*k+1] {
		kn.d[j] = float64(v)
	}
}

// bin returns the bin k with knots[k] <= v < knots[k+1] (K-1 for v = B).
func (kn *rqKnots) bin(knots []float64, v float64) int {
	lo, hi := 0, kn.k-1
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if knots[mid] <= v {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return lo
}

// rqPoint is the spline at one point of bin k, with the partial
// derivatives of R (y = y_k + H_k R) and L = log y' with respect to ξ, s,
// δ_k and δ_{k+1}.
type rqPoint struct {
	k                     int
	xi, s                 float64
	y, dydx, logdydx      float64
	R, Rxi, Rs, Rdk, Rdk1 float64
	Lxi, Ls, Ldk, Ldk1    float64
}

// What eval computes beyond y and y'.
const (
	wantLog      = 1 << iota // log y'
	wantPartials             // the partial derivatives of R and L
)

// eval fills p for bin k at local coordinate xi: y and y' always, log y'
// and the partial derivatives as want asks.
func (kn *rqKnots) eval(p *rqPoint, k int, xi float64, want int) {
	xi = math.Min(math.Max(xi, 0), 1)
	w, h, dk, dk1 := kn.w[k], kn.h[k], kn.d[k], kn.d[k+1]
	s := h / w
	th := xi * (1 - xi)
	a := dk + dk1 - 2*s
	den := s + a*th
	num := s*xi*xi + dk*th
	m := dk1*xi*xi + 2*s*th + dk*(1-xi)*(1-xi)
	den2 := den * den
	p.k, p.xi, p.s = k, xi, s
	p.R = num / den
	p.y = math.Min(kn.ys[k]+h*p.R, kn.ys[k+1]) // no overshoot by rounding
	p.dydx = s * s * m / den2
	if want&wantLog != 0 {
		p.logdydx = 2*math.Log(s) + math.Log(m) - 2*math.Log(den)
	}
	if want&wantPartials == 0 {
		return
	}
	p.Rxi = s * m / den2
	p.Rs = (xi*xi*den - num*(1-2*th)) / den2
	p.Rdk = th * (den - num) / den2
	p.Rdk1 = -num * th / den2
	mxi := 2*dk1*xi + 2*s*(1-2*xi) - 2*dk*(1-xi)
	p.Lxi = mxi/m - 2*a*(1-2*xi)/den
	p.Ls = 2/s + 2*th/m - 2*(1-2*th)/den
	p.Ldk = (1-xi)*(1-xi)/m - 2*th/den
	p.Ldk1 = xi*xi/m - 2*th/den
}

// forward evaluates the spline at x in [-B, B].
func (kn *rqKnots) forward(p *rqPoint, x float64, want int) {
	k := kn.bin(kn.xs[:kn.k+1], x)
	kn.eval(p, k, (x-kn.xs[k])/kn.w[k], want)
}

// inverse finds x with spline(x) = y for y in [-B, B] and evaluates the
// spline there. On bin k, with t = y - y_k, a = δ_k + δ_{k+1} - 2s, ξ solves
//
//	A ξ² + b ξ + c = 0,  A = H_k(s - δ_k) + t a,  b = H_k δ_k - t a,  c = -s t
//
// and ξ = 2c / (-b - √(b² - 4Ac)), the root in [0, 1] computed without
// cancellation. It returns x.
func (kn *rqKnots) inverse(p *rqPoint, y float64, want int) float64 {
	k := kn.bin(kn.ys[:kn.k+1], y)
	h, dk := kn.h[k], kn.d[k]
	s := h / kn.w[k]
	t := y - kn.ys[k]
	a := dk + kn.d[k+1] - 2*s
	qa := h*(s-dk) + t*a
	qb := h*dk - t*a
	qc := -s * t
	disc := math.Max(qb*qb-4*qa*qc, 0)
	xi := 0.0
	if den := -qb - math.Sqrt(disc); den != 0 {
		xi = 2 * qc / den
	}
	kn.eval(p, k, xi, want)
	return math.Min(kn.xs[k]+p.xi*kn.w[k], kn.xs[k+1])
}

// backward writes into g [3K+1] the gradient with respect to κ (widths,
// heights, slopes) of cy·y + cl·log y' at the point p (x held fixed), and
// returns its gradient with respect to x.
//
// With ξ = (x - x_k)/W_k and s = H_k/W_k the local cotangents are
//
//	gξ = cy·H_k·R_ξ + cl·L_ξ,  gs = cy·H_k·R_s + cl·L_s
//	g_x = gξ/W_k,  g_{x_k} = -gξ/W_k,  g_{W_k} = -(gξ ξ + gs s)/W_k
//	g_{y_k} = cy,  g_{H_k} = cy·R + gs/W_k
//
// and the knots x_k = -B + Σ_{j<k} W_j pass g_{x_k} to every W_j, j < k
// (y_k likewise to the H_j).
func (kn *rqKnots) backward(g []float64, p *rqPoint, cy, cl float64) float64 {
	k, K := p.k, kn.k
	w, h := kn.w[k], kn.h[k]
	gxi := cy*h*p.Rxi + cl*p.Lxi
	gs := cy*h*p.Rs + cl*p.Ls
	clear(g)
	for j := 0; j < k; j++ {
		g[j] = -gxi / w // g_{x_k}
		g[K+j] = cy     // g_{y_k}
	}
	g[k] = -(gxi*p.xi + gs*p.s) / w
	g[K+k] = cy*p.R + gs/w
	g[2*K+k] = cy*h*p.Rdk + cl*p.Ldk
	g[2*K+k+1] = cy*h*p.Rdk1 + cl*p.Ldk1
	return gxi / w
}
