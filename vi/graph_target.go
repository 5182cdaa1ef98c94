package vi

import (
	"fmt"

	"github.com/nflowgo/nflow/engine"
	"github.com/nflowgo/nflow/ops"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// GraphTarget is a Target written as a Gorgonia graph and differentiated
// automatically: Build adds log p̃ ([N]) of the float64 input x [N, D] to
// g, with any of Gorgonia's differentiable ops (Slice, Square, Mul, Exp,
// Sum along axis 1, ...) or nflow's. The gradient is gorgonia.Grad of
// the mean of log p̃ with respect to x, times N: row n of it is
// ∇ log p̃(x_n) since the rows are independent. A graph is built per batch size on first use
// and run by the engine's compiled executor when every op has a CPU
// kernel, else by Gorgonia's TapeMachine. A GraphTarget is not safe for
// concurrent use.
type GraphTarget struct {
	D     int
	Build func(g *gorgonia.ExprGraph, x *gorgonia.Node) (*gorgonia.Node, error)

	progs map[int]*graphProgram
	err   error // the last build error, reported by LogDensity's caller through Err
}

type graphProgram struct {
	x, lp, grad *gorgonia.Node
	prog        *engine.Program // nil: run on the TapeMachine
	tape        gorgonia.VM
	in          *tensor.Dense
}

// Dim returns D.
func (t *GraphTarget) Dim() int { return t.D }

// Err returns the error of the last graph that failed to build or run
// (LogDensity then writes NaN), or nil.
func (t *GraphTarget) Err() error { return t.err }

// LogDensity evaluates the graph for the rows of x. If the graph cannot
// be built or run, it writes NaN (which stops Fit) and Err reports why.
func (t *GraphTarget) LogDensity(x, logp, grad []float64) {
	n := len(logp)
	p, err := t.program(n)
	if err == nil {
		err = p.run(x, logp, grad)
	}
	if err != nil {
		t.err = err
		for i := range logp {
			logp[i] = nan
		}
		for i := range grad {
			grad[i] = nan
		}
	}
}

func (t *GraphTarget) program(n int) (*graphProgram, error) {
	if p, ok := t.progs[n]; ok {
		return p, nil
	}
	if t.Build == nil || t.D < 1 {
		return nil, fmt.Errorf("vi: GraphTarget with D = %d and Build %v, expected D >= 1 and a Build function", t.D, t.Build != nil)
	}
	g := gorgonia.NewGraph()
	p := &graphProgram{x: gorgonia.NewMatrix(g, tensor.Float64, gorgonia.WithShape(n, t.D), gorgonia.WithName("x"))}
	var err error
	if p.lp, err = t.Build(g, p.x); err != nil {
		return nil, fmt.Errorf("vi: GraphTarget.Build: %w", err)
	}
	if s := p.lp.Shape(); len(s) != 1 || s[0] != n {
		return nil, fmt.Errorf("vi: GraphTarget.Build returned shape %v for x [%d, %d], expected [%d]", s, n, t.D, n)
	}
	// Differentiate -mean(log p̃) (an op with a CPU kernel, so that a graph
	// of nflow's ops compiles) and scale the gradient by -N when reading it.
	cost, err := gorgonia.ApplyOp(ops.NewNegMean(), p.lp)
	if err != nil {
		return nil, err
	}
	gs, err := gorgonia.Grad(cost, p.x)
	if err != nil {
		return nil, fmt.Errorf("vi: GraphTarget: differentiating log p̃: %w", err)
	}
	p.grad = gs[0]
	if prog, err := engine.Compile(g, gorgonia.Nodes{p.x}, gorgonia.Nodes{p.lp, p.grad}, engine.CPU); err == nil {
		p.prog, p.in = prog, prog.Input(0)
	} else {
		p.tape = gorgonia.NewTapeMachine(g)
		p.in = tensor.New(tensor.WithShape(n, t.D), tensor.WithBacking(make([]float64, n*t.D)))
	}
	if t.progs == nil {
		t.progs = map[int]*graphProgram{}
	}
	t.progs[n] = p
	return p, nil
}

// run evaluates the program at x and copies log p̃ and its gradient out.
func (p *graphProgram) run(x, logp, grad []float64) error {
	copy(p.in.Float64s(), x)
	if p.prog != nil {
		p.prog.Run()
		copy(logp, p.prog.Output(0).Float64s())
		if grad != nil {
			scaled(grad, p.prog.Output(1).Float64s(), -float64(len(logp)))
		}
		return nil
	}
	defer p.tape.Reset()
	if err := gorgonia.Let(p.x, p.in); err != nil {
		return err
	}
	if err := p.tape.RunAll(); err != nil {
		return fmt.Errorf("vi: GraphTarget: %w", err)
	}
	copy(logp, p.lp.Value().Data().([]float64))
	if grad != nil {
		scaled(grad, p.grad.Value().Data().([]float64), -float64(len(logp)))
	}
	return nil
}

// Compiled reports whether the graph for batches of n rows runs on the
// engine's compiled executor (every op has a CPU kernel) rather than the
// TapeMachine; false if it has not been built.
func (t *GraphTarget) Compiled(n int) bool {
	p, ok := t.progs[n]
	return ok && p.prog != nil
}

func scaled(dst, src []float64, c float64) {
	for i, v := range src {
		dst[i] = c * v
	}
}
