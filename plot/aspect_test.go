package plot

import (
	"math"
	"testing"
)

// TestDensityEqualAspect checks that the heat map's pixel width over its
// pixel height is the data range's width over its height, for ranges wider
// and taller than the canvas.
func TestDensityEqualAspect(t *testing.T) {
	for _, c := range []struct {
		w, h                   int
		xmin, xmax, ymin, ymax float64
	}{
		{600, 600, -4, 4, -1, 1},
		{600, 600, -1, 1, -3, 3},
		{800, 400, -2.5, 2.5, -2.5, 2.5},
	} {
		g := Grid{XMin: c.xmin, XMax: c.xmax, YMin: c.ymin, YMax: c.ymax, NX: 10, NY: 10}
		x0, y0, x1, y1 := heatRect(t, c.w, c.h, g, make([]float64, 100))
		got, want := (x1-x0)/(y1-y0), (c.xmax-c.xmin)/(c.ymax-c.ymin)
		if math.Abs(got-want) > 0.02*want {
			t.Errorf("%dx%d canvas, range %v..%v × %v..%v: heat map %.0fx%.0f px, aspect %.3f, want %.3f",
				c.w, c.h, c.xmin, c.xmax, c.ymin, c.ymax, x1-x0, y1-y0, got, want)
		}
	}
}
