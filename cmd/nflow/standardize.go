package main

import (
	"github.com/nflowgo/nflow/dist"
	"github.com/nflowgo/nflow/flows"
	"gorgonia.org/tensor"
)

// initStandardize sets the model's Standardize bijector from the first
// nTrain rows of x (the training rows: validation rows are not seen).
func initStandardize(model *dist.TransformedDistribution, x *tensor.Dense, nTrain int) error {
	rows, err := rowsOf(dist.Float64s(x), 0, nTrain, x.Shape()[1], model.DType())
	if err != nil {
		return err
	}
	return flows.InitStandardize(model, rows)
}
