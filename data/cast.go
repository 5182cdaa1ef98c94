package data

import (
	"fmt"

	"gorgonia.org/tensor"
)

// Cast returns a copy of t with elements of dtype dt, which must be
// tensor.Float32 or tensor.Float64. t must be a float32 or float64 Dense; it
// may be a view or a transpose, in which case the copy is laid out in the
// row-major order of t's shape. Converting float64 to float32 rounds to
// nearest; converting float32 to float64 is exact. The copy never shares
// memory with t, even when dt is t's dtype.
//
// Cast returns an error if t is nil, if t's dtype or dt is not one of
// tensor.Float32 and tensor.Float64, or if t is a scalar.
func Cast(t *tensor.Dense, dt tensor.Dtype) (*tensor.Dense, error) {
	if t == nil {
		return nil, fmt.Errorf("data: Cast: nil tensor")
	}
	if dt != tensor.Float32 && dt != tensor.Float64 {
		return nil, fmt.Errorf("data: Cast: target dtype %v, want float32 or float64", dt)
	}
	if t.IsScalar() {
		return nil, fmt.Errorf("data: Cast: scalar tensor of shape %v, want at least one dimension", t.Shape())
	}
	shape := t.Shape().Clone()
	switch src := rowMajor(t).(type) {
	case []float64:
		if dt == tensor.Float64 {
			return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(append([]float64(nil), src...))), nil
		}
		dst := make([]float32, len(src))
		for i, v := range src {
			dst[i] = float32(v)
		}
		return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(dst)), nil
	case []float32:
		if dt == tensor.Float32 {
			return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(append([]float32(nil), src...))), nil
		}
		dst := make([]float64, len(src))
		for i, v := range src {
			dst[i] = float64(v)
		}
		return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(dst)), nil
	default:
		return nil, fmt.Errorf("data: Cast: tensor dtype %v, want float32 or float64", t.Dtype())
	}
}

// rowMajor returns the elements of the non-scalar t in the row-major order of
// its shape, as a []float32, a []float64 or, for other dtypes, whatever
// t.Data returns. Views and transposes are materialized first; the result
// may share memory with t and must not be modified.
func rowMajor(t *tensor.Dense) any {
	if t.IsMaterializable() {
		t = t.Materialize().(*tensor.Dense)
	}
	n := t.Shape().TotalSize()
	switch v := t.Data().(type) {
	case []float64:
		return v[:n]
	case []float32:
		return v[:n]
	default:
		return v
	}
}
