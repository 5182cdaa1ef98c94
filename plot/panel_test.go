package plot

import (
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeSolid(t *testing.T, path string, w, h int, c color.Color) {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, c)
		}
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
}

// TestSideBySide tiles a red 3×2 and a blue 4×5 figure: the panel is 7×5,
// red on the left, blue on the right, white below the shorter one.
func TestSideBySide(t *testing.T) {
	dir := t.TempDir()
	a, b, out := filepath.Join(dir, "a.png"), filepath.Join(dir, "b.png"), filepath.Join(dir, "ab.png")
	red, blue := color.RGBA{255, 0, 0, 255}, color.RGBA{0, 0, 255, 255}
	writeSolid(t, a, 3, 2, red)
	writeSolid(t, b, 4, 5, blue)
	if err := SideBySide(out, a, b); err != nil {
		t.Fatal(err)
	}
	img := readPNG(t, out, 7, 5)
	same := func(x, y int, want color.Color) {
		r, g, bl, al := img.At(x, y).RGBA()
		wr, wg, wb, wa := want.RGBA()
		if r != wr || g != wg || bl != wb || al != wa {
			t.Errorf("pixel (%d, %d) = %v, want %v", x, y, img.At(x, y), want)
		}
	}
	same(0, 0, red)
	same(2, 1, red)
	same(1, 4, color.White)
	same(3, 0, blue)
	same(6, 4, blue)
}

func TestSideBySideErrors(t *testing.T) {
	dir := t.TempDir()
	notPNG := filepath.Join(dir, "x.png")
	if err := os.WriteFile(notPNG, []byte("not a png"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		panels []string
		want   string
	}{
		{nil, "no panels"},
		{[]string{filepath.Join(dir, "missing.png")}, "panel 0"},
		{[]string{notPNG}, "x.png"},
	} {
		err := SideBySide(filepath.Join(dir, "out.png"), c.panels...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("SideBySide(%v) = %v, want an error containing %q", c.panels, err, c.want)
		}
	}
}
