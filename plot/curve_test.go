package plot

import (
	"math"
	"path/filepath"
	"testing"
)

func TestCurve(t *testing.T) {
	path := filepath.Join(t.TempDir(), "curve.png")
	if err := Curve(path, "elbo", "step", "ELBO (nats)", []float64{10, 20, 30}, []float64{-3, -1, -0.5}); err != nil {
		t.Fatal(err)
	}
	readPNG(t, path, defaultWidth, defaultHeight)
	for _, bad := range []struct{ x, y []float64 }{{nil, nil}, {[]float64{1}, []float64{1, 2}}, {[]float64{1, 2}, []float64{1, math.NaN()}}} {
		if err := Curve(path, "bad", "x", "y", bad.x, bad.y); err == nil {
			t.Errorf("x %v, y %v: no error", bad.x, bad.y)
		}
	}
}
