package plot

import (
	"math"
	"path/filepath"
	"testing"
)

func TestLoss(t *testing.T) {
	long := make([]float64, 100)
	for i := range long {
		long[i] = 3*math.Exp(-float64(i)/20) + 1
	}
	for _, test := range []struct {
		name       string
		train, val []float64
	}{
		{"train only", []float64{3, 2.5, 2.2, 2.1}, nil},
		{"with validation", []float64{3, 2.5, 2.2, 2.1}, []float64{3.1, 2.7, 2.4, 2.4}},
		{"one epoch", []float64{1.5}, []float64{1.6}},
		{"long", long, long[:80]},
	} {
		path := filepath.Join(t.TempDir(), "loss.png")
		if err := Loss(path, test.name, test.train, test.val); err != nil {
			t.Errorf("%s: %v", test.name, err)
			continue
		}
		readPNG(t, path, defaultWidth, defaultHeight)
	}
	path := filepath.Join(t.TempDir(), "loss.png")
	if err := Loss(path, "sized", []float64{2, 1}, nil, WithSize(800, 300)); err != nil {
		t.Fatal(err)
	}
	readPNG(t, path, 800, 300)
}

func TestLossErrors(t *testing.T) {
	for _, test := range []struct {
		name       string
		train, val []float64
		opts       []Option
		path       string
		want       []string
	}{
		{"no epochs", nil, []float64{1}, nil, "", []string{"empty training loss"}},
		{"NaN train", []float64{1, math.NaN()}, nil, nil, "", []string{"train[1] = NaN"}},
		{"Inf val", []float64{1, 2}, []float64{math.Inf(1)}, nil, "", []string{"val[0] = +Inf"}},
		{"bad size", []float64{1}, nil, []Option{WithSize(1, 1)}, "", []string{"WithSize(1, 1)"}},
		{"unwritable", []float64{1, 2}, nil, nil, unwritable(t), []string{"missing"}},
	} {
		path := test.path
		if path == "" {
			path = filepath.Join(t.TempDir(), "out.png")
		}
		checkErr(t, test.name, Loss(path, "t", test.train, test.val, test.opts...), test.want...)
	}
}
