package plot

import (
	"fmt"
	"image/color"
	"math"
)

// Option configures a figure. Options that do not apply to a function are
// ignored by it; each function's documentation lists those it uses.
type Option func(*config)

// config holds the settings made by Options.
type config struct {
	width, height int // Image size in pixels.

	hasRange               bool // Whether the axis ranges are set.
	xmin, xmax, ymin, ymax float64

	color color.Color // Point colour, nil for the default.

	err error // First invalid option.
}

// Default sizes and colours.
const (
	defaultWidth  = 600
	defaultHeight = 600

	minSize = 100   // Smallest width or height in pixels.
	maxSize = 20000 // Largest width or height in pixels.
)

// defaultColor is the dot colour of Scatter, matplotlib's "tab:blue".
var defaultColor = color.NRGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff}

// WithRange sets the data range of the axes to [xmin, xmax]×[ymin, ymax];
// points outside it are not drawn. Without it Scatter fits the range to the
// points with a margin of 5% on every side. The bounds must be finite with
// xmin < xmax and ymin < ymax, otherwise the drawing function returns an
// error. Used by Scatter and ScatterLabels.
func WithRange(xmin, xmax, ymin, ymax float64) Option {
	return func(c *config) {
		for _, v := range []float64{xmin, xmax, ymin, ymax} {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				c.setErr(fmt.Errorf("plot: WithRange(%v, %v, %v, %v): bounds must be finite", xmin, xmax, ymin, ymax))
				return
			}
		}
		if !(xmin < xmax && ymin < ymax) {
			c.setErr(fmt.Errorf("plot: WithRange(%v, %v, %v, %v): want xmin < xmax and ymin < ymax", xmin, xmax, ymin, ymax))
			return
		}
		c.hasRange = true
		c.xmin, c.xmax, c.ymin, c.ymax = xmin, xmax, ymin, ymax
	}
}

// WithColor sets the colour of the dots drawn by Scatter. An opaque colour is
// drawn at 40% opacity so that dense regions show; a translucent one is used
// as given. A nil colour is an error. Used by Scatter only: ScatterLabels
// colours by label.
func WithColor(clr color.Color) Option {
	return func(c *config) {
		if clr == nil {
			c.setErr(fmt.Errorf("plot: WithColor(nil): want a colour"))
			return
		}
		c.color = clr
	}
}

// WithSize sets the size of the image in pixels, w wide and h high. The
// default is 600×600. Each must be in [100, 20000], otherwise the drawing
// function returns an error. Used by every drawing function.
func WithSize(w, h int) Option {
	return func(c *config) {
		if w < minSize || w > maxSize || h < minSize || h > maxSize {
			c.setErr(fmt.Errorf("plot: WithSize(%d, %d): want both in [%d, %d] pixels", w, h, minSize, maxSize))
			return
		}
		c.width, c.height = w, h
	}
}

// setErr records err if no earlier option failed.
func (c *config) setErr(err error) {
	if c.err == nil {
		c.err = err
	}
}

// newConfig applies opts to the defaults and returns the first option error.
func newConfig(opts []Option) (config, error) {
	c := config{width: defaultWidth, height: defaultHeight}
	for _, o := range opts {
		if o == nil {
			continue
		}
		o(&c)
	}
	return c, c.err
}

// dotColor returns the colour of Scatter's dots: the configured or default
// colour, made translucent if it is opaque.
func (c *config) dotColor() color.Color {
	clr := c.color
	if clr == nil {
		clr = defaultColor
	}
	return translucent(clr)
}

// translucent returns clr at 40% opacity if it is opaque, and clr otherwise.
func translucent(clr color.Color) color.Color {
	n := color.NRGBAModel.Convert(clr).(color.NRGBA)
	if n.A == 0xff {
		n.A = 0x66
	}
	return n
}
