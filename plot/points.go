package plot

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/plot/plotter"
	"gorgonia.org/tensor"
)

// xys returns the rows of the [N, 2] float32 or float64 Dense pts as plot
// points. It returns an error if pts is nil, has another shape or dtype, has
// no rows or holds a NaN or infinite value.
func xys(pts *tensor.Dense) (plotter.XYs, error) {
	if pts == nil {
		return nil, errors.New("plot: nil points tensor")
	}
	if s := pts.Shape(); pts.Dims() != 2 || s[1] != 2 {
		return nil, fmt.Errorf("plot: points shape %v, want [N, 2]", s)
	}
	n := pts.Shape()[0]
	if n < 1 {
		return nil, fmt.Errorf("plot: points shape %v has no rows, want [N, 2] with N >= 1", pts.Shape())
	}
	v, err := float64s(pts)
	if err != nil {
		return nil, err
	}
	xy := make(plotter.XYs, n)
	for i := range xy {
		x, y := v[2*i], v[2*i+1]
		if math.IsNaN(x) || math.IsInf(x, 0) || math.IsNaN(y) || math.IsInf(y, 0) {
			return nil, fmt.Errorf("plot: point %d is (%v, %v), want finite coordinates", i, x, y)
		}
		xy[i].X, xy[i].Y = x, y
	}
	return xy, nil
}

// float64s returns the elements of the float32 or float64 Dense t in the
// row-major order of its shape, converted to float64. Views and transposes
// are materialized first. The result may share memory with t.
func float64s(t *tensor.Dense) ([]float64, error) {
	if t.IsMaterializable() {
		t = t.Materialize().(*tensor.Dense)
	}
	n := t.Shape().TotalSize()
	switch v := t.Data().(type) {
	case []float64:
		return v[:n], nil
	case []float32:
		out := make([]float64, n)
		for i := range out {
			out[i] = float64(v[i])
		}
		return out, nil
	default:
		return nil, fmt.Errorf("plot: tensor dtype %v, want float32 or float64", t.Dtype())
	}
}

// paddedRange returns the smallest rectangle holding xy, widened on every
// side by 5% of its width and height, or by 0.5 along an axis where all
// points agree.
func paddedRange(xy plotter.XYs) (xmin, xmax, ymin, ymax float64) {
	xmin, ymin = math.Inf(1), math.Inf(1)
	xmax, ymax = math.Inf(-1), math.Inf(-1)
	for _, p := range xy {
		xmin, xmax = math.Min(xmin, p.X), math.Max(xmax, p.X)
		ymin, ymax = math.Min(ymin, p.Y), math.Max(ymax, p.Y)
	}
	pad := func(lo, hi float64) (float64, float64) {
		d := 0.05 * (hi - lo)
		if d == 0 {
			d = 0.5
		}
		return lo - d, hi + d
	}
	xmin, xmax = pad(xmin, xmax)
	ymin, ymax = pad(ymin, ymax)
	return xmin, xmax, ymin, ymax
}
