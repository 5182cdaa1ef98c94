package bijectors

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/nflowgo/nflow/engine"
	"github.com/nflowgo/nflow/ops"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// fixedContext runs a conditional bijector with a fixed context: row r of
// every batch gets the context contextRow(r, C). It lets the shared
// conformance suite check conditional bijectors for each fixed c.
type fixedContext struct{ B Bijector }

func contextRow(r, c int) []float64 {
	row := make([]float64, c)
	for j := range row {
		row[j] = math.Sin(float64(3*r+j+1)) * 1.5
	}
	return row
}

func (f fixedContext) with(g *Graph, x *gorgonia.Node, dir func(*gorgonia.Node) (*gorgonia.Node, *gorgonia.Node, error)) (*gorgonia.Node, *gorgonia.Node, error) {
	n, c := x.Shape()[0], ContextSizeOf(f.B)
	v := make([]float64, 0, n*c)
	for r := 0; r < n; r++ {
		v = append(v, contextRow(r, c)...)
	}
	old := g.Context
	g.Context = gorgonia.NodeFromAny(g.G, NewTensor(g.DType, v, n, c), gorgonia.WithName(fmt.Sprintf("context%d", n)))
	defer func() { g.Context = old }()
	return dir(x)
}

func (f fixedContext) ForwardNode(g *Graph, x *gorgonia.Node) (*gorgonia.Node, *gorgonia.Node, error) {
	return f.with(g, x, func(x *gorgonia.Node) (*gorgonia.Node, *gorgonia.Node, error) { return f.B.ForwardNode(g, x) })
}
func (f fixedContext) InverseNode(g *Graph, y *gorgonia.Node) (*gorgonia.Node, *gorgonia.Node, error) {
	return f.with(g, y, func(y *gorgonia.Node) (*gorgonia.Node, *gorgonia.Node, error) { return f.B.InverseNode(g, y) })
}
func (f fixedContext) EventSize() int   { return f.B.EventSize() }
func (f fixedContext) Params() []*Param { return f.B.Params() }
func (f fixedContext) String() string   { return "FixedContext(" + f.B.String() + ")" }

