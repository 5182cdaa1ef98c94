package data

import (
	"testing"

	"gorgonia.org/tensor"
)

func TestCast(t *testing.T) {
	f64 := tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]float64{1, 2.5, -3, 0.1, 5, 6}))
	f32 := tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]float32{1, 2.5, -3, 0.1, 5, 6}))
	for _, test := range []struct {
		name string
		in   *tensor.Dense
		dt   tensor.Dtype
		want any
	}{
		{"f64 to f32", f64, tensor.Float32, []float32{1, 2.5, -3, 0.1, 5, 6}},
		{"f64 to f64", f64, tensor.Float64, []float64{1, 2.5, -3, 0.1, 5, 6}},
		{"f32 to f64", f32, tensor.Float64, []float64{1, 2.5, -3, float64(float32(0.1)), 5, 6}},
		{"f32 to f32", f32, tensor.Float32, []float32{1, 2.5, -3, 0.1, 5, 6}},
	} {
		got, err := Cast(test.in, test.dt)
		if err != nil {
			t.Errorf("%s: %v", test.name, err)
			continue
		}
		if got.Dtype() != test.dt {
			t.Errorf("%s: dtype %v, want %v", test.name, got.Dtype(), test.dt)
		}
		if !got.Shape().Eq(test.in.Shape()) {
			t.Errorf("%s: shape %v, want %v", test.name, got.Shape(), test.in.Shape())
		}
		switch want := test.want.(type) {
		case []float32:
			g := got.Data().([]float32)
			for i := range want {
				if g[i] != want[i] {
					t.Errorf("%s: element %d = %v, want %v", test.name, i, g[i], want[i])
				}
			}
			g[0] = 100
		case []float64:
			g := got.Data().([]float64)
			for i := range want {
				if g[i] != want[i] {
					t.Errorf("%s: element %d = %v, want %v", test.name, i, g[i], want[i])
				}
			}
			g[0] = 100
		}
	}
	// Writing to the copies must not have touched the inputs.
	if f64.Data().([]float64)[0] != 1 || f32.Data().([]float32)[0] != 1 {
		t.Error("Cast result shares memory with its input")
	}
}

func TestCastTranspose(t *testing.T) {
	x := tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]float64{1, 2, 3, 4, 5, 6}))
	if err := x.T(); err != nil {
		t.Fatal(err)
	}
	got, err := Cast(x, tensor.Float32)
	if err != nil {
		t.Fatal(err)
	}
	want := []float32{1, 4, 2, 5, 3, 6}
	if !got.Shape().Eq(tensor.Shape{3, 2}) {
		t.Fatalf("shape %v, want [3 2]", got.Shape())
	}
	for i, v := range got.Data().([]float32) {
		if v != want[i] {
			t.Errorf("element %d = %v, want %v", i, v, want[i])
		}
	}
}

func TestCastSliceView(t *testing.T) {
	x := tensor.New(tensor.WithShape(4, 2), tensor.WithBacking([]float64{1, 2, 3, 4, 5, 6, 7, 8}))
	v, err := x.Slice(tensor.S(1, 3))
	if err != nil {
		t.Fatal(err)
	}
	got, err := Cast(v.(*tensor.Dense), tensor.Float64)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Shape().Eq(tensor.Shape{2, 2}) || !equalFloats(got.Data().([]float64), []float64{3, 4, 5, 6}) {
		t.Errorf("Cast of rows 1:3 = %v %v, want (2, 2) [3 4 5 6]", got.Shape(), got.Data())
	}
}

func TestCastErrors(t *testing.T) {
	ints := tensor.New(tensor.WithShape(2), tensor.WithBacking([]int{1, 2}))
	f64 := tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{1, 2}))
	for _, test := range []struct {
		name string
		in   *tensor.Dense
		dt   tensor.Dtype
		want string
	}{
		{"nil", nil, tensor.Float64, "nil tensor"},
		{"int input", ints, tensor.Float64, "tensor dtype int"},
		{"int target", f64, tensor.Int, "target dtype int"},
		{"scalar", tensor.New(tensor.FromScalar(1.0)), tensor.Float32, "scalar"},
	} {
		_, err := Cast(test.in, test.dt)
		checkErr(t, err, test.want)
	}
}
