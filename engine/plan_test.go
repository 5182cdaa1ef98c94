package engine_test

import (
	"errors"
	"testing"

	"github.com/nflowgo/nflow/bijectors"
	"github.com/nflowgo/nflow/dist"
	"github.com/nflowgo/nflow/engine"
	"github.com/nflowgo/nflow/ops"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestPlanReusesBuffers checks liveness planning on the lab's training
// graph: no step writes a buffer it reads, a reused buffer is never read
// after it is overwritten, and reuse saves buffers.
func TestPlanReusesBuffers(t *testing.T) {
	flow := must(bijectors.NewMAFStack(3, bijectors.MADEConfig{EventSize: 2, HiddenUnits: []int{16, 16}, Activation: ops.ReLU}, ops.ScaleSoftplus))
	model := must(dist.NewTransformedDistribution(must(dist.StandardNormal(2, tensor.Float32)), flow))
	g, x, outs := lossGraph(model, 8)
	p := must(engine.NewPlan(g.G, gorgonia.Nodes{x}, outs))
	temps := 0
	for _, b := range p.Buffers {
		if b.Role == engine.Temp {
			temps++
		}
	}
	if temps >= len(p.Steps) {
		t.Errorf("%d temporary buffers for %d steps: no reuse", temps, len(p.Steps))
	}
	// Replay the schedule: each buffer holds the output of the step that
	// last wrote it, and every read must see the step that produced the
	// input it stands for.
	content := map[int]int{}
	for i, st := range p.Steps {
		for k, in := range st.In {
			if in == st.Out {
				t.Fatalf("step %d (%v) reads its own output buffer %d", i, st.Op, in)
			}
			if st.From[k] < 0 {
				continue
			}
			if got, ok := content[in]; !ok || got != st.From[k] {
				t.Fatalf("step %d (%v) input %d: buffer %d holds step %d's output, want step %d's", i, st.Op, k, in, got, st.From[k])
			}
		}
		content[st.Out] = i
	}
	for k, b := range p.Outputs {
		if p.Buffers[b].Role == engine.Temp && content[b] < 0 {
			t.Errorf("output %d lost", k)
		}
	}
}

// TestEmptyInputIsAnError compiles a density graph on zero rows: the
// compiled executor returns an error wrapping ErrEmptyInput
// instead of panicking at the call.
func TestEmptyInputIsAnError(t *testing.T) {
	flow := must(bijectors.NewMAFStack(1, bijectors.MADEConfig{EventSize: 2, HiddenUnits: []int{4}, Activation: ops.ReLU}, ops.ScaleSoftplus))
	model := must(dist.NewTransformedDistribution(must(dist.StandardNormal(2, tensor.Float32)), flow))
	g := must(bijectors.NewGraph(tensor.Float32))
	x := g.Input("x", 0, 2)
	lp := must(model.LogProbNode(g, x))
	if _, err := engine.NewPlan(g.G, gorgonia.Nodes{x}, gorgonia.Nodes{lp}); !errors.Is(err, engine.ErrEmptyInput) {
		t.Errorf("NewPlan on a [0, 2] input: error %v, want one wrapping ErrEmptyInput", err)
	}
	f, err := engine.NewFunc(g.G, gorgonia.Nodes{x}, gorgonia.Nodes{lp}, engine.Compiled)
	if !errors.Is(err, engine.ErrEmptyInput) {
		t.Fatalf("NewFunc on a [0, 2] input: error %v, want one wrapping ErrEmptyInput (a Func %v)", err, f)
	}
}
