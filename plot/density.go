package plot

import (
	"fmt"
	"image"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Density draws the density exp(logProb) on the grid g as a heat map with a
// colour bar beside it and writes the figure to path as a PNG image.
// logProb holds the log density at the cell centres in the order of
// g.Points, so it has length g.NX·g.NY. The axes are in data coordinates and
// span exactly [XMin, XMax]×[YMin, YMax] with equal scales (one unit is as
// long across as up, matplotlib's aspect="equal"; the heat map is centred
// in the space the canvas leaves). Colours run from dark purple at
// zero density to yellow at the largest density on the grid, on a linear
// scale; a NaN or infinite logProb is drawn as zero density.
//
// Density uses the option WithSize. It returns an error if g is not valid,
// if len(logProb) is not g.NX·g.NY, if an option is invalid, or if the file
// cannot be written.
func Density(path, title string, g Grid, logProb []float64, opts ...Option) error {
	cfg, err := newConfig(opts)
	if err != nil {
		return err
	}
	if err := g.Validate(); err != nil {
		return err
	}
	if len(logProb) != g.NX*g.NY {
		return fmt.Errorf("plot: Density: len(logProb) = %d, want NX·NY = %d·%d = %d", len(logProb), g.NX, g.NY, g.NX*g.NY)
	}
	return savePNG(path, cfg.width, cfg.height, func(c draw.Canvas) error {
		_, err := drawDensity(c, title, g, logProb)
		return err
	})
}

// drawDensity draws the heat map and colour bar of Density on c and returns
// the rectangle of c covered by the heat map. Its arguments are not checked.
func drawDensity(c draw.Canvas, title string, g Grid, logProb []float64) (vg.Rectangle, error) {
	z := make([]float64, len(logProb))
	var top float64
	for i, lp := range logProb {
		if math.IsNaN(lp) || math.IsInf(lp, 0) {
			continue
		}
		z[i] = math.Exp(lp)
		top = math.Max(top, z[i])
	}
	if !(top > 0) || math.IsInf(top, 1) {
		// All zero, or a density too large to scale: draw what can be drawn.
		top = 1
	}
	cmap, err := viridis(0, top)
	if err != nil {
		return vg.Rectangle{}, fmt.Errorf("plot: Density: colour map: %w", err)
	}

	main := plot.New()
	main.Title.Text = title
	main.X.Label.Text = "x"
	main.Y.Label.Text = "y"
	main.X.Min, main.X.Max, main.Y.Min, main.Y.Max = g.XMin, g.XMax, g.YMin, g.YMax

	// The colour bar takes the right 18% of the canvas, at least 80 points,
	// with a 10 point gap to the heat map.
	width := c.Max.X - c.Min.X
	barWidth := max(0.18*width, 80)
	mainC := equalAspect(main, draw.Crop(c, 0, -barWidth, 0, 0))
	data := main.DataCanvas(mainC)
	size := data.Size()
	img := densityImage(g, z, top, cmap.Palette(256).Colors(),
		int(math.Ceil(size.X.Dots(dpi))), int(math.Ceil(size.Y.Dots(dpi))))
	main.Add(plotter.NewImage(img, g.XMin, g.YMin, g.XMax, g.YMax))
	main.Draw(mainC)

	bar := plot.New()
	bar.HideX()
	bar.Y.Label.Text = "density"
	bar.Add(&plotter.ColorBar{ColorMap: cmap, Vertical: true})
	bar.X.Min, bar.X.Max, bar.Y.Min, bar.Y.Max = 0, 1, 0, top

	// Place the bar so that its data area spans the heat map's height: find
	// the bar plot's own margins on a trial canvas and grow the canvas by them.
	barC := draw.Crop(c, width-barWidth+10, 0, 0, 0)
	barC.Min.Y, barC.Max.Y = data.Min.Y, data.Max.Y
	inner := bar.DataCanvas(barC)
	barC.Min.Y -= inner.Min.Y - data.Min.Y
	barC.Max.Y += data.Max.Y - inner.Max.Y
	bar.Draw(barC)
	return data.Rectangle, nil
}

// densityImage returns a w×h pixel image of the density z on g, each pixel
// coloured by the cell holding its centre: zero maps to colors[0], top and
// above to the last colour, linearly between. Drawing at the resolution of
// the output keeps the cell edges sharp, where scaling a one pixel per cell
// image would blur them.
func densityImage(g Grid, z []float64, top float64, colors []color.Color, w, h int) image.Image {
	w, h = max(w, 1), max(h, 1)
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	last := float64(len(colors) - 1)
	for py := 0; py < h; py++ {
		iy := (h - 1 - py) * g.NY / h // Image rows run downwards, grid rows upwards.
		for px := 0; px < w; px++ {
			ix := px * g.NX / w
			k := int(math.Min(z[iy*g.NX+ix]/top, 1)*last + 0.5)
			img.Set(px, py, colors[k])
		}
	}
	return img
}
