package plot

import (
	"image/color"
	"math"
	"path/filepath"
	"testing"

	"gorgonia.org/tensor"
)

// ring returns n points on the unit circle as a float64 Dense of shape [n, 2].
func ring(n int) *tensor.Dense {
	xy := make([]float64, 2*n)
	for i := 0; i < n; i++ {
		a := 2 * math.Pi * float64(i) / float64(n)
		xy[2*i], xy[2*i+1] = math.Cos(a), math.Sin(a)
	}
	return tensor.New(tensor.WithShape(n, 2), tensor.WithBacking(xy))
}

func TestScatter(t *testing.T) {
	f32 := tensor.New(tensor.WithShape(3, 2), tensor.WithBacking([]float32{0, 0, 1, 1, 2, 0.5}))
	for _, test := range []struct {
		name string
		pts  *tensor.Dense
		opts []Option
		w, h int
	}{
		{"float64", ring(500), nil, 600, 600},
		{"float32", f32, nil, 600, 600},
		{"one point", tensor.New(tensor.WithShape(1, 2), tensor.WithBacking([]float64{3, 3})), nil, 600, 600},
		{"options", ring(100), []Option{WithSize(400, 300), WithRange(-2, 2, -2, 2), WithColor(color.RGBA{R: 200, A: 255})}, 400, 300},
	} {
		path := filepath.Join(t.TempDir(), "scatter.png")
		if err := Scatter(path, test.pts, test.name, test.opts...); err != nil {
			t.Errorf("%s: %v", test.name, err)
			continue
		}
		readPNG(t, path, test.w, test.h)
	}
}

func TestScatterLabels(t *testing.T) {
	pts := ring(300)
	labels := make([]int, 300)
	for i := range labels {
		labels[i] = i % 3
	}
	path := filepath.Join(t.TempDir(), "labels.png")
	if err := ScatterLabels(path, pts, labels, "three labels", WithSize(500, 400)); err != nil {
		t.Fatal(err)
	}
	readPNG(t, path, 500, 400)
}

func TestScatterErrors(t *testing.T) {
	good := ring(10)
	for _, test := range []struct {
		name string
		pts  *tensor.Dense
		opts []Option
		path string
		want []string
	}{
		{"nil", nil, nil, "", []string{"nil points tensor"}},
		{"three columns", tensor.New(tensor.WithShape(2, 3), tensor.WithBacking(make([]float64, 6))), nil, "", []string{"shape (2, 3), want [N, 2]"}},
		{"one-dimensional", tensor.New(tensor.WithShape(4), tensor.WithBacking(make([]float64, 4))), nil, "", []string{"shape (4), want [N, 2]"}},
		{"int", tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]int{1, 2, 3, 4})), nil, "", []string{"dtype int, want float32 or float64"}},
		{"NaN", tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float64{1, 2, math.NaN(), 4})), nil, "", []string{"point 1 is (NaN, 4)"}},
		{"small", good, []Option{WithSize(10, 600)}, "", []string{"WithSize(10, 600)"}},
		{"empty range", good, []Option{WithRange(1, 1, 0, 1)}, "", []string{"WithRange(1, 1, 0, 1)", "xmin < xmax"}},
		{"infinite range", good, []Option{WithRange(0, math.Inf(1), 0, 1)}, "", []string{"finite"}},
		{"nil colour", good, []Option{WithColor(nil)}, "", []string{"WithColor(nil)"}},
		{"unwritable", good, nil, unwritable(t), []string{"missing"}},
	} {
		path := test.path
		if path == "" {
			path = filepath.Join(t.TempDir(), "out.png")
		}
		checkErr(t, test.name, Scatter(path, test.pts, "t", test.opts...), test.want...)
		labels := make([]int, 10)
		if test.pts != nil && test.pts.Dims() > 0 {
			labels = make([]int, test.pts.Shape()[0])
		}
		checkErr(t, test.name+" (labels)", ScatterLabels(path, test.pts, labels, "t", test.opts...), test.want...)
	}
	checkErr(t, "label count", ScatterLabels(filepath.Join(t.TempDir(), "out.png"), good, []int{0, 1}, "t"), "2 labels for 10 points")
}
