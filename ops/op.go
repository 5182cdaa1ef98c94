package ops

import (
	"fmt"
	"hash"
	"hash/fnv"

	"github.com/chewxy/hm"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Float is the element type of a kernel.
type Float interface{ ~float32 | ~float64 }

// Kernel is the CPU implementation of a flow op. out has the op's inferred
// output size; ins[i] holds input i with shape shapes[i]. A kernel
// overwrites every element of out and allocates nothing.
type Kernel interface {
	Exec32(out []float32, ins [][]float32, shapes []tensor.Shape)
	Exec64(out []float64, ins [][]float64, shapes []tensor.Shape)
}

// FlowOp is a gorgonia op that has a CPU kernel.
type FlowOp interface {
	gorgonia.SDOp
	Kernel
}

// base carries what every flow op shares: a name (String), an identity key
// hashed for common-subexpression merging, and the input and output ranks.
type base struct {
	name    string
	key     string
	inDims  []int // rank of each input (0 = scalar)
	outDims int
}

func newBase(name, key string, outDims int, inDims ...int) base {
	return base{name: name, key: name + "|" + key, inDims: inDims, outDims: outDims}
}

func (b *base) Arity() int { return len(b.inDims) }

func rankType(d int, a hm.TypeVariable) hm.Type {
	if d == 0 {
		return a
	}
	return gorgonia.TensorType{Dims: d, Of: a}
}

func (b *base) Type() hm.Type {
	a := hm.TypeVariable('a')
	ts := make([]hm.Type, 0, len(b.inDims)+1)
	for _, d := range b.inDims {
		ts = append(ts, rankType(d, a))
	}
	ts = append(ts, rankType(b.outDims, a))
	return hm.NewFnType(ts...)
}

func (b *base) ReturnsPtr() bool     { return false }
func (b *base) CallsExtern() bool    { return false }
func (b *base) OverwritesInput() int { return -1 }
func (b *base) WriteHash(h hash.Hash) {
	fmt.Fprint(h, b.key)
}
func (b *base) Hashcode() uint32 {
	h := fnv.New32a()
	b.WriteHash(h)
	return h.Sum32()
}
func (b *base) String() string { return b.name }

// Key is the op's full identity: its name and every parameter.
func (b *base) Key() string { return b.key }

func (b *base) diffAll(n int) []bool {
	r := make([]bool, n)
	for i := range r {
		r[i] = true
	}
	return r
}

// shapesOf returns the shapes of gorgonia dim sizers, or an error naming the op.
func shapesOf(name string, want int, ds []gorgonia.DimSizer) ([]tensor.Shape, error) {
	if len(ds) != want {
		return nil, fmt.Errorf("%s: %d inputs, expected %d", name, len(ds), want)
	}
	out := make([]tensor.Shape, len(ds))
	for i, d := range ds {
		s, ok := d.(tensor.Shape)
		if !ok {
			return nil, fmt.Errorf("%s: input %d has no shape", name, i)
		}
		out[i] = s
	}
	return out, nil
}

// shaper infers an op's output shape.
type shaper interface {
	InferShape(...gorgonia.DimSizer) (tensor.Shape, error)
}

// do runs a kernel the way Gorgonia's machines expect: it allocates the
// output from the inferred shape and calls the kernel.
func do(k interface {
	Kernel
	shaper
	String() string
}, vals []gorgonia.Value) (gorgonia.Value, error) {
	shapes := make([]tensor.Shape, len(vals))
	ds := make([]gorgonia.DimSizer, len(vals))
	var dt tensor.Dtype
	for i, v := range vals {
		if v == nil {
			return nil, fmt.Errorf("%s: input %d is nil", k, i)
		}
		shapes[i] = v.Shape().Clone()
		ds[i] = shapes[i]
		if i == 0 {
			dt = v.Dtype()
		} else if v.Dtype() != dt {
			return nil, fmt.Errorf("%s: input %d has dtype %v, expected %v", k, i, v.Dtype(), dt)
		}
	}
	outShape, err := k.InferShape(ds...)
	if err != nil {
		return nil, err
	}
	size := outShape.TotalSize()
	switch dt {
	case tensor.Float32:
		ins := make([][]float32, len(vals))
		for i, v := range vals {
			ins[i] = floats32(v)
		}
		out := make([]float32, size)
		k.Exec32(out, ins, shapes)
		if outShape.IsScalar() {
			return gorgonia.NewF32(out[0]), nil
		}
		return tensor.New(tensor.WithShape(outShape...), tensor.WithBacking(out)), nil
	case tensor.Float64:
		ins := make([][]float64, len(vals))
		for i, v := range vals {
			ins[i] = floats64(v)
		}
		out := make([]float64, size)
		k.Exec64(out, ins, shapes)
		if outShape.IsScalar() {
			return gorgonia.NewF64(out[0]), nil
		}
		return tensor.New(tensor.WithShape(outShape...), tensor.WithBacking(out)), nil
	}
	return nil, fmt.Errorf("%s: dtype %v, expected float32 or float64", k, dt)
}

func floats32(v gorgonia.Value) []float32 {
	switch x := v.(type) {
	case *tensor.Dense:
		return x.Float32s()
	case *gorgonia.F32:
		return []float32{float32(*x)}
	}
	panic(fmt.Sprintf("ops: unsupported value %T", v))
}

func floats64(v gorgonia.Value) []float64 {
	switch x := v.(type) {
	case *tensor.Dense:
		return x.Float64s()
	case *gorgonia.F64:
		return []float64{float64(*x)}
	}
	panic(fmt.Sprintf("ops: unsupported value %T", v))
}

// apply adds op to the graph of its inputs.
func apply(op gorgonia.Op, in ...*gorgonia.Node) (*gorgonia.Node, error) {
	return gorgonia.ApplyOp(op, in...)
}

// matrix checks that s is [rows, cols] with cols == wantCols (wantCols < 0: any).
func matrix(name string, i int, s tensor.Shape, wantCols int) error {
	if len(s) != 2 {
		return fmt.Errorf("%s: input %d has shape %v, expected a matrix", name, i, s)
	}
	if wantCols >= 0 && s[1] != wantCols {
		return fmt.Errorf("%s: input %d has shape %v, expected [N, %d]", name, i, s, wantCols)
	}
	return nil
}

func toT[T Float](xs []float64) []T {
	out := make([]T, len(xs))
	for i, x := range xs {
		out[i] = T(x)
	}
	return out
}

// DiffWRT is the default for gradient ops: not differentiable. Ops that
// have a gradient override it and SymDiff.
func (b *base) DiffWRT(n int) []bool { return make([]bool, n) }

// SymDiff is the default for gradient ops, which have no second derivative.
func (b *base) SymDiff(gorgonia.Nodes, *gorgonia.Node, *gorgonia.Node) (gorgonia.Nodes, error) {
	return nil, fmt.Errorf("%s: second derivatives are not supported", b.name)
}
