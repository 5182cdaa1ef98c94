package plot

import (
	"fmt"
	"image/color"
	"io"

	"github.com/nflowgo/nflow/internal/outfile"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// dpi is the resolution at which figures are rendered.
const dpi = 96

// newCanvas returns a white image canvas of w×h pixels.
func newCanvas(w, h int) *vgimg.Canvas {
	return vgimg.NewWith(
		vgimg.UseWH(pixels(w), pixels(h)),
		vgimg.UseDPI(dpi),
		vgimg.UseBackgroundColor(color.White),
	)
}

// pixels returns the length of n pixels at dpi.
func pixels(n int) vg.Length {
	return vg.Length(n) * vg.Inch / dpi
}

// savePNG renders a w×h pixel figure with paint and writes it to path as a
// PNG file. A panic inside gonum/plot while painting is returned as an error
// rather than propagated; the inputs are checked before this point, so such
// a panic would be a bug here or there, not a misuse by the caller.
func savePNG(path string, w, h int, paint func(draw.Canvas) error) (err error) {
	c := newCanvas(w, h)
	if err := render(c, paint); err != nil {
		return err
	}
	return writeFile(path, func(w io.Writer) error {
		_, err := (vgimg.PngCanvas{Canvas: c}).WriteTo(w)
		return err
	})
}

// writeFile writes a figure to path through outfile (checked first, then a
// temporary file renamed over it).
func writeFile(path string, write func(io.Writer) error) error {
	t, err := outfile.Check(path)
	if err != nil {
		return fmt.Errorf("plot: %w", err)
	}
	if err := t.Write(write); err != nil {
		return fmt.Errorf("plot: %w", err)
	}
	return nil
}

// margin is the blank border left around every figure.
const margin vg.Length = 8

// render calls paint on c less a margin on every side, turning a panic into
// an error.
func render(c *vgimg.Canvas, paint func(draw.Canvas) error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("plot: rendering failed: %v", r)
		}
	}()
	return paint(draw.Crop(draw.New(c), margin, -margin, margin, -margin))
}
