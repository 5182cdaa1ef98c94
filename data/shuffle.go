package data

import (
	"math/rand/v2"

	"gorgonia.org/tensor"
)

// newRand returns the generator used by the seeded constructors of this
// package: a math/rand/v2 PCG source with state (uint64(seed), 0). The same
// seed gives the same stream on every platform and Go release that keeps
// PCG and rand.Rand's Shuffle and NormFloat64 algorithms unchanged.
func newRand(seed int64) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(seed), 0))
}

// shuffleAndJitter permutes the rows of the row-major [n, 2] table xy together
// with labels, using rng.Shuffle (a Fisher–Yates shuffle), and then adds
// independent N(0, noise²) variates to every coordinate in row-major order,
// drawn with rng.NormFloat64. The variates are drawn even when noise is zero,
// so the stream consumed does not depend on noise.
func shuffleAndJitter(xy []float64, labels []int, noise float64, rng *rand.Rand) {
	rng.Shuffle(len(labels), func(i, j int) {
		labels[i], labels[j] = labels[j], labels[i]
		xy[2*i], xy[2*j] = xy[2*j], xy[2*i]
		xy[2*i+1], xy[2*j+1] = xy[2*j+1], xy[2*i+1]
	})
	for i := range xy {
		xy[i] += noise * rng.NormFloat64()
	}
}

// newPoints wraps the row-major [n, 2] table xy in a float64 Dense without
// copying.
func newPoints(xy []float64) *tensor.Dense {
	return tensor.New(tensor.WithShape(len(xy)/2, 2), tensor.WithBacking(xy))
}
