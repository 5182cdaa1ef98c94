package vi

import (
	"fmt"
	"math"
	"sort"
)

// ParetoKHat returns the shape k̂ of a generalized Pareto distribution
// fitted to the upper tail of the importance weights w = exp(log w): the
// diagnostic of Pareto-smoothed importance sampling (Vehtari, Simpson,
// Gelman, Yao and Gabry, JMLR 2024). The tail is the M = min(S/5, 3√S)
// largest of the S weights, taken as exceedances over the next largest;
// the fit is Zhang and Stephens's (Technometrics 2009) posterior-mean
// estimator, as gpdfit in the loo package:
//
//	GPD density (1/σ)(1 + ξx/σ)^(-1/ξ-1); with b = ξ/σ, ξ̂(b) = mean log(1 + b x)
//	profile log-likelihood ℓ(b) = S_tail·(log(b/ξ̂(b)) - ξ̂(b) - 1)
//	b_j = -(1/x_max + (1 - √(m/(j-½)))/(3 x_(⌊M/4+½⌋))), j = 1..m, m = 30 + ⌊√M⌋
//	b̂ = Σ_j b_j e^ℓ(b_j) / Σ_j e^ℓ(b_j),  k̂ = ξ̂(b̂)
//
// then shrunk toward ½ by the weakly informative prior of loo,
// k̂ ← (M k̂ + 5)/(M + 10). The weights' variance is finite for k < ½ and
// their mean for k < 1; k̂ > 0.7 says importance sampling (and so q's
// log Z estimate) is unreliable. It needs S >= 25 finite log weights
// (a tail of at least 5).
func ParetoKHat(logw []float64) (float64, error) {
	s := len(logw)
	if s < 25 {
		return math.NaN(), fmt.Errorf("vi: %d log weights, expected at least 25 for a Pareto tail fit", s)
	}
	lw := append([]float64(nil), logw...)
	for i, v := range lw {
		if math.IsNaN(v) || math.IsInf(v, 1) {
			return math.NaN(), fmt.Errorf("vi: log weight %d is %g, expected a number below +Inf", i, v)
		}
	}
	sort.Float64s(lw)
	m := int(math.Min(0.2*float64(s), 3*math.Sqrt(float64(s))))
	top := lw[s-1]
	cut := math.Exp(lw[s-m-1] - top)
	x := make([]float64, m) // ascending exceedances, scaled by the largest weight
	for i := range x {
		x[i] = math.Exp(lw[s-m+i]-top) - cut
	}
	if x[m-1] <= 0 {
		return 0, nil // all tail weights equal: no tail at all
	}
	return gpdShape(x), nil
}

// gpdShape is Zhang and Stephens's estimate of the GPD shape for the
// ascending positive sample x, with loo's weakly informative prior.
func gpdShape(x []float64) float64 {
	n := len(x)
	grid := 30 + int(math.Sqrt(float64(n)))
	xstar := x[int(float64(n)/4+0.5)-1]
	if xstar <= 0 {
		xstar = x[n-1] / float64(n) // ties at zero: any positive scale works
	}
	xiOf := func(b float64) float64 {
		var s float64
		for _, v := range x {
			s += math.Log1p(b * v)
		}
		return s / float64(n)
	}
	bs, ls := make([]float64, grid), make([]float64, grid)
	lmax := math.Inf(-1)
	for j := range bs {
		bs[j] = -(1/x[n-1] + (1-math.Sqrt(float64(grid)/(float64(j+1)-0.5)))/(3*xstar))
		xi := xiOf(bs[j])
		ls[j] = float64(n) * (math.Log(bs[j]/xi) - xi - 1)
		if math.IsNaN(ls[j]) {
			ls[j] = math.Inf(-1)
		}
		lmax = math.Max(lmax, ls[j])
	}
	var num, den float64
	for j := range bs {
		w := math.Exp(ls[j] - lmax)
		num += bs[j] * w
		den += w
	}
	k := xiOf(num / den)
	return (float64(n)*k + 5) / float64(n+10)
}
