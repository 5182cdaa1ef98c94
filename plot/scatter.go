package plot

import (
	"fmt"
	"image/color"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gorgonia.org/tensor"
)

// dotRadius is the radius of a scatter dot, 1.6 pixels at 96 dpi.
const dotRadius vg.Length = 1.2

// labelColors is the cycle of colours for labels, matplotlib's "tab10".
var labelColors = []color.NRGBA{
	{0x1f, 0x77, 0xb4, 0xff}, {0xff, 0x7f, 0x0e, 0xff}, {0x2c, 0xa0, 0x2c, 0xff},
	{0xd6, 0x27, 0x28, 0xff}, {0x94, 0x67, 0xbd, 0xff}, {0x8c, 0x56, 0x4b, 0xff},
	{0xe3, 0x77, 0xc2, 0xff}, {0x7f, 0x7f, 0x7f, 0xff}, {0xbc, 0xbd, 0x22, 0xff},
	{0x17, 0xbe, 0xcf, 0xff},
}

// Scatter draws the points pts, a float32 or float64 Dense of shape [N, 2]
// holding one (x, y) point per row, as small translucent dots and writes the
// figure to path as a PNG image. The axes are labelled x and y and the
// figure is titled title.
//
// Scatter uses the options WithRange, WithColor and WithSize. It returns an
// error if pts is nil, not of shape [N, 2] with N >= 1, of another dtype or
// holds a NaN or infinite value, if an option is invalid, or if the file
// cannot be written.
func Scatter(path string, pts *tensor.Dense, title string, opts ...Option) error {
	cfg, err := newConfig(opts)
	if err != nil {
		return err
	}
	xy, err := xys(pts)
	if err != nil {
		return err
	}
	p := newScatterPlot(title)
	s, err := plotter.NewScatter(xy)
	if err != nil {
		return fmt.Errorf("plot: Scatter: %w", err)
	}
	s.GlyphStyle = dotStyle(cfg.dotColor())
	p.Add(s)
	setRange(p, xy, &cfg)
	return savePNG(path, cfg.width, cfg.height, drawPlot(p))
}

// ScatterLabels draws the points pts, a float32 or float64 Dense of shape
// [N, 2], as Scatter does, colouring point i by labels[i] and adding a legend
// with one entry per distinct label in increasing order. Labels take the
// colours of matplotlib's tab10 cycle in that order, repeating after ten.
//
// ScatterLabels uses the options WithRange and WithSize. It returns an error
// in the cases Scatter does and if len(labels) is not N.
func ScatterLabels(path string, pts *tensor.Dense, labels []int, title string, opts ...Option) error {
	cfg, err := newConfig(opts)
	if err != nil {
		return err
	}
	xy, err := xys(pts)
	if err != nil {
		return err
	}
	if len(labels) != len(xy) {
		return fmt.Errorf("plot: ScatterLabels: %d labels for %d points, want %d", len(labels), len(xy), len(xy))
	}
	groups := make(map[int]plotter.XYs)
	for i, l := range labels {
		groups[l] = append(groups[l], xy[i])
	}
	keys := make([]int, 0, len(groups))
	for l := range groups {
		keys = append(keys, l)
	}
	slices.Sort(keys)

	p := newScatterPlot(title)
	p.Legend.Top = true
	for i, l := range keys {
		s, err := plotter.NewScatter(groups[l])
		if err != nil {
			return fmt.Errorf("plot: ScatterLabels: %w", err)
		}
		clr := labelColors[i%len(labelColors)]
		s.GlyphStyle = dotStyle(translucent(clr))
		p.Add(s)
		thumb := dotStyle(clr)
		thumb.Radius = 2.5 * dotRadius
		p.Legend.Add(fmt.Sprintf("label %d", l), glyphThumbnail(thumb))
	}
	setRange(p, xy, &cfg)
	return savePNG(path, cfg.width, cfg.height, drawPlot(p))
}

// newScatterPlot returns a plot titled title with a background grid and axes
// labelled x and y.
func newScatterPlot(title string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "x"
	p.Y.Label.Text = "y"
	p.Add(plotter.NewGrid())
	return p
}

// setRange sets the axes of p to the range in cfg, or else to the padded
// range of xy. It must be called after the plotters are added, since Add
// widens the axes to their data.
func setRange(p *plot.Plot, xy plotter.XYs, cfg *config) {
	if cfg.hasRange {
		p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = cfg.xmin, cfg.xmax, cfg.ymin, cfg.ymax
		return
	}
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = paddedRange(xy)
}

// dotStyle returns the glyph style of a scatter dot of colour clr.
func dotStyle(clr color.Color) draw.GlyphStyle {
	return draw.GlyphStyle{Color: clr, Radius: dotRadius, Shape: draw.CircleGlyph{}}
}

// glyphThumbnail is a legend entry showing one glyph.
type glyphThumbnail draw.GlyphStyle

// Thumbnail implements plot.Thumbnailer.
func (g glyphThumbnail) Thumbnail(c *draw.Canvas) {
	c.DrawGlyphNoClip(draw.GlyphStyle(g), c.Center())
}

// drawPlot returns a painter that draws p on the whole canvas.
func drawPlot(p *plot.Plot) func(draw.Canvas) error {
	return func(c draw.Canvas) error {
		p.Draw(c)
		return nil
	}
}
