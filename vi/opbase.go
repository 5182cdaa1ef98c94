package vi

import (
	"fmt"
	"hash"
	"hash/fnv"

	"github.com/chewxy/hm"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// kernel is the CPU implementation an engine program calls (ops.Kernel).
type kernel interface {
	Exec32(out []float32, ins [][]float32, shapes []tensor.Shape)
	Exec64(out []float64, ins [][]float64, shapes []tensor.Shape)
}

// opBase carries what vi's gorgonia ops share: a name, an identity key
// (unique per op instance: these ops hold state, so two of them must
// never be merged as common subexpressions) and the ranks of the inputs
// and the output.
type opBase struct {
	name    string
	inDims  []int
	outDims int
}

func (b *opBase) Arity() int { return len(b.inDims) }

func (b *opBase) Type() hm.Type {
	a := hm.TypeVariable('a')
	rank := func(d int) hm.Type {
		if d == 0 {
			return a
		}
		return gorgonia.TensorType{Dims: d, Of: a}
	}
	ts := make([]hm.Type, 0, len(b.inDims)+1)
	for _, d := range b.inDims {
		ts = append(ts, rank(d))
	}
	return hm.NewFnType(append(ts, rank(b.outDims))...)
}

func (b *opBase) ReturnsPtr() bool      { return false }
func (b *opBase) CallsExtern() bool     { return false }
func (b *opBase) OverwritesInput() int  { return -1 }
func (b *opBase) WriteHash(h hash.Hash) { fmt.Fprintf(h, "%s|%p", b.name, b) }
func (b *opBase) Hashcode() uint32 {
	h := fnv.New32a()
	b.WriteHash(h)
	return h.Sum32()
}
func (b *opBase) String() string { return b.name }

// shapes returns the tensor shapes of gorgonia's dim sizers.
func shapes(name string, want int, ds []gorgonia.DimSizer) ([]tensor.Shape, error) {
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

// doKernel runs k the way Gorgonia's TapeMachine expects (Op.Do): it
// allocates the output of shape out and calls the kernel.
func doKernel(k kernel, name string, out tensor.Shape, vals []gorgonia.Value) (gorgonia.Value, error) {
	ss := make([]tensor.Shape, len(vals))
	for i, v := range vals {
		if v == nil {
			return nil, fmt.Errorf("%s: input %d is nil", name, i)
		}
		ss[i] = v.Shape().Clone()
	}
	switch vals[0].Dtype() {
	case tensor.Float32:
		ins := make([][]float32, len(vals))
		for i, v := range vals {
			switch x := v.(type) {
			case *tensor.Dense:
				ins[i] = x.Float32s()
			case *gorgonia.F32:
				ins[i] = []float32{float32(*x)}
			default:
				return nil, fmt.Errorf("%s: input %d is %T, expected a float32 tensor", name, i, v)
			}
		}
		o := make([]float32, out.TotalSize())
		k.Exec32(o, ins, ss)
		if out.IsScalar() {
			return gorgonia.NewF32(o[0]), nil
		}
		return tensor.New(tensor.WithShape(out...), tensor.WithBacking(o)), nil
	case tensor.Float64:
		ins := make([][]float64, len(vals))
		for i, v := range vals {
			switch x := v.(type) {
			case *tensor.Dense:
				ins[i] = x.Float64s()
			case *gorgonia.F64:
				ins[i] = []float64{float64(*x)}
			default:
				return nil, fmt.Errorf("%s: input %d is %T, expected a float64 tensor", name, i, v)
			}
		}
		o := make([]float64, out.TotalSize())
		k.Exec64(o, ins, ss)
		if out.IsScalar() {
			return gorgonia.NewF64(o[0]), nil
		}
		return tensor.New(tensor.WithShape(out...), tensor.WithBacking(o)), nil
	}
	return nil, fmt.Errorf("%s: dtype %v, expected float32 or float64", name, vals[0].Dtype())
}

// inferFrom returns the output shape of an op whose inputs' shapes give it.
func inferFrom(name string, arity int, ds []gorgonia.DimSizer, f func([]tensor.Shape) (tensor.Shape, error)) (tensor.Shape, error) {
	s, err := shapes(name, arity, ds)
	if err != nil {
		return nil, err
	}
	return f(s)
}
