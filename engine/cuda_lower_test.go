package engine_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/nflowgo/nflow/bijectors"
	"github.com/nflowgo/nflow/dist"
	"github.com/nflowgo/nflow/engine"
	"github.com/nflowgo/nflow/ops"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

func TestLaunchGrids(t *testing.T) {
	for _, c := range []struct{ count, blocks int }{{1, 1}, {256, 1}, {257, 2}, {0, 1}, {1 << 30, 65535}} {
		g, b := engine.ElementGrid(c.count)
		if g != [3]int{c.blocks, 1, 1} || b != [3]int{256, 1, 1} {
			t.Errorf("ElementGrid(%d) = %v %v, want %d blocks of 256", c.count, g, b, c.blocks)
		}
	}
	g, b := engine.TileGrid(33, 65)
	if g != [3]int{3, 2, 1} || b != [3]int{32, 8, 1} {
		t.Errorf("TileGrid(33, 65) = %v %v", g, b)
	}
	g, _ = engine.TileGrid(1, 1)
	if g != [3]int{1, 1, 1} {
		t.Errorf("TileGrid(1, 1) = %v", g)
	}
	if g, _ = engine.TileGrid(1<<24, 64); g != [3]int{2, 65535, 1} {
		t.Errorf("TileGrid(2^24, 64) = %v, want grid.y capped at 65535", g)
	}
}

func TestLowerCUDAErrors(t *testing.T) {
	flow := must(bijectors.NewMAFStack(1, bijectors.MADEConfig{EventSize: 2, HiddenUnits: []int{4}, DType: tensor.Float64}, ops.ScaleSoftplus))
	model := must(dist.NewTransformedDistribution(must(dist.StandardNormal(2, tensor.Float64)), flow))
	g, x, outs := lossGraph(model, 3)
	p := must(engine.NewPlan(g.G, gorgonia.Nodes{x}, outs))
	if _, err := engine.LowerCUDA(p); err == nil || !strings.Contains(err.Error(), "float32 only") {
		t.Errorf("float64 plan: error %v", err)
	}
	gg := gorgonia.NewGraph()
	a := gorgonia.NewMatrix(gg, tensor.Float32, gorgonia.WithShape(2, 2), gorgonia.WithName("a"))
	y := gorgonia.Must(gorgonia.Tanh(a))
	p = must(engine.NewPlan(gg, gorgonia.Nodes{a}, gorgonia.Nodes{y}))
	if _, err := engine.LowerCUDA(p); err == nil || !strings.Contains(err.Error(), "tanh") {
		t.Errorf("unsupported op: error %v, want one naming tanh", err)
	}
}

// TestLoweredPlanMatchesCPU lowers training, log_prob and sampling plans
// of random flows, emulates the launches and compares with the CPU program.
func TestLoweredPlanMatchesCPU(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	for trial := 0; trial < 4; trial++ {
		d, n := 1+rng.IntN(3), []int{1, 5, 33}[trial%3]
		model := randomFlow(rng, d, tensor.Float32)
		data := must(model.Sample(n, rng))
		g, x, outs := lossGraph(model, n)
		t.Run(fmt.Sprintf("D%d-N%d", d, n), func(t *testing.T) {
			prog := must(engine.Compile(g.G, gorgonia.Nodes{x}, outs, engine.CPU))
			if err := tensor.Copy(prog.Input(0), data); err != nil {
				t.Fatal(err)
			}
			prog.Run()
			cp, err := engine.LowerCUDA(prog.Plan())
			if err != nil {
				t.Fatal(err)
			}
			bufs := make([][]float32, len(cp.Buffers))
			for i, b := range cp.Buffers {
				switch b.Role {
				case engine.Bound:
					switch v := b.Value.(type) {
					case *tensor.Dense:
						bufs[i] = append([]float32(nil), v.Float32s()...)
					case *gorgonia.F32:
						bufs[i] = []float32{float32(*v)}
					}
				default:
					bufs[i] = make([]float32, b.Size)
				}
			}
			copy(bufs[cp.Inputs[0]], data.Float32s())
			emulate(t, cp, bufs)
			for k, b := range cp.Outputs {
				want := prog.Output(k).Float32s()
				for j, w := range want {
					if got := bufs[b][j]; math.Abs(float64(got-w)) > 1e-4*(1+math.Abs(float64(w))) {
						t.Fatalf("output %d element %d: emulated %g, cpu %g", k, j, got, w)
					}
				}
			}
		})
	}
}

// TestLoweredConditionalPlanMatchesCPU covers the conditional MADE's
// dense_fwd_add through the same emulation.
func TestLoweredConditionalPlanMatchesCPU(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 24))
	if ks := checkLoweredPlan(t, conditionalPlan(rng, 7)); !slices.Contains(ks, "dense_fwd_add") {
		t.Fatalf("the conditional plan launches %v, no dense_fwd_add", ks)
	}
}

// conditionalPlan is the training step of a conditional MAF (MADE with a
// context input: dense_fwd_add) on n rows of random data and context.
func conditionalPlan(rng *rand.Rand, n int) zooPlan {
	flow := must(bijectors.NewMAFStack(2, bijectors.MADEConfig{EventSize: 2, HiddenUnits: []int{8, 8}, Activation: ops.Tanh,
		ContextSize: 3, KernelInit: bijectors.TorchUniform}, ops.ScaleSoftplus))
	model := must(dist.NewTransformedDistribution(must(dist.StandardNormal(2, tensor.Float32)), flow))
	g := must(bijectors.NewGraph(tensor.Float32))
	x := g.Input("x", n, 2)
	g.Context = g.Input("c", n, 3)
	lp := must(model.LogProbNode(g, x))
	cost := must(gorgonia.ApplyOp(ops.NewNegMean(), lp))
	_, params := g.Params()
	outs := append(gorgonia.Nodes{cost}, must(gorgonia.Grad(cost, params...))...)
	return zooPlan{name: fmt.Sprintf("conditional/N%d", n), g: g, inputs: gorgonia.Nodes{x, g.Context},
		feed: []*tensor.Dense{normals(rng, n, 2, 1), normals(rng, n, 3, 1)}, outputs: outs}
}
