package data

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gorgonia.org/tensor"
)

// MakeMoons returns n points of the two-moons data set and their labels,
// following scikit-learn's make_moons.
//
// With nOut = n/2 (integer division) and nIn = n - nOut, the outer moon is
//
//	(cos t, sin t),             t = linspace(0, π, nOut),
//
// an upper half circle of radius one about the origin, labelled 0, and the
// inner moon is
//
//	(1 - cos t, 1/2 - sin t),   t = linspace(0, π, nIn),
//
// a lower half circle of radius one about (1, 1/2), labelled 1. linspace
// includes both end points. The noise-free points lie in [-1, 2]×[-1/2, 1];
// their mean is (1/2, 1/4) in the limit of large n.
//
// The outer then the inner points are stacked, the rows and labels are
// shuffled together, and then independent Gaussian noise of standard
// deviation noise is added to every coordinate. The randomness comes from a
// math/rand/v2 PCG generator seeded with (uint64(seed), 0): the shuffle is
// its Shuffle method and the noise its NormFloat64 method, drawn in row-major
// order after the shuffle. Equal arguments give equal results.
//
// The points are returned as a float64 Dense of shape [n, 2] and the labels as
// a slice of length n. MakeMoons returns an error if n < 1 or if noise is
// negative, infinite or NaN.
func MakeMoons(n int, noise float64, seed int64) (*tensor.Dense, []int, error) {
	if n < 1 {
		return nil, nil, fmt.Errorf("data: MakeMoons: n = %d, want n >= 1", n)
	}
	if !(noise >= 0) || math.IsInf(noise, 1) {
		return nil, nil, fmt.Errorf("data: MakeMoons: noise = %v, want a finite value >= 0", noise)
	}
	xy, labels := makeMoons(n, noise, newRand(seed))
	return newPoints(xy), labels, nil
}

// makeMoons is MakeMoons without the argument checks, returning the points as
// a row-major [n, 2] slice.
func makeMoons(n int, noise float64, rng *rand.Rand) ([]float64, []int) {
	nOut := n / 2
	nIn := n - nOut
	xy := make([]float64, 0, 2*n)
	labels := make([]int, 0, n)
	for _, t := range linspace(0, math.Pi, nOut, true) {
		xy = append(xy, math.Cos(t), math.Sin(t))
		labels = append(labels, 0)
	}
	for _, t := range linspace(0, math.Pi, nIn, true) {
		xy = append(xy, 1-math.Cos(t), 1-math.Sin(t)-0.5)
		labels = append(labels, 1)
	}
	shuffleAndJitter(xy, labels, noise, rng)
	return xy, labels
}
