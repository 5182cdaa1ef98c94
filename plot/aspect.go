package plot

import (
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// equalAspect returns c trimmed, evenly on both sides, along its longer
// data direction so that p's data area on it has one data unit as long
// across as up (matplotlib's aspect="equal"): data width / data height =
// (XMax - XMin) / (YMax - YMin). The axis margins do not depend on the
// trim, so trimming the canvas trims the data area by the same length.
func equalAspect(p *plot.Plot, c draw.Canvas) draw.Canvas {
	size := p.DataCanvas(c).Size()
	w, h := float64(size.X), float64(size.Y)
	want := (p.X.Max - p.X.Min) / (p.Y.Max - p.Y.Min)
	if !(w > 0 && h > 0 && want > 0) {
		return c
	}
	if w > h*want {
		e := (w - h*want) / 2
		return draw.Crop(c, vg.Length(e), vg.Length(-e), 0, 0)
	}
	e := (h - w/want) / 2
	return draw.Crop(c, 0, 0, vg.Length(e), vg.Length(-e))
}
