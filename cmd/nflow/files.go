package main

import (
	"fmt"

	"github.com/nflowgo/nflow/data"
	"github.com/nflowgo/nflow/dist"
	"github.com/nflowgo/nflow/flows"
	"gorgonia.org/tensor"
)

// chunkRows is how many rows one log_prob or sample call handles, so that
// large inputs run in bounded memory.
const chunkRows = 4096

// loadPoints reads the CSV at path for model: [N, D] in the model's dtype.
// The error names the file and says how wide the model's points are when
// the table's width differs.
func loadPoints(path, modelPath string, model *dist.TransformedDistribution) (*tensor.Dense, error) {
	x, err := data.LoadCSV(path)
	if err != nil {
		return nil, err
	}
	if d := x.Shape()[1]; d != model.EventSize() {
		return nil, fmt.Errorf("%s has %d columns, but the model %s takes points of %d", path, d, modelPath, model.EventSize())
	}
	return data.Cast(x, model.DType())
}

// loadContext reads the context CSV at path for model: [M, C] in the
// model's dtype, or nil when path is "" and the model is unconditional.
// rows > 0 requires M = rows (one context row per data row, as in
// dataPath). The errors say what is missing or mismatched.
func loadContext(path, modelPath string, model *dist.TransformedDistribution, rows int, dataPath string) (*tensor.Dense, error) {
	cs := dist.ContextSizeOf(model)
	switch {
	case cs == 0 && path != "":
		return nil, fmt.Errorf("-context %s: the model %s is not conditional", path, modelPath)
	case cs == 0:
		return nil, nil
	case path == "":
		return nil, fmt.Errorf("the model %s is conditional on %d context values: give them with -context FILE.csv", modelPath, cs)
	}
	c, err := data.LoadCSV(path)
	if err != nil {
		return nil, err
	}
	s := c.Shape()
	if s[1] != cs {
		return nil, fmt.Errorf("%s has %d columns, but the model %s takes contexts of %d", path, s[1], modelPath, cs)
	}
	if rows > 0 && s[0] != rows {
		return nil, fmt.Errorf("%s has %d rows and %s has %d: give one context row per data row", path, s[0], dataPath, rows)
	}
	return data.Cast(c, model.DType())
}

// rowsOf returns rows [lo, hi) of the [N, K] table v as a Dense of dtype dt.
func rowsOf(v []float64, lo, hi, k int, dt tensor.Dtype) (*tensor.Dense, error) {
	return data.Cast(tensor.New(tensor.WithShape(hi-lo, k), tensor.WithBacking(v[lo*k:hi*k])), dt)
}

// logProbs returns log p(x | c) for every row of x [N, D] and of the
// context c [N, C], or log p(x) for c nil, computed in chunks.
func logProbs(model *dist.TransformedDistribution, x, c *tensor.Dense) ([]float64, error) {
	n, d := x.Shape()[0], x.Shape()[1]
	rows := dist.Float64s(x)
	var crows []float64
	if c != nil {
		crows = dist.Float64s(c)
	}
	out := make([]float64, 0, n)
	for lo := 0; lo < n; lo += chunkRows {
		hi := min(lo+chunkRows, n)
		xc, err := rowsOf(rows, lo, hi, d, model.DType())
		if err != nil {
			return nil, err
		}
		var lp *tensor.Dense
		if c == nil {
			lp, err = model.LogProb(xc)
		} else {
			var cc *tensor.Dense
			if cc, err = rowsOf(crows, lo, hi, c.Shape()[1], model.DType()); err == nil {
				lp, err = dist.LogProbGiven(model, xc, cc)
			}
		}
		if err != nil {
			return nil, err
		}
		out = append(out, dist.Float64s(lp)...)
	}
	return out, nil
}

// openModel loads the model file at path.
func openModel(path string) (flows.Spec, *dist.TransformedDistribution, error) {
	if path == "" {
		return flows.Spec{}, nil, fmt.Errorf("-model is required: the model file written by nflow fit")
	}
	return flows.LoadFile(path)
}
