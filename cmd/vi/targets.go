package main

import (
	"fmt"
	"math"

	"github.com/nflowgo/nflow/vi"
)

// The lab's targets are normalized (log Z = 0), so -ELBO = KL(q‖p).
const halfLog2Pi = 0.9189385332046727 // ½ log 2π

// banana is the 2-D banana: x1 ~ N(0, 2²), x2 = y2 + ½(x1² - 4), y2 ~ N(0, 1):
//
//	log p = -x1²/8 - log 2 - r²/2 - log 2π,  r = x2 - ½(x1² - 4)
//	∂₁ = -x1/4 + r·x1,  ∂₂ = -r
func banana() vi.Target {
	return vi.TargetFunc{D: 2, Fn: func(x, logp, grad []float64) {
		for n := range logp {
			x1, x2 := x[2*n], x[2*n+1]
			r := x2 - 0.5*(x1*x1-4)
			logp[n] = -x1*x1/8 - math.Ln2 - r*r/2 - 2*halfLog2Pi
			if grad != nil {
				grad[2*n], grad[2*n+1] = -x1/4+r*x1, -r
			}
		}
	}}
}

// funnel is Neal's funnel in D dimensions: v = x_0 ~ N(0, 3²),
// x_i ~ N(0, e^v) for i = 1..D-1:
//
//	log p = -v²/18 - log 3 - Σ_i (x_i² e^(-v) + v)/2 - D·½ log 2π
//	∂_v = -v/9 + Σ_i (x_i² e^(-v) - 1)/2,  ∂_i = -x_i e^(-v)
func funnel(d int) vi.Target {
	return vi.TargetFunc{D: d, Fn: func(x, logp, grad []float64) {
		for n := range logp {
			row := x[n*d : (n+1)*d]
			v := row[0]
			ev := math.Exp(-v)
			lp := -v*v/18 - math.Log(3) - float64(d)*halfLog2Pi
			dv := -v / 9
			for i := 1; i < d; i++ {
				s := row[i] * row[i] * ev
				lp -= (s + v) / 2
				dv += (s - 1) / 2
				if grad != nil {
					grad[n*d+i] = -row[i] * ev
				}
			}
			logp[n] = lp
			if grad != nil {
				grad[n*d] = dv
			}
		}
	}}
}

// ringModes are the centres of the ring: radius 4, angles 2πk/8.
func ringModes() [][2]float64 {
	m := make([][2]float64, 8)
	for k := range m {
		a := 2 * math.Pi * float64(k) / 8
		m[k] = [2]float64{4 * math.Cos(a), 4 * math.Sin(a)}
	}
	return m
}

const ringSD = 0.3

// ring is the equal mixture of 8 Gaussians N(μ_k, 0.3² I) on the circle
// of radius 4:
//
//	log p = log Σ_k ⅛ N(x; μ_k, σ²I),  ∇ log p = Σ_k r_k (μ_k - x)/σ²
//
// with r_k the responsibilities (a softmax of the component log-densities).
func ring() vi.Target {
	mu := ringModes()
	c := -math.Log(8) - 2*halfLog2Pi - 2*math.Log(ringSD)
	return vi.TargetFunc{D: 2, Fn: func(x, logp, grad []float64) {
		var l [8]float64
		for n := range logp {
			x1, x2 := x[2*n], x[2*n+1]
			m := math.Inf(-1)
			for k, u := range mu {
				d1, d2 := x1-u[0], x2-u[1]
				l[k] = -(d1*d1 + d2*d2) / (2 * ringSD * ringSD)
				m = math.Max(m, l[k])
			}
			var s, g1, g2 float64
			for k, u := range mu {
				r := math.Exp(l[k] - m)
				s += r
				g1 += r * (u[0] - x1)
				g2 += r * (u[1] - x2)
			}
			logp[n] = c + m + math.Log(s)
			if grad != nil {
				grad[2*n], grad[2*n+1] = g1/(s*ringSD*ringSD), g2/(s*ringSD*ringSD)
			}
		}
	}}
}

// modesCovered counts the ring's modes that hold at least frac of the
// samples x [n, 2], each sample counted at its nearest mode.
func modesCovered(x []float64, frac float64) (int, []float64) {
	mu := ringModes()
	counts := make([]float64, len(mu))
	n := len(x) / 2
	for i := 0; i < n; i++ {
		best, bd := 0, math.Inf(1)
		for k, u := range mu {
			d1, d2 := x[2*i]-u[0], x[2*i+1]-u[1]
			if d := d1*d1 + d2*d2; d < bd {
				best, bd = k, d
			}
		}
		counts[best]++
	}
	covered := 0
	for k := range counts {
		counts[k] /= float64(n)
		if counts[k] >= frac {
			covered++
		}
	}
	return covered, counts
}

// targetByName returns the lab's target called name.
func targetByName(name string) (vi.Target, error) {
	switch name {
	case "banana":
		return banana(), nil
	case "funnel":
		return funnel(10), nil
	case "ring":
		return ring(), nil
	}
	return nil, fmt.Errorf("target %q, expected banana, funnel or ring", name)
}
