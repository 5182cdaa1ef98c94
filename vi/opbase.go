package vi

import (
	"fmt"
	"hash"
	"hash/fnv"

	"github.com/chewxy/hm"
	"github.com/nflowgo/nflow/ops"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

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

// inferFrom returns the output shape of an op whose inputs' shapes give it.
func inferFrom(name string, arity int, ds []gorgonia.DimSizer, f func([]tensor.Shape) (tensor.Shape, error)) (tensor.Shape, error) {
	s, err := ops.ShapesOf(name, arity, ds)
	if err != nil {
		return nil, err
	}
	return f(s)
}
