package data

import (
	"bytes"
	"errors"
	"math"
	"testing"

	"gorgonia.org/tensor"
)

func TestWriteCSV(t *testing.T) {
	for _, test := range []struct {
		name   string
		in     *tensor.Dense
		header []string
		want   string
	}{
		{"float64", tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float64{1, 0.1, -2.5e-7, 3})), nil, "1,0.1\n-2.5e-07,3\n"},
		{"float32 shortest", tensor.New(tensor.WithShape(1, 2), tensor.WithBacking([]float32{0.1, 1.5})), nil, "0.1,1.5\n"},
		{"header", tensor.New(tensor.WithShape(1, 2), tensor.WithBacking([]float64{1, 2})), []string{"x", "y"}, "x,y\n1,2\n"},
	} {
		var buf bytes.Buffer
		if err := WriteCSV(&buf, test.in, test.header); err != nil {
			t.Errorf("%s: %v", test.name, err)
			continue
		}
		if buf.String() != test.want {
			t.Errorf("%s: wrote %q, want %q", test.name, buf.String(), test.want)
		}
	}
}

func TestWriteCSVRoundTrip(t *testing.T) {
	x, _, err := MakeMoons(50, 0.1, 9)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteCSV(&buf, x, []string{"x", "y"}); err != nil {
		t.Fatal(err)
	}
	got, err := ReadCSV(&buf, "round trip")
	if err != nil {
		t.Fatal(err)
	}
	if !got.Shape().Eq(x.Shape()) || !equalFloats(got.Data().([]float64), x.Data().([]float64)) {
		t.Error("round trip changed the table")
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteCSVErrors(t *testing.T) {
	two := tensor.New(tensor.WithShape(1, 2), tensor.WithBacking([]float64{1, 2}))
	for _, test := range []struct {
		name   string
		in     *tensor.Dense
		header []string
		want   string
	}{
		{"nil", nil, nil, "nil tensor"},
		{"1-D", tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{1, 2})), nil, "shape (2), want [N, D]"},
		{"int", tensor.New(tensor.WithShape(1, 2), tensor.WithBacking([]int{1, 2})), nil, "dtype int"},
		{"header length", two, []string{"x"}, "1 header names"},
		{"numeric header", two, []string{"x", "2"}, `header name 2 "2": parses as a number`},
		{"comma header", two, []string{"a,b", "c"}, "contains a comma"},
		{"NaN", tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float64{1, 2, 3, math.NaN()})), nil, "row 2, column 2"},
	} {
		err := WriteCSV(&bytes.Buffer{}, test.in, test.header)
		checkErr(t, err, test.want)
	}
	checkErr(t, WriteCSV(failingWriter{}, two, nil), "disk full")
}
