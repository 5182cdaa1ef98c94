package main

import (
	"math/rand/v2"

	"github.com/nflowgo/nflow/dist"
	"github.com/nflowgo/nflow/vi"
	"gorgonia.org/tensor"
)

func figures(dir string, o *options, q *dist.TransformedDistribution, t vi.Target, x *tensor.Dense, logw []float64, h *vi.History, rng *rand.Rand) error {
	return nil
}
