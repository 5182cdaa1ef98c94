package plot

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"os"
)

// SideBySide writes to path one PNG figure holding the PNG figures at
// panels side by side, left to right and top-aligned, on a white
// background: its width is the sum of theirs, its height the largest. It is
// for comparing figures at a glance (a target density beside a fitted
// one). An unreadable or non-PNG panel is an error naming it.
func SideBySide(path string, panels ...string) error {
	if len(panels) == 0 {
		return fmt.Errorf("plot: SideBySide %s: no panels, expected at least one PNG file", path)
	}
	imgs := make([]image.Image, len(panels))
	w, h := 0, 0
	for i, p := range panels {
		f, err := os.Open(p)
		if err != nil {
			return fmt.Errorf("plot: panel %d: %w", i, err)
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil {
			return fmt.Errorf("plot: panel %d, %s: %w", i, p, err)
		}
		imgs[i] = img
		w += img.Bounds().Dx()
		h = max(h, img.Bounds().Dy())
	}
	out := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(out, out.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	x := 0
	for _, img := range imgs {
		b := img.Bounds()
		draw.Draw(out, image.Rect(x, 0, x+b.Dx(), b.Dy()), img, b.Min, draw.Over)
		x += b.Dx()
	}
	return writeFile(path, func(w io.Writer) error { return png.Encode(w, out) })
}
