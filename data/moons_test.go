package data

import (
	"math"
	"testing"

	"gorgonia.org/tensor"
)

// points returns the float64 backing of a [n, 2] Dense, failing the test if
// the shape or dtype is wrong.
func points(t *testing.T, x *tensor.Dense, n int) []float64 {
	t.Helper()
	if got := x.Shape(); len(got) != 2 || got[0] != n || got[1] != 2 {
		t.Fatalf("shape %v, want [%d 2]", got, n)
	}
	if x.Dtype() != tensor.Float64 {
		t.Fatalf("dtype %v, want float64", x.Dtype())
	}
	return x.Data().([]float64)
}

func countLabels(labels []int) (zeros, ones int) {
	for _, l := range labels {
		switch l {
		case 0:
			zeros++
		case 1:
			ones++
		}
	}
	return zeros, ones
}

func TestMakeMoonsShapeAndLabels(t *testing.T) {
	for _, n := range []int{1, 2, 3, 10, 101, 1000} {
		x, labels, err := MakeMoons(n, 0.1, 1)
		if err != nil {
			t.Fatalf("MakeMoons(%d): %v", n, err)
		}
		points(t, x, n)
		if len(labels) != n {
			t.Fatalf("MakeMoons(%d): %d labels, want %d", n, len(labels), n)
		}
		zeros, ones := countLabels(labels)
		if zeros != n/2 || ones != n-n/2 {
			t.Errorf("MakeMoons(%d): %d zeros and %d ones, want %d and %d", n, zeros, ones, n/2, n-n/2)
		}
	}
}

func TestMakeMoonsOnCurve(t *testing.T) {
	const n = 501
	x, labels, err := MakeMoons(n, 0, 7)
	if err != nil {
		t.Fatal(err)
	}
	xy := points(t, x, n)
	const tol = 1e-12
	xmin, xmax := math.Inf(1), math.Inf(-1)
	ymin, ymax := math.Inf(1), math.Inf(-1)
	for i, l := range labels {
		px, py := xy[2*i], xy[2*i+1]
		xmin, xmax = math.Min(xmin, px), math.Max(xmax, px)
		ymin, ymax = math.Min(ymin, py), math.Max(ymax, py)
		if px < -1-tol || px > 2+tol || py < -0.5-tol || py > 1+tol {
			t.Errorf("point %d (%v, %v) outside [-1, 2]×[-0.5, 1]", i, px, py)
		}
		var r float64
		switch l {
		case 0:
			r = math.Hypot(px, py)
			if py < -tol {
				t.Errorf("outer point %d (%v, %v) below y = 0", i, px, py)
			}
		case 1:
			r = math.Hypot(px-1, py-0.5)
			if py > 0.5+tol {
				t.Errorf("inner point %d (%v, %v) above y = 0.5", i, px, py)
			}
		default:
			t.Fatalf("label %d = %d, want 0 or 1", i, l)
		}
		if math.Abs(r-1) > tol {
			t.Errorf("point %d (%v, %v) with label %d is %v from its centre, want 1", i, px, py, l, r)
		}
	}
	// The end points t = 0 and t = π reach x = -1 and x = 2 exactly; the
	// peaks of the moons at y = 1 and y = -1/2 are reached to O(1/n²).
	for _, test := range []struct {
		name      string
		got, want float64
		tol       float64
	}{
		{"min x", xmin, -1, tol},
		{"max x", xmax, 2, tol},
		{"min y", ymin, -0.5, 1e-4},
		{"max y", ymax, 1, 1e-4},
	} {
		if math.Abs(test.got-test.want) > test.tol {
			t.Errorf("%s = %v, want %v", test.name, test.got, test.want)
		}
	}
}

func TestMakeMoonsMoments(t *testing.T) {
	const n = 10000
	x, _, err := MakeMoons(n, 0.05, 3)
	if err != nil {
		t.Fatal(err)
	}
	xy := points(t, x, n)
	var mx, my float64
	for i := 0; i < n; i++ {
		mx += xy[2*i]
		my += xy[2*i+1]
	}
	mx /= n
	my /= n
	// The noise adds a standard error of 0.05/√n = 5e-4 to each mean; the
	// noise-free means are 1/2 and 1/4 up to O(1/n).
	if math.Abs(mx-0.5) > 0.005 {
		t.Errorf("mean x = %v, want 0.5 ± 0.005", mx)
	}
	if math.Abs(my-0.25) > 0.005 {
		t.Errorf("mean y = %v, want 0.25 ± 0.005", my)
	}
}

func TestMakeMoonsDeterminism(t *testing.T) {
	a, la, _ := MakeMoons(200, 0.1, 42)
	b, lb, _ := MakeMoons(200, 0.1, 42)
	c, lc, _ := MakeMoons(200, 0.1, 43)
	if !equalFloats(a.Data().([]float64), b.Data().([]float64)) || !equalInts(la, lb) {
		t.Error("same seed gave different data")
	}
	if equalFloats(a.Data().([]float64), c.Data().([]float64)) || equalInts(la, lc) {
		t.Error("different seeds gave the same data")
	}
}

func TestMakeMoonsErrors(t *testing.T) {
	for _, test := range []struct {
		n     int
		noise float64
		want  string
	}{
		{0, 0.1, "n = 0"},
		{-3, 0.1, "n = -3"},
		{10, -0.1, "noise = -0.1"},
		{10, math.NaN(), "noise = NaN"},
		{10, math.Inf(1), "noise = +Inf"},
	} {
		_, _, err := MakeMoons(test.n, test.noise, 1)
		checkErr(t, err, test.want)
	}
}

func equalFloats(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
