package plot

import (
	"math"
	"path/filepath"
	"testing"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// heatRect returns the pixel bounds of Density's heat map in a w×h image,
// laid out as Density lays it out.
func heatRect(t *testing.T, w, h int, g Grid, lp []float64) (x0, y0, x1, y1 float64) {
	t.Helper()
	var r vg.Rectangle
	err := render(newCanvas(w, h), func(c draw.Canvas) error {
		var err error
		r, err = drawDensity(c, "t", g, lp)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	// Image rows run downwards, canvas y upwards.
	return r.Min.X.Dots(dpi), float64(h) - r.Max.Y.Dots(dpi), r.Max.X.Dots(dpi), float64(h) - r.Min.Y.Dots(dpi)
}

func TestDensityBump(t *testing.T) {
	const w, h = 600, 500
	g := Grid{XMin: -3, XMax: 3, YMin: -3, YMax: 3, NX: 100, NY: 100}
	lp := stdNormalLogProb(g)
	path := filepath.Join(t.TempDir(), "density.png")
	if err := Density(path, "standard normal", g, lp, WithSize(w, h)); err != nil {
		t.Fatal(err)
	}
	img := readPNG(t, path, w, h)

	x0, y0, x1, y1 := heatRect(t, w, h, g, lp)
	if x1-x0 < 0.5*w || y1-y0 < 0.5*h {
		t.Fatalf("heat map covers pixels [%.0f, %.0f]×[%.0f, %.0f], want most of the image", x0, x1, y0, y1)
	}
	// lum returns the luminance at the fractions fx and fy of the heat map's
	// width and height, from its top left corner.
	lum := func(fx, fy float64) float64 {
		return luminance(img, int(x0+fx*(x1-x0)), int(y0+fy*(y1-y0)))
	}
	centre := lum(0.5, 0.5)
	for _, corner := range [][2]float64{{0.05, 0.05}, {0.95, 0.05}, {0.05, 0.95}, {0.95, 0.95}} {
		if l := lum(corner[0], corner[1]); !(centre > l+0.3) {
			t.Errorf("luminance at the centre %.3f, at %v of the heat map %.3f: want the centre brighter", centre, corner, l)
		}
	}
	// Halfway out is between the two.
	if mid := lum(0.5+0.25/3, 0.5); !(mid < centre && mid > lum(0.05, 0.5)) {
		t.Errorf("luminance at x = 0.5 is %.3f, want between the edge and the centre", mid)
	}
}

func TestDensityNonFinite(t *testing.T) {
	const w, h = 400, 400
	// Left half of the grid has density one, the right half NaN and +Inf,
	// which are drawn as zero: dark.
	g := Grid{XMin: 0, XMax: 4, YMin: 0, YMax: 1, NX: 4, NY: 1}
	lp := []float64{0, 0, math.NaN(), math.Inf(1)}
	path := filepath.Join(t.TempDir(), "nonfinite.png")
	if err := Density(path, "", g, lp, WithSize(w, h)); err != nil {
		t.Fatal(err)
	}
	img := readPNG(t, path, w, h)
	x0, y0, x1, y1 := heatRect(t, w, h, g, lp)
	ym := int((y0 + y1) / 2)
	lum := func(fx float64) float64 { return luminance(img, int(x0+fx*(x1-x0)), ym) }
	for _, fx := range []float64{0.125, 0.375} {
		if l := lum(fx); !(l > 0.6) {
			t.Errorf("luminance %.3f at %v of the width, where the density is 1: want bright", l, fx)
		}
	}
	for _, fx := range []float64{0.625, 0.875} {
		if l := lum(fx); !(l < 0.1) {
			t.Errorf("luminance %.3f at %v of the width, where logProb is not finite: want dark", l, fx)
		}
	}

	// All non-finite still draws.
	if err := Density(path, "", g, []float64{math.Inf(1), math.Inf(-1), math.NaN(), math.Inf(1)}); err != nil {
		t.Errorf("all non-finite: %v", err)
	}
}

func TestDensityErrors(t *testing.T) {
	g := Grid{XMin: -1, XMax: 1, YMin: -1, YMax: 1, NX: 4, NY: 3}
	lp := make([]float64, 12)
	for _, test := range []struct {
		name string
		g    Grid
		lp   []float64
		opts []Option
		path string
		want []string
	}{
		{"short logProb", g, lp[:11], nil, "", []string{"len(logProb) = 11", "4·3 = 12"}},
		{"empty logProb", g, nil, nil, "", []string{"len(logProb) = 0"}},
		{"bad grid", Grid{XMin: 1, XMax: -1, YMin: -1, YMax: 1, NX: 4, NY: 3}, lp, nil, "", []string{"XMin = 1, XMax = -1"}},
		{"bad size", g, lp, []Option{WithSize(600, 0)}, "", []string{"WithSize(600, 0)"}},
		{"unwritable", g, lp, nil, unwritable(t), []string{"missing"}},
	} {
		path := test.path
		if path == "" {
			path = filepath.Join(t.TempDir(), "out.png")
		}
		checkErr(t, test.name, Density(path, "t", test.g, test.lp, test.opts...), test.want...)
	}
}
