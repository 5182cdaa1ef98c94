package plot

import (
	"math"
	"strings"
	"testing"
)

func TestGridValidate(t *testing.T) {
	for _, test := range []struct {
		g    Grid
		want string // Empty for a valid grid.
	}{
		{Grid{-1, 1, -2, 2, 3, 4}, ""},
		{Grid{0, 1, 0, 1, 1, 1}, ""},
		{Grid{1, 1, 0, 1, 2, 2}, "XMin = 1, XMax = 1"},
		{Grid{2, 1, 0, 1, 2, 2}, "XMin = 2, XMax = 1"},
		{Grid{0, 1, 0, -1, 2, 2}, "YMin = 0, YMax = -1"},
		{Grid{0, 1, 0, 1, 0, 2}, "NX = 0, NY = 2"},
		{Grid{0, 1, 0, 1, 2, -1}, "NX = 2, NY = -1"},
		{Grid{math.NaN(), 1, 0, 1, 2, 2}, "must be finite"},
		{Grid{0, math.Inf(1), 0, 1, 2, 2}, "must be finite"},
		{Grid{-1e308, 1e308, -1, 1, 2, 2}, "x range [-1e+308, 1e+308] is +Inf wide"},
		{Grid{-1, 1, -1e308, 1e308, 2, 2}, "y range"},
		{Grid{-1e307, 1e307, -1, 1, 200, 200}, ""},
		{Grid{1e300, 1e300 * (1 + 1e-15), -1, 1, 200, 2}, "cells too narrow"},
	} {
		err := test.g.Validate()
		switch {
		case test.want == "" && err != nil:
			t.Errorf("%+v: unexpected error %v", test.g, err)
		case test.want != "" && err == nil:
			t.Errorf("%+v: no error, want %q", test.g, test.want)
		case test.want != "" && !strings.Contains(err.Error(), test.want):
			t.Errorf("%+v: error %q does not contain %q", test.g, err, test.want)
		}
	}
}

func TestGridPoints(t *testing.T) {
	g := Grid{XMin: 0, XMax: 3, YMin: -1, YMax: 1, NX: 3, NY: 2}
	pts := g.Points()
	if s := pts.Shape(); len(s) != 2 || s[0] != 6 || s[1] != 2 {
		t.Fatalf("shape %v, want [6 2]", s)
	}
	// x varies fastest: row iy·NX + ix.
	want := []float64{
		0.5, -0.5, 1.5, -0.5, 2.5, -0.5,
		0.5, 0.5, 1.5, 0.5, 2.5, 0.5,
	}
	got := pts.Data().([]float64)
	for i := range want {
		if math.Abs(got[i]-want[i]) > 1e-15 {
			t.Errorf("element %d = %v, want %v", i, got[i], want[i])
		}
	}
}

func TestGridPointsPanics(t *testing.T) {
	defer func() {
		if r := recover(); r == nil {
			t.Error("Points of an invalid grid did not panic")
		}
	}()
	Grid{0, 1, 0, 1, 0, 1}.Points()
}

func TestGridCellArea(t *testing.T) {
	g := Grid{XMin: -2, XMax: 2, YMin: 0, YMax: 1, NX: 8, NY: 5}
	if got, want := g.CellArea(), 0.5*0.2; math.Abs(got-want) > 1e-15 {
		t.Errorf("CellArea = %v, want %v", got, want)
	}
}

// stdNormalLogProb returns the log density of the standard bivariate normal
// at the points of g.
func stdNormalLogProb(g Grid) []float64 {
	pts := g.Points().Data().([]float64)
	lp := make([]float64, g.NX*g.NY)
	for i := range lp {
		x, y := pts[2*i], pts[2*i+1]
		lp[i] = -0.5*(x*x+y*y) - math.Log(2*math.Pi)
	}
	return lp
}

func TestGridMass(t *testing.T) {
	g := Grid{XMin: -6, XMax: 6, YMin: -6, YMax: 6, NX: 200, NY: 200}
	lp := stdNormalLogProb(g)
	mass, bad := g.Mass(lp)
	if math.Abs(mass-1) > 1e-3 || bad != 0 {
		t.Errorf("Mass of a standard normal = %v with %d non-finite, want 1 ± 1e-3 with 0", mass, bad)
	}

	// Non-finite values are skipped and counted.
	lp[0], lp[1], lp[2] = math.NaN(), math.Inf(-1), math.Inf(1)
	mass2, bad := g.Mass(lp)
	if bad != 3 {
		t.Errorf("%d non-finite values counted, want 3", bad)
	}
	if math.Abs(mass2-mass) > 1e-12 {
		t.Errorf("Mass with corner cells skipped = %v, want %v", mass2, mass)
	}
}

func TestGridMassPanics(t *testing.T) {
	defer func() {
		r := recover()
		if r == nil || !strings.Contains(r.(string), "len(logProb) = 3, want NX·NY = 4") {
			t.Errorf("Mass with the wrong length: recovered %v, want a length panic", r)
		}
	}()
	Grid{0, 1, 0, 1, 2, 2}.Mass([]float64{1, 2, 3})
}