func condMADE(t testing.TB, d, c int, hidden []int, order InputOrder, seed uint64) *AutoregressiveNetwork {
	t.Helper()
	n, err := NewAutoregressiveNetwork(MADEConfig{Params: 2, EventSize: d, HiddenUnits: hidden, Activation: ops.Tanh,
		InputOrder: order, Seed: seed, DType: tensor.Float64, KernelInit: TorchUniform, ContextSize: c})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func condMAF(t testing.TB, d, c int, order InputOrder, seed uint64) *MaskedAutoregressiveFlow {
	m, err := NewMaskedAutoregressiveFlow(condMADE(t, d, c, []int{8, 8}, order, seed), ops.ScaleSoftplus)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func init() {
	moreConformanceCases = append(moreConformanceCases, func(t testing.TB) []conformanceCase {
		all := [2]float64{-2, 2}
		return []conformanceCase{
			{"CondMAF-C2", fixedContext{condMAF(t, 3, 2, LeftToRight, 31)}, 3, all, all, true},
			{"CondMAF-C1-D1", fixedContext{condMAF(t, 1, 1, LeftToRight, 32)}, 1, all, all, true},
			{"CondMAF-random", fixedContext{condMAF(t, 4, 3, RandomOrder, 33)}, 4, all, all, false},
			{"CondIAF", fixedContext{Invert(condMAF(t, 2, 2, LeftToRight, 34))}, 2, all, all, true},
			{"CondChain", fixedContext{must(Chain(condMAF(t, 2, 2, LeftToRight, 35), must(Permute([]int{1, 0})),
				condMAF(t, 2, 2, LeftToRight, 36)))}, 2, all, all, false},
		}
	})
}

// netGiven evaluates net on x [N, D] with context c [N, C], compiled or on
// the TapeMachine.
func netGiven(t *testing.T, net *AutoregressiveNetwork, x, c *tensor.Dense, exec engine.Executor) []float64 {
	t.Helper()
	g, err := NewGraph(tensor.Float64)
	if err != nil {
		t.Fatal(err)
	}
	xin := g.Input("x", x.Shape()[0], x.Shape()[1])
	g.Context = g.Input("c", c.Shape()[0], c.Shape()[1])
	h, err := net.Node(g, xin)
	if err != nil {
		t.Fatal(err)
	}
	f, err := engine.NewFunc(g.G, gorgonia.Nodes{xin, g.Context}, gorgonia.Nodes{h}, exec)
	if err != nil {
		t.Fatal(err)
	}
	out, err := f.Call(x, c)
	if err != nil {
		t.Fatal(err)
	}
	return out[0].Float64s()
}

// TestConditionalMADEAutoregressive checks, by perturbing one input at a
// time, that output column e·P+p of a conditional MADE depends on input j
// only when degree(j) < degree(e) (the Jacobian in x is triangular in the
// input order for every c), that every output depends on the context, and
// that the compiled program matches the TapeMachine.
func TestConditionalMADEAutoregressive(t *testing.T) {
	rng := rand.New(rand.NewPCG(40, 41))
	for _, order := range []InputOrder{LeftToRight, RightToLeft, RandomOrder} {
		const n, d, c, p = 5, 4, 3, 2
		net := condMADE(t, d, c, []int{16, 16}, order, 42)
		deg := net.Degrees()[0]
		x, ctx := uniform(rng, n, d, [2]float64{-1, 1}), uniform(rng, n, c, [2]float64{-1, 1})
		base := netGiven(t, net, x, ctx, engine.Compiled)
		closeTo(t, "compiled vs tape", base, netGiven(t, net, x, ctx, engine.Tape), 1e-12)
		for j := 0; j < d; j++ {
			xp := x.Clone().(*tensor.Dense)
			for r := 0; r < n; r++ {
				xp.Float64s()[r*d+j] += 0.5
			}
			moved := netGiven(t, net, xp, ctx, engine.Compiled)
			for r := 0; r < n; r++ {
				for e := 0; e < d; e++ {
					for k := 0; k < p; k++ {
						col := r*d*p + e*p + k
						changed := math.Abs(moved[col]-base[col]) > 1e-12
						if changed && deg[j] >= deg[e] {
							t.Errorf("%s: output of feature %d (degree %d) moved with input %d (degree %d)", order, e, deg[e], j, deg[j])
						}
					}
				}
			}
		}
		for j := 0; j < c; j++ {
			cp := ctx.Clone().(*tensor.Dense)
			for r := 0; r < n; r++ {
				cp.Float64s()[r*c+j] += 0.5
			}
			moved := netGiven(t, net, x, cp, engine.Compiled)
			for col := range moved {
				if math.Abs(moved[col]-base[col]) < 1e-9 {
					t.Errorf("%s: output element %d does not depend on context column %d", order, col, j)
				}
			}
		}
	}
}

// TestConditionalMADEWeights checks the parameter layout of a conditional
// network: W_l and b_l as the unconditional network of the same seed, then
// one V_l [C, out_l] per layer, in the order the graph reads them.
func TestConditionalMADEWeights(t *testing.T) {
	for _, init := range []KernelInit{GlorotUniform, TorchUniform} {
		cfg := MADEConfig{Params: 2, EventSize: 3, HiddenUnits: []int{8, 6}, Activation: ops.ReLU, Seed: 9, KernelInit: init}
		plain := must(NewAutoregressiveNetwork(cfg))
		cfg.ContextSize = 4
		cond := must(NewAutoregressiveNetwork(cfg))
		if cond.ContextSize() != 4 || plain.ContextSize() != 0 || plain.ContextWeights() != nil {
			t.Fatalf("ContextSize %d and %d", cond.ContextSize(), plain.ContextSize())
		}
		pw, pb := plain.Weights()
		cw, cb := cond.Weights()
		for l := range pw {
			closeTo(t, "W"+fmt.Sprint(l), dense64(cw[l].Value), dense64(pw[l].Value), 0)
			closeTo(t, "b"+fmt.Sprint(l), dense64(cb[l].Value), dense64(pb[l].Value), 0)
		}
		sizes := cond.LayerSizes()
		extra := 0
		for l, v := range cond.ContextWeights() {
			if !v.Value.Shape().Eq(tensor.Shape{4, sizes[l+1]}) {
				t.Errorf("V%d shape %v, want [4 %d]", l, v.Value.Shape(), sizes[l+1])
			}
			limit := math.Sqrt(6.0 / float64(4+sizes[l+1]))
			if init == TorchUniform {
				limit = 0.5
			}
			nonzero := false
			for _, w := range dense64(v.Value) {
				nonzero = nonzero || w != 0
				if math.Abs(w) > limit {
					t.Errorf("%s V%d entry %g outside ±%g", init, l, w, limit)
				}
			}
			if !nonzero {
				t.Errorf("V%d is all zeros", l)
			}
			extra += 4 * sizes[l+1]
		}
		if cond.NumParams() != plain.NumParams()+extra {
			t.Errorf("NumParams %d, want %d + %d", cond.NumParams(), plain.NumParams(), extra)
		}
		g := must(NewGraph(tensor.Float32))
		x := g.Input("x", 2, 3)
		g.Context = g.Input("c", 2, 4)
		if _, err := cond.Node(g, x); err != nil {
			t.Fatal(err)
		}
		read, _ := g.Params()
		ps := cond.Params()
		if len(read) != len(ps) {
			t.Fatalf("graph reads %d parameters, Params has %d", len(read), len(ps))
		}
		for i := range ps {
			if read[i] != ps[i] {
				t.Errorf("parameter %d: graph reads %s, Params lists %s", i, read[i].Name, ps[i].Name)
			}
		}
	}
}

func dense64(d *tensor.Dense) []float64 {
	if d.Dtype() == tensor.Float32 {
		out := make([]float64, d.Shape().TotalSize())
		for i, v := range d.Float32s() {
			out[i] = float64(v)
		}
		return out
	}
	return d.Float64s()
}

// TestConditionalProjectionShared checks that the D sampling passes of a
// conditional MAF share one context projection per layer.
func TestConditionalProjectionShared(t *testing.T) {
	maf := condMAF(t, 4, 2, LeftToRight, 50)
	g := must(NewGraph(tensor.Float64))
	x := g.Input("x", 3, 4)
	g.Context = g.Input("c", 3, 2)
	if _, _, err := maf.ForwardNode(g, x); err != nil {
		t.Fatal(err)
	}
	proj, add := 0, 0
	for _, n := range g.G.AllNodes() {
		switch op := n.Op().(type) {
		case *ops.Dense:
			if op.In == 2 {
				proj++
			}
		case *ops.DenseAdd:
			add++
		}
	}
	if proj != 3 || add != 3*4 {
		t.Errorf("%d context projections and %d layers, want 3 and 12 (3 layers x 4 passes)", proj, add)
	}
}

func TestConditionalErrors(t *testing.T) {
	if _, err := NewAutoregressiveNetwork(MADEConfig{Params: 2, EventSize: 2, ContextSize: -1}); err == nil ||
		!strings.Contains(err.Error(), "context size = -1") {
		t.Errorf("ContextSize -1: %v", err)
	}
	maf := condMAF(t, 2, 3, LeftToRight, 60)
	x := tensor.New(tensor.WithShape(4, 2), tensor.WithBacking(make([]float64, 8)))
	for name, f := range map[string]func() error{
		"Forward": func() error { _, err := Forward(maf, x); return err },
		"Inverse": func() error { _, err := Inverse(maf, x); return err },
	} {
		if err := f(); err == nil || !strings.Contains(err.Error(), "conditional network needs a context [N, C]") {
			t.Errorf("%s without a context: %v", name, err)
		}
	}
	for _, c := range []struct {
		rows, cols int
		dt         tensor.Dtype
		want       string
	}{
		{4, 2, tensor.Float64, "needs a context [N, C] = [4 3], got (4, 2)"},
		{1, 3, tensor.Float64, "needs a context [N, C] = [4 3], got (1, 3)"},
		{4, 3, tensor.Float32, "context dtype float32, the graph is float64"},
	} {
		g := must(NewGraph(tensor.Float64))
		in := g.Input("x", 4, 2)
		g.Context = gorgonia.NewMatrix(g.G, c.dt, gorgonia.WithShape(c.rows, c.cols), gorgonia.WithName("c"))
		if _, _, err := maf.InverseNode(g, in); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("context [%d %d] %v: %v, want %q", c.rows, c.cols, c.dt, err, c.want)
		}
	}
	if _, err := Chain(condMAF(t, 2, 3, LeftToRight, 61), condMAF(t, 2, 2, LeftToRight, 62)); err == nil ||
		!strings.Contains(err.Error(), "context size 2, expected 3") {
		t.Errorf("Chain of context sizes 3 and 2: %v", err)
	}
}

func TestContextSizeOf(t *testing.T) {
	maf := condMAF(t, 2, 3, LeftToRight, 70)
	perm := must(Permute([]int{1, 0}))
	for _, c := range []struct {
		b    Bijector
		want int
	}{
		{maf, 3},
		{Invert(maf), 3},
		{perm, 0},
		{testMAF(t, 2, LeftToRight, ops.ScaleSoftplus, 1), 0},
		{must(Chain(perm, Invert(maf), Exp())), 3},
		{must(Chain(perm, Exp())), 0},
		{Invert(must(Chain(maf, perm))), 3},
	} {
		if got := ContextSizeOf(c.b); got != c.want {
			t.Errorf("ContextSizeOf(%v) = %d, want %d", c.b, got, c.want)
		}
	}
	if maf.Net.ContextSize() != 3 {
		t.Errorf("network ContextSize %d", maf.Net.ContextSize())
	}
}
