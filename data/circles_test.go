package data

import (
	"math"
	"strings"
	"testing"
)

func checkErr(t *testing.T, err error, want ...string) {
	t.Helper()
	if err == nil {
		t.Errorf("no error, want one containing %q", want)
		return
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not contain %q", err, w)
		}
	}
}

func TestMakeCirclesShapeAndLabels(t *testing.T) {
	for _, n := range []int{1, 2, 3, 10, 101, 1000} {
		x, labels, err := MakeCircles(n, 0.1, 0.5, 1)
		if err != nil {
			t.Fatalf("MakeCircles(%d): %v", n, err)
		}
		points(t, x, n)
		if len(labels) != n {
			t.Fatalf("MakeCircles(%d): %d labels, want %d", n, len(labels), n)
		}
		zeros, ones := countLabels(labels)
		if zeros != n/2 || ones != n-n/2 {
			t.Errorf("MakeCircles(%d): %d zeros and %d ones, want %d and %d", n, zeros, ones, n/2, n-n/2)
		}
	}
}

func TestMakeCirclesOnCurve(t *testing.T) {
	const (
		n      = 400
		factor = 0.3
		tol    = 1e-12
	)
	x, labels, err := MakeCircles(n, 0, factor, 5)
	if err != nil {
		t.Fatal(err)
	}
	xy := points(t, x, n)
	angles := make(map[float64]bool)
	for i, l := range labels {
		px, py := xy[2*i], xy[2*i+1]
		want := 1.0
		if l == 1 {
			want = factor
		}
		if r := math.Hypot(px, py); math.Abs(r-want) > tol {
			t.Errorf("point %d (%v, %v) with label %d has radius %v, want %v", i, px, py, l, r, want)
		}
		if l == 0 {
			angles[math.Round(math.Atan2(py, px)*1e9)] = true
		}
	}
	// endpoint=False: the n/2 outer angles are distinct, 0 is not repeated as 2π.
	if len(angles) != n/2 {
		t.Errorf("%d distinct outer angles, want %d", len(angles), n/2)
	}
}

func TestMakeCirclesMoments(t *testing.T) {
	const n = 10000
	x, _, err := MakeCircles(n, 0.05, 0.5, 3)
	if err != nil {
		t.Fatal(err)
	}
	xy := points(t, x, n)
	var mx, my, r2 float64
	for i := 0; i < n; i++ {
		mx += xy[2*i]
		my += xy[2*i+1]
		r2 += xy[2*i]*xy[2*i] + xy[2*i+1]*xy[2*i+1]
	}
	mx /= n
	my /= n
	r2 /= n
	if math.Abs(mx) > 0.005 || math.Abs(my) > 0.005 {
		t.Errorf("mean (%v, %v), want (0, 0) ± 0.005", mx, my)
	}
	// E|x|² = (1 + factor²)/2 + 2·noise².
	if want := (1+0.25)/2 + 2*0.05*0.05; math.Abs(r2-want) > 0.005 {
		t.Errorf("mean squared radius %v, want %v ± 0.005", r2, want)
	}
}

func TestMakeCirclesDeterminism(t *testing.T) {
	a, la, _ := MakeCircles(200, 0.1, 0.5, 42)
	b, lb, _ := MakeCircles(200, 0.1, 0.5, 42)
	c, lc, _ := MakeCircles(200, 0.1, 0.5, 43)
	if !equalFloats(a.Data().([]float64), b.Data().([]float64)) || !equalInts(la, lb) {
		t.Error("same seed gave different data")
	}
	if equalFloats(a.Data().([]float64), c.Data().([]float64)) || equalInts(la, lc) {
		t.Error("different seeds gave the same data")
	}
}

func TestMakeCirclesErrors(t *testing.T) {
	for _, test := range []struct {
		n             int
		noise, factor float64
		want          string
	}{
		{0, 0.1, 0.5, "n = 0"},
		{10, -1, 0.5, "noise = -1"},
		{10, math.NaN(), 0.5, "noise = NaN"},
		{10, 0.1, 1, "factor = 1"},
		{10, 0.1, -0.1, "factor = -0.1"},
		{10, 0.1, math.NaN(), "factor = NaN"},
	} {
		_, _, err := MakeCircles(test.n, test.noise, test.factor, 1)
		checkErr(t, err, test.want)
	}
}
