package bijectors

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/nflowgo/nflow/engine"
	"github.com/nflowgo/nflow/ops"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// splineContext runs a conditional bijector with a fixed context in which
// row r is sin(2r + j + 1)·seed, so the conformance suite checks the map
// for each fixed c.
type splineContext struct {
	B    Bijector
	C    int
	Seed float64
}

func (f splineContext) context(g *Graph, n int) *gorgonia.Node {
	v := make([]float64, n*f.C)
	for i := range v {
		v[i] = math.Sin(float64(2*(i/f.C)+i%f.C+1)) * f.Seed
	}
	return gorgonia.NodeFromAny(g.G, NewTensor(g.DType, v, n, f.C), gorgonia.WithName(fmt.Sprintf("ctx%d_%g", n, f.Seed)))
}

func (f splineContext) ForwardNode(g *Graph, x *gorgonia.Node) (*gorgonia.Node, *gorgonia.Node, error) {
	old := g.Context
	defer func() { g.Context = old }()
	g.Context = f.context(g, x.Shape()[0])
	return f.B.ForwardNode(g, x)
}

func (f splineContext) InverseNode(g *Graph, y *gorgonia.Node) (*gorgonia.Node, *gorgonia.Node, error) {
	old := g.Context
	defer func() { g.Context = old }()
	g.Context = f.context(g, y.Shape()[0])
	return f.B.InverseNode(g, y)
}
func (f splineContext) EventSize() int   { return f.B.EventSize() }
func (f splineContext) Params() []*Param { return f.B.Params() }
func (f splineContext) String() string   { return fmt.Sprintf("Context(%v, %g)", f.B, f.Seed) }

func condCouplings(t testing.TB) (*RealNVP, *NeuralSplineCoupling) {
	r, err := NewRealNVP(1, testCouplingNet(t, 1, 2, 2, 2, 41), ops.ScaleSoftplus)
	if err != nil {
		t.Fatal(err)
	}
	perturb(r, 41, 0.3)
	s, err := NewNeuralSplineCoupling(-1, testCouplingNet(t, 1, 1, ops.SplineParams(4), 3, 42), 4, 1.5)
	if err != nil {
		t.Fatal(err)
	}
	perturb(s, 42, 0.5)
	return r, s
}

func init() {
	moreConformanceCases = append(moreConformanceCases, func(t testing.TB) []conformanceCase {
		wide := [2]float64{-2, 2}
		r, s := condCouplings(t)
		return []conformanceCase{
			{"CondRealNVP", splineContext{r, 2, 1.5}, 3, wide, wide, true},
			{"CondNSFCoupling", splineContext{s, 3, -0.7}, 2, wide, wide, false},
			{"CondCouplingChain", splineContext{must(Chain(r, must(Permute([]int{2, 1, 0})), r)), 2, 0.9}, 3, wide, wide, false},
		}
	})
}

// TestConditionalCouplingReadsContext checks that the output of a
// conditional coupling layer changes with the context (each layer, hidden
// and output, reads it), that the pass-through units do not, and that a
// graph without a context is an error that says so.
func TestConditionalCouplingReadsContext(t *testing.T) {
	r, s := condCouplings(t)
	for _, b := range []Bijector{r, s} {
		c := couplingOf(b).ContextSize()
		x := tensor.New(tensor.WithShape(2, b.EventSize()), tensor.WithBacking([]float64{0.3, -0.2, 0.5, 0.3, -0.2, 0.5}[:2*b.EventSize()]))
		y1, _, err := ForwardAndLogDet(splineContext{b, c, 1}, x)
		if err != nil {
			t.Fatal(err)
		}
		y2, _, err := ForwardAndLogDet(splineContext{b, c, -1}, x)
		if err != nil {
			t.Fatal(err)
		}
		changed := 0
		for i, v := range y1.Float64s() {
			if math.Abs(v-y2.Float64s()[i]) > 1e-9 {
				changed++
			}
		}
		// Row of D units: D - |d| transformed per row, two rows.
		want := 2 * (b.EventSize() - abs(couplingOf(b).numMasked))
		if changed != want {
			t.Errorf("%v: %d outputs changed with the context, expected %d (the transformed units)", b, changed, want)
		}
		if _, err := Forward(b, x); err == nil || !strings.Contains(err.Error(), "context") {
			t.Errorf("%v without a context: error %v, expected one about the context", b, err)
		}
	}
}

func couplingOf(b Bijector) *coupling {
	switch v := b.(type) {
	case *RealNVP:
		return &v.coupling
	case *NeuralSplineCoupling:
		return &v.coupling
	}
	return nil
}

// TestConditionalCouplingCompiled runs a conditional coupling layer with
// the context as a program input through the compiled engine and the
// TapeMachine, which must agree.
func TestConditionalCouplingCompiled(t *testing.T) {
	_, s := condCouplings(t)
	var outs [2][]float64
	for i, exec := range []engine.Executor{engine.Compiled, engine.Tape} {
		g, err := NewGraph(tensor.Float64)
		if err != nil {
			t.Fatal(err)
		}
		y := g.Input("y", 3, 2)
		g.Context = g.Input("c", 3, 3)
		x, ildj, err := s.InverseNode(g, y)
		if err != nil {
			t.Fatal(err)
		}
		f, err := engine.NewFunc(g.G, gorgonia.Nodes{y, g.Context}, gorgonia.Nodes{x, ildj}, exec)
		if err != nil {
			t.Fatal(err)
		}
		out, err := f.Call(tensor.New(tensor.WithShape(3, 2), tensor.WithBacking([]float64{0.1, 1.2, -0.4, 0.3, 2, -1})),
			tensor.New(tensor.WithShape(3, 3), tensor.WithBacking([]float64{1, 0, -1, 0.5, 0.5, 0.5, -2, 1, 0})))
		if err != nil {
			t.Fatal(err)
		}
		outs[i] = append(out[0].Float64s(), out[1].Float64s()...)
	}
	closeTo(t, "compiled vs tape", outs[0], outs[1], 1e-12)
}
