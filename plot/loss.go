package plot

import (
	"errors"
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// maxMarkedEpochs is the largest number of epochs for which each epoch's
// loss is marked with a dot as well as joined by the line.
const maxMarkedEpochs = 40

// Loss draws a training history, the loss per epoch, and writes the figure to
// path as a PNG image. train[i] is the training loss after epoch i+1 and is
// drawn against x = i+1; val, if not empty, is the validation loss drawn the
// same way. The lengths of train and val may differ. The y axis is labelled
// "negative log-likelihood (nats)", the x axis "epoch", and a legend names
// the curves.
//
// Loss uses the option WithSize. It returns an error if train is empty, if a
// value of train or val is NaN or infinite (naming the slice and the index),
// if an option is invalid, or if the file cannot be written.
func Loss(path, title string, train, val []float64, opts ...Option) error {
	cfg, err := newConfig(opts)
	if err != nil {
		return err
	}
	if len(train) == 0 {
		return errors.New("plot: Loss: empty training loss, want at least one epoch")
	}
	trainXY, err := epochXYs("train", train)
	if err != nil {
		return err
	}
	valXY, err := epochXYs("val", val)
	if err != nil {
		return err
	}

	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "epoch"
	p.Y.Label.Text = "negative log-likelihood (nats)"
	p.Legend.Top = true
	p.Add(plotter.NewGrid())
	if err := addCurve(p, "train", trainXY, labelColors[0]); err != nil {
		return err
	}
	if len(valXY) > 0 {
		if err := addCurve(p, "validation", valXY, labelColors[1]); err != nil {
			return err
		}
	}
	p.X.Min = 1
	p.X.Max = math.Max(2, float64(max(len(train), len(val))))
	return savePNG(path, cfg.width, cfg.height, drawPlot(p))
}

// epochXYs returns the points (i+1, loss[i]), or an error naming the slice
// and index of a NaN or infinite loss.
func epochXYs(name string, loss []float64) (plotter.XYs, error) {
	xy := make(plotter.XYs, len(loss))
	for i, v := range loss {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("plot: Loss: %s[%d] = %v, want a finite loss", name, i, v)
		}
		xy[i].X, xy[i].Y = float64(i+1), v
	}
	return xy, nil
}

// addCurve adds the loss curve xy to p in colour clr with a legend entry.
func addCurve(p *plot.Plot, name string, xy plotter.XYs, clr color.Color) error {
	line, err := plotter.NewLine(xy)
	if err != nil {
		return fmt.Errorf("plot: Loss: %s: %w", name, err)
	}
	line.Color = clr
	line.Width = vg.Points(1.5)
	p.Add(line)
	if len(xy) > maxMarkedEpochs {
		p.Legend.Add(name, line)
		return nil
	}
	dots, err := plotter.NewScatter(xy)
	if err != nil {
		return fmt.Errorf("plot: Loss: %s: %w", name, err)
	}
	dots.GlyphStyle = draw.GlyphStyle{Color: clr, Radius: vg.Points(2), Shape: draw.CircleGlyph{}}
	p.Add(dots)
	p.Legend.Add(name, line, dots)
	return nil
}
