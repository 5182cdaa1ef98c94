package plot

import (
	"fmt"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
)

// Curve draws the line through the points (x[i], y[i]) with the axis
// labels xLabel and yLabel and writes the figure to path as a PNG image:
// a training curve measured at arbitrary steps, such as the ELBO of
// variational inference against the optimizer step.
//
// Curve uses the option WithSize. It returns an error if x is empty, if x
// and y differ in length, if a value is NaN or infinite (naming the slice
// and the index), if an option is invalid, or if the file cannot be
// written.
func Curve(path, title, xLabel, yLabel string, x, y []float64, opts ...Option) error {
	cfg, err := newConfig(opts)
	if err != nil {
		return err
	}
	if len(x) == 0 || len(x) != len(y) {
		return fmt.Errorf("plot: Curve: %d x and %d y values, want the same positive number", len(x), len(y))
	}
	xy := make(plotter.XYs, len(x))
	for i := range x {
		for _, v := range []struct {
			name string
			v    float64
		}{{"x", x[i]}, {"y", y[i]}} {
			if math.IsNaN(v.v) || math.IsInf(v.v, 0) {
				return fmt.Errorf("plot: Curve: %s[%d] = %v, want a finite value", v.name, i, v.v)
			}
		}
		xy[i].X, xy[i].Y = x[i], y[i]
	}
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = xLabel
	p.Y.Label.Text = yLabel
	p.Add(plotter.NewGrid())
	line, err := plotter.NewLine(xy)
	if err != nil {
		return fmt.Errorf("plot: Curve: %w", err)
	}
	line.Color = labelColors[0]
	p.Add(line)
	return savePNG(path, cfg.width, cfg.height, drawPlot(p))
}
