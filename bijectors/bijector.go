package bijectors

import (
	"fmt"

	"github.com/nflowgo/nflow/engine"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Bijector is an invertible map y = f(x) on [N, D] batches.
type Bijector interface {
	// ForwardNode adds y = f(x) and log|det J_f(x)| ([N]) to g.
	ForwardNode(g *Graph, x *gorgonia.Node) (y, fldj *gorgonia.Node, err error)
	// InverseNode adds x = f⁻¹(y) and log|det J_f⁻¹(y)| ([N]) to g.
	InverseNode(g *Graph, y *gorgonia.Node) (x, ildj *gorgonia.Node, err error)
	// EventSize is D, or 0 for an elementwise bijector of any width.
	EventSize() int
	// Params returns the trainable parameters (none for a fixed bijector).
	Params() []*Param
	// String names the bijector as TFP would.
	String() string
}

var cache engine.Cache

const (
	kindForward = "forward"
	kindInverse = "inverse"
)

// checkInput validates an eager input against b.
func checkInput(b Bijector, x *tensor.Dense) error {
	if x == nil {
		return fmt.Errorf("bijectors: input is nil, expected an [N, D] tensor (%s)", Brief(b))
	}
	s := x.Shape()
	if len(s) != 2 || s[0] < 1 {
		return fmt.Errorf("bijectors: input shape %v, expected [N, D] with N >= 1 (%s)", s, Brief(b))
	}
	if d := b.EventSize(); d > 0 && s[1] != d {
		return fmt.Errorf("bijectors: input shape %v, expected [N, %d] (%s)", s, d, Brief(b))
	}
	dt := x.Dtype()
	if dt != tensor.Float32 && dt != tensor.Float64 {
		return fmt.Errorf("bijectors: input dtype %v, expected float32 or float64 (%s)", dt, Brief(b))
	}
	for _, p := range b.Params() {
		if p.Value.Dtype() != dt {
			return fmt.Errorf("bijectors: input dtype %v, but parameter %s is %v (%s)", dt, p.Name, p.Value.Dtype(), Brief(b))
		}
	}
	return nil
}

// run evaluates direction kind of b on x and returns the mapped batch and
// its log-det; with logDet false the graph leaves the log-det out (its ops
// are never run) and the second result is nil.
func run(b Bijector, kind string, x *tensor.Dense, logDet bool) (*tensor.Dense, *tensor.Dense, error) {
	if err := checkInput(b, x); err != nil {
		return nil, nil, err
	}
	cols := x.Shape()[1]
	out, err := engine.CallRows(x, func(rows int) (*engine.Func, error) {
		k := engine.Key{Owner: b, Kind: fmt.Sprintf("%s,logdet=%v", kind, logDet), Rows: rows, Cols: cols, DType: x.Dtype()}
		return cache.Get(k, func() (*engine.Func, error) {
			g, err := NewGraph(x.Dtype())
			if err != nil {
				return nil, err
			}
			g.CPU = true
			in := g.Input("x", rows, cols)
			var y, ldj *gorgonia.Node
			if kind == kindForward {
				y, ldj, err = b.ForwardNode(g, in)
			} else {
				y, ldj, err = b.InverseNode(g, in)
			}
			if err != nil {
				return nil, err
			}
			outs := gorgonia.Nodes{y}
			if logDet {
				outs = append(outs, ldj)
			}
			return engine.NewFunc(g.G, gorgonia.Nodes{in}, outs, engine.DefaultExecutor)
		})
	})
	if err != nil {
		return nil, nil, fmt.Errorf("bijectors: %w (%s)", err, Brief(b))
	}
	if !logDet {
		return out[0], nil, nil
	}
	return out[0], out[1], nil
}

// Forward returns y = f(x) for x [N, D].
func Forward(b Bijector, x *tensor.Dense) (*tensor.Dense, error) {
	y, _, err := run(b, kindForward, x, false)
	return y, err
}

// Inverse returns x = f⁻¹(y) for y [N, D].
func Inverse(b Bijector, y *tensor.Dense) (*tensor.Dense, error) {
	x, _, err := run(b, kindInverse, y, false)
	return x, err
}

// ForwardAndLogDet returns f(x) and log|det J_f(x)| ([N]).
func ForwardAndLogDet(b Bijector, x *tensor.Dense) (*tensor.Dense, *tensor.Dense, error) {
	return run(b, kindForward, x, true)
}

// InverseAndLogDet returns f⁻¹(y) and log|det J_f⁻¹(y)| ([N]).
func InverseAndLogDet(b Bijector, y *tensor.Dense) (*tensor.Dense, *tensor.Dense, error) {
	return run(b, kindInverse, y, true)
}

// ForwardLogDetJacobian returns log|det J_f(x)| ([N]) for x [N, D].
func ForwardLogDetJacobian(b Bijector, x *tensor.Dense) (*tensor.Dense, error) {
	_, l, err := run(b, kindForward, x, true)
	return l, err
}

// InverseLogDetJacobian returns log|det J_f⁻¹(y)| ([N]) for y [N, D].
func InverseLogDetJacobian(b Bijector, y *tensor.Dense) (*tensor.Dense, error) {
	_, l, err := run(b, kindInverse, y, true)
	return l, err
}
