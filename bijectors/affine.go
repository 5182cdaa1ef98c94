package bijectors

import (
	"fmt"
	"math"

	"github.com/nflowgo/nflow/ops"
	"gorgonia.org/gorgonia"
)

// affine is y = x·a + b elementwise with fixed a and b ([D] each): Shift,
// Scale and ScaleMatvecDiag. Its log-det is Σ_d log|a_d|, the same for every row.
type affine struct {
	name string
	a, b []float64
	ldj  float64
}

func newAffine(name string, a, b []float64) (*affine, error) {
	if len(a) == 0 {
		return nil, fmt.Errorf("%s: empty parameter, expected one value per event dimension", name)
	}
	ldj := 0.0
	for i := range a {
		if a[i] == 0 || math.IsNaN(a[i]) || math.IsInf(a[i], 0) || math.IsNaN(b[i]) || math.IsInf(b[i], 0) {
			return nil, fmt.Errorf("%s: entry %d is scale %g, shift %g; expected a finite non-zero scale and a finite shift", name, i, a[i], b[i])
		}
		ldj += math.Log(math.Abs(a[i]))
	}
	return &affine{name: name, a: append([]float64(nil), a...), b: append([]float64(nil), b...), ldj: ldj}, nil
}

// Shift returns y = x + shift, with shift [D]; log-det 0.
func Shift(shift []float64) (Bijector, error) {
	return newAffine(fmt.Sprintf("Shift(%v)", shift), ones(len(shift)), shift)
}

// Scale returns y = x·scale, with scale [D] non-zero; log-det Σ log|scale|.
func Scale(scale []float64) (Bijector, error) {
	return newAffine(fmt.Sprintf("Scale(%v)", scale), scale, make([]float64, len(scale)))
}

// ScaleFromLog returns y = x·exp(logScale), TFP's Scale(log_scale=...);
// log-det Σ logScale.
func ScaleFromLog(logScale []float64) (Bijector, error) {
	s := make([]float64, len(logScale))
	for i, l := range logScale {
		s[i] = math.Exp(l)
	}
	return newAffine(fmt.Sprintf("Scale(log_scale=%v)", logScale), s, make([]float64, len(s)))
}

// ScaleMatvecDiag returns y = diag(scaleDiag)·x per event, which for a
// diagonal matrix is Scale(scaleDiag).
func ScaleMatvecDiag(scaleDiag []float64) (Bijector, error) {
	return newAffine(fmt.Sprintf("ScaleMatvecDiag(%v)", scaleDiag), scaleDiag, make([]float64, len(scaleDiag)))
}

func ones(n int) []float64 {
	o := make([]float64, n)
	for i := range o {
		o[i] = 1
	}
	return o
}

func (a *affine) String() string   { return a.name }
func (a *affine) EventSize() int   { return len(a.a) }
func (a *affine) Params() []*Param { return nil }
func (a *affine) inverse() *ops.ConstAffine {
	ia, ib := make([]float64, len(a.a)), make([]float64, len(a.a))
	for i := range a.a {
		ia[i] = 1 / a.a[i]
		ib[i] = -a.b[i] / a.a[i]
	}
	return ops.NewConstAffine(ia, ib)
}

func (a *affine) ForwardNode(_ *Graph, x *gorgonia.Node) (*gorgonia.Node, *gorgonia.Node, error) {
	return affineNodes(ops.NewConstAffine(a.a, a.b), a.ldj, x)
}

func (a *affine) InverseNode(_ *Graph, y *gorgonia.Node) (*gorgonia.Node, *gorgonia.Node, error) {
	return affineNodes(a.inverse(), -a.ldj, y)
}

func affineNodes(op *ops.ConstAffine, ldj float64, x *gorgonia.Node) (*gorgonia.Node, *gorgonia.Node, error) {
	y, err := Apply(op, x)
	if err != nil {
		return nil, nil, err
	}
	l, err := Apply(ops.NewConstRows(ldj), x)
	return y, l, err
}
