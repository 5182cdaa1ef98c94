package data

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gorgonia.org/tensor"
)

// MakeCircles returns n points of the two-circles data set and their labels,
// following scikit-learn's make_circles.
//
// With nOut = n/2 (integer division) and nIn = n - nOut, the outer circle is
//
//	(cos t, sin t),                   t = 2πk/nOut, k = 0, …, nOut-1,
//
// the unit circle, labelled 0, and the inner circle is
//
//	(factor·cos t, factor·sin t),     t = 2πk/nIn,  k = 0, …, nIn-1,
//
// a concentric circle of radius factor, labelled 1. The angles are numpy's
// linspace(0, 2π, m, endpoint=False), so no point is repeated.
//
// The outer then the inner points are stacked, the rows and labels are
// shuffled together, and then independent Gaussian noise of standard
// deviation noise is added to every coordinate, with the same generator and
// order of draws as MakeMoons: a math/rand/v2 PCG generator seeded with
// (uint64(seed), 0), its Shuffle method, then its NormFloat64 method in
// row-major order.
//
// The points are returned as a float64 Dense of shape [n, 2] and the labels as
// a slice of length n. MakeCircles returns an error if n < 1, if noise is
// negative, infinite or NaN, or if factor is outside [0, 1).
func MakeCircles(n int, noise, factor float64, seed int64) (*tensor.Dense, []int, error) {
	if n < 1 {
		return nil, nil, fmt.Errorf("data: MakeCircles: n = %d, want n >= 1", n)
	}
	if !(noise >= 0) || math.IsInf(noise, 1) {
		return nil, nil, fmt.Errorf("data: MakeCircles: noise = %v, want a finite value >= 0", noise)
	}
	if !(factor >= 0 && factor < 1) {
		return nil, nil, fmt.Errorf("data: MakeCircles: factor = %v, want 0 <= factor < 1", factor)
	}
	xy, labels := makeCircles(n, noise, factor, newRand(seed))
	return newPoints(xy), labels, nil
}

// makeCircles is MakeCircles without the argument checks, returning the
// points as a row-major [n, 2] slice.
func makeCircles(n int, noise, factor float64, rng *rand.Rand) ([]float64, []int) {
	nOut := n / 2
	nIn := n - nOut
	xy := make([]float64, 0, 2*n)
	labels := make([]int, 0, n)
	for _, t := range linspace(0, 2*math.Pi, nOut, false) {
		xy = append(xy, math.Cos(t), math.Sin(t))
		labels = append(labels, 0)
	}
	for _, t := range linspace(0, 2*math.Pi, nIn, false) {
		xy = append(xy, factor*math.Cos(t), factor*math.Sin(t))
		labels = append(labels, 1)
	}
	shuffleAndJitter(xy, labels, noise, rng)
	return xy, labels
}
