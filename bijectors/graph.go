package bijectors

import (
	"fmt"

	"github.com/nflowgo/nflow/ops"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Param is a trainable parameter: a named tensor that the graphs of a
// bijector read and an optimizer updates in place.
type Param struct {
	Name  string
	Value *tensor.Dense
}

// Graph is a Gorgonia graph under construction with the parameters it
// reads. A Param used twice in one graph (say, a MADE network applied in
// each of MAF's D sampling passes) is one node.
type Graph struct {
	G     *gorgonia.ExprGraph
	DType tensor.Dtype
	// Training is set while building a training graph: BatchNormalization
	// uses batch statistics (and updates its running ones) only then.
	Training bool
	// Context is the conditioning input [N, C] of conditional bijectors
	// (a conditional MADE reads it); nil for unconditional graphs.
	Context *gorgonia.Node
	// CPU is set when the graph is built for the CPU executor alone (the
	// eager calls): bijectors may then use ops that have only a CPU kernel,
	// such as MAF's one-pass sampler (ops.MADESample), where graphs lowered
	// to other devices keep the portable ops.
	CPU bool

	nodes  map[*Param]*gorgonia.Node
	params []*Param
	masked map[*Param]*gorgonia.Node
	zeros  map[int]*gorgonia.Node
	suffix string // appended to parameter node names (Detached)
}

// NewGraph returns an empty graph of the given dtype (Float32 or Float64).
func NewGraph(dt tensor.Dtype) (*Graph, error) {
	if dt != tensor.Float32 && dt != tensor.Float64 {
		return nil, fmt.Errorf("dtype %v, expected float32 or float64", dt)
	}
	return &Graph{G: gorgonia.NewGraph(), DType: dt, nodes: map[*Param]*gorgonia.Node{},
		masked: map[*Param]*gorgonia.Node{}, zeros: map[int]*gorgonia.Node{}}, nil
}

// Input adds an input matrix [rows, cols] to the graph.
func (g *Graph) Input(name string, rows, cols int) *gorgonia.Node {
	return gorgonia.NewMatrix(g.G, g.DType, gorgonia.WithShape(rows, cols), gorgonia.WithName(name))
}

// Param returns the node bound to p, adding it on first use.
func (g *Graph) Param(p *Param) (*gorgonia.Node, error) {
	if n, ok := g.nodes[p]; ok {
		return n, nil
	}
	if p.Value.Dtype() != g.DType {
		return nil, fmt.Errorf("parameter %s has dtype %v, the graph is %v", p.Name, p.Value.Dtype(), g.DType)
	}
	n := gorgonia.NodeFromAny(g.G, p.Value, gorgonia.WithName(fmt.Sprintf("%s#%d%s", p.Name, len(g.params), g.suffix)))
	g.nodes[p] = n
	g.params = append(g.params, p)
	return n, nil
}

// Detached returns a graph that adds to g's ExprGraph but reads every
// parameter through a node of its own, bound to the same value. A
// gradient taken with respect to g's parameter nodes does not flow into
// what is built on the detached graph: a stop-gradient on the parameters,
// as the path-gradient ("sticking the landing") estimator of variational
// inference needs (Roeder, Wu and Duvenaud, NeurIPS 2017).
func (g *Graph) Detached() *Graph {
	return &Graph{G: g.G, DType: g.DType, Training: g.Training, Context: g.Context, nodes: map[*Param]*gorgonia.Node{},
		masked: map[*Param]*gorgonia.Node{}, zeros: g.zeros, suffix: g.suffix + "~detached"}
}

// MaskedParam returns the node W∘mask for parameter p, added once per
// graph (a network applied several times in one graph masks its kernels
// once).
func (g *Graph) MaskedParam(p *Param, mask []float64) (*gorgonia.Node, error) {
	if n, ok := g.masked[p]; ok {
		return n, nil
	}
	w, err := g.Param(p)
	if err != nil {
		return nil, err
	}
	n, err := Apply(ops.NewMask(mask), w)
	if err != nil {
		return nil, err
	}
	g.masked[p] = n
	return n, nil
}

// MaskedInPlace multiplies p's value by mask in place, once per graph, and
// returns p's own node: the mask is applied once, not in every run. It is
// for CPU training graphs (CPU and Training set) whose layer is an
// ops.NewDenseSupport on that mask: its weight gradient is masked, so the
// optimizer's updates keep the masked entries exactly zero (Adam's moments
// of a zero gradient stay zero). Whoever writes p's value afterwards must
// keep it masked, or build a new graph.
func (g *Graph) MaskedInPlace(p *Param, mask []float64) (*gorgonia.Node, error) {
	if n, ok := g.masked[p]; ok {
		return n, nil
	}
	if len(mask) != p.Value.Shape().TotalSize() {
		return nil, fmt.Errorf("parameter %s has %d entries, the mask %d", p.Name, p.Value.Shape().TotalSize(), len(mask))
	}
	n, err := g.Param(p)
	if err != nil {
		return nil, err
	}
	switch v := p.Value.Data().(type) {
	case []float32:
		for i, m := range mask {
			v[i] *= float32(m)
		}
	case []float64:
		for i, m := range mask {
			v[i] *= m
		}
	}
	g.masked[p] = n
	return n, nil
}

// ZeroRow returns a constant [1, d] row of zeros.
func (g *Graph) ZeroRow(d int) *gorgonia.Node {
	if n, ok := g.zeros[d]; ok {
		return n
	}
	var v *tensor.Dense
	if g.DType == tensor.Float32 {
		v = tensor.New(tensor.WithShape(1, d), tensor.WithBacking(make([]float32, d)))
	} else {
		v = tensor.New(tensor.WithShape(1, d), tensor.WithBacking(make([]float64, d)))
	}
	n := gorgonia.NodeFromAny(g.G, v, gorgonia.WithName(fmt.Sprintf("zeros%d", d)))
	g.zeros[d] = n
	return n
}

// Params returns the parameters the graph reads, in the order first used,
// and their nodes.
func (g *Graph) Params() ([]*Param, gorgonia.Nodes) {
	ns := make(gorgonia.Nodes, len(g.params))
	for i, p := range g.params {
		ns[i] = g.nodes[p]
	}
	return g.params, ns
}

// Apply adds op to the graph with the given inputs.
func Apply(op gorgonia.Op, in ...*gorgonia.Node) (*gorgonia.Node, error) {
	return gorgonia.ApplyOp(op, in...)
}

// addLogDets returns a + b, where nil stands for zero.
func addLogDets(a, b *gorgonia.Node) (*gorgonia.Node, error) {
	switch {
	case a == nil:
		return b, nil
	case b == nil:
		return a, nil
	}
	return gorgonia.Add(a, b)
}
