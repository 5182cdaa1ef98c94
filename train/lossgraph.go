package train

import (
	"fmt"

	"github.com/nflowgo/nflow/bijectors"
	"github.com/nflowgo/nflow/dist"
	"github.com/nflowgo/nflow/engine"
	"github.com/nflowgo/nflow/ops"
	"gorgonia.org/gorgonia"
)

// lossGraph is the training graph of one batch size: the mean NLL and its
// gradients with respect to the model's parameters, in the model's order.
type lossGraph struct {
	g     *bijectors.Graph
	ins   gorgonia.Nodes // x [rows, d], then the context c [rows, C] of a conditional model
	cost  *gorgonia.Node
	grads gorgonia.Nodes
}

func newLossGraph(model dist.Distribution, rows, d int) (*lossGraph, error) {
	g, err := bijectors.NewGraph(model.DType())
	if err != nil {
		return nil, err
	}
	g.Training = true
	g.CPU = true // compiled or tape, the step runs on the CPU
	x := g.Input("x", rows, d)
	ins := gorgonia.Nodes{x}
	if cs := dist.ContextSizeOf(model); cs > 0 {
		g.Context = g.Input("c", rows, cs)
		ins = append(ins, g.Context)
	}
	lp, err := model.LogProbNode(g, x)
	if err != nil {
		return nil, err
	}
	cost, err := gorgonia.ApplyOp(ops.NewNegMean(), lp)
	if err != nil {
		return nil, err
	}
	// The graph reads the parameters in its own order (an IAF's density
	// pass visits the chain backwards); differentiate in the model's.
	ps, read := g.Params()
	if len(ps) != len(model.Params()) {
		return nil, fmt.Errorf("train: the loss reads %d of the model's %d parameters", len(ps), len(model.Params()))
	}
	nodeOf := make(map[*bijectors.Param]*gorgonia.Node, len(ps))
	for i, p := range ps {
		nodeOf[p] = read[i]
	}
	nodes := make(gorgonia.Nodes, len(ps))
	for i, p := range model.Params() {
		if nodes[i] = nodeOf[p]; nodes[i] == nil {
			return nil, fmt.Errorf("train: the loss does not read parameter %d (%s)", i, p.Name)
		}
	}
	grads, err := gorgonia.Grad(cost, nodes...)
	if err != nil {
		return nil, err
	}
	return &lossGraph{g: g, ins: ins, cost: cost, grads: grads}, nil
}

// compile lowers the graph to a CPU program with outputs (cost, grads...).
func (lg *lossGraph) compile() (*engine.Program, error) {
	return engine.Compile(lg.g.G, lg.ins, append(gorgonia.Nodes{lg.cost}, lg.grads...), engine.CPU)
}

// gradBuffers returns the gradient outputs 1..n of prog as slices.
func gradBuffers(prog *engine.Program, n int) (g32 [][]float32, g64 [][]float64) {
	for i := 0; i < n; i++ {
		switch v := prog.Output(i + 1).Data().(type) {
		case []float32:
			g32 = append(g32, v)
		case []float64:
			g64 = append(g64, v)
		}
	}
	return g32, g64
}
