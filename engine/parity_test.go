package engine_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/nflowgo/nflow/bijectors"
	"github.com/nflowgo/nflow/dist"
	"github.com/nflowgo/nflow/engine"
	"github.com/nflowgo/nflow/ops"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// randomFlow builds a flow from every foundation bijector around MAFs with
// random sizes and options.
func randomFlow(rng *rand.Rand, d int, dt tensor.Dtype) *dist.TransformedDistribution {
	acts := []ops.Activation{ops.ReLU, ops.Tanh, ops.Sigmoid, ops.Softplus, ops.ELU, ops.Identity}
	scales := []ops.ScaleFn{ops.ScaleSoftplus, ops.ScaleExp, ops.ScaleSoftClip}
	orders := []bijectors.InputOrder{bijectors.LeftToRight, bijectors.RightToLeft, bijectors.RandomOrder}
	maf := func() bijectors.Bijector {
		h := []int{1 + rng.IntN(12), 1 + rng.IntN(12)}[:1+rng.IntN(2)]
		net := must(bijectors.NewAutoregressiveNetwork(bijectors.MADEConfig{Params: 2, EventSize: d, HiddenUnits: h,
			Activation: acts[rng.IntN(len(acts))], InputOrder: orders[rng.IntN(len(orders))], Seed: rng.Uint64(),
			KernelInit: bijectors.TorchUniform, DType: dt}))
		return must(bijectors.NewMaskedAutoregressiveFlow(net, scales[rng.IntN(len(scales))]))
	}
	vec := func(lo, hi float64) []float64 {
		v := make([]float64, d)
		for i := range v {
			v[i] = lo + (hi-lo)*rng.Float64()
		}
		return v
	}
	perm := rng.Perm(d)
	chain := must(bijectors.Chain(
		bijectors.Softplus(), // outermost: data in (0, ∞)
		must(bijectors.Shift(vec(-1, 1))),
		bijectors.Invert(maf()), // an IAF: D-pass density
		must(bijectors.Scale(vec(0.5, 2))),
		must(bijectors.ScaleFromLog(vec(-0.3, 0.3))),
		must(bijectors.ScaleMatvecDiag(vec(0.5, 1.5))),
		must(bijectors.Permute(perm)),
		bijectors.Invert(bijectors.Tanh()), bijectors.Tanh(),
		bijectors.Invert(bijectors.Sigmoid()), bijectors.Sigmoid(),
		bijectors.Invert(bijectors.Exp()), bijectors.Exp(),
		maf(), maf(),
	))
	return must(dist.NewTransformedDistribution(must(dist.StandardNormal(d, dt)), chain))
}

// lossGraph builds the mean-NLL training graph of model on n rows.
func lossGraph(model dist.Distribution, n int) (*bijectors.Graph, *gorgonia.Node, gorgonia.Nodes) {
	g := must(bijectors.NewGraph(model.DType()))
	x := g.Input("x", n, model.EventSize())
	lp := must(model.LogProbNode(g, x))
	cost := must(gorgonia.ApplyOp(ops.NewNegMean(), lp))
	_, params := g.Params()
	grads := must(gorgonia.Grad(cost, params...))
	return g, x, append(gorgonia.Nodes{cost}, grads...)
}

// TestProgramMatchesTapeMachine compares a compiled training step (loss
// and every gradient) with Gorgonia's TapeMachine on random flows.
func TestProgramMatchesTapeMachine(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for trial := 0; trial < 6; trial++ {
		for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
			d := 1 + rng.IntN(4)
			n := 1 + rng.IntN(20)
			model := randomFlow(rng, d, dt)
			data := must(model.Sample(n, rng))

			g, x, outs := lossGraph(model, n)
			prog, err := engine.Compile(g.G, gorgonia.Nodes{x}, outs, engine.CPU)
			if err != nil {
				t.Fatal(err)
			}
			if err := tensor.Copy(prog.Input(0), data); err != nil {
				t.Fatal(err)
			}
			prog.Run()

			tg, tx, touts := lossGraph(model, n)
			m := gorgonia.NewTapeMachine(tg.G)
			if err := gorgonia.Let(tx, data); err != nil {
				t.Fatal(err)
			}
			if err := m.RunAll(); err != nil {
				t.Fatal(err)
			}
			tol := 1e-10
			if dt == tensor.Float32 {
				tol = 1e-4
			}
			for i, o := range touts {
				want := dist.Float64s(valueDense(o.Value()))
				got := dist.Float64s(prog.Output(i))
				scale := 0.0
				for _, w := range want {
					scale = math.Max(scale, math.Abs(w))
				}
				for j := range want {
					if math.IsNaN(got[j]) || math.Abs(got[j]-want[j]) > tol*(1+scale) {
						t.Fatalf("trial %d %v D=%d N=%d: output %d (%v) element %d: program %.12g, TapeMachine %.12g",
							trial, dt, d, n, i, o, j, got[j], want[j])
					}
				}
			}
			m.Close()
		}
	}
}

func valueDense(v gorgonia.Value) *tensor.Dense {
	switch x := v.(type) {
	case *tensor.Dense:
		return x
	case *gorgonia.F32:
		return tensor.New(tensor.WithShape(1), tensor.WithBacking([]float32{float32(*x)}))
	case *gorgonia.F64:
		return tensor.New(tensor.WithShape(1), tensor.WithBacking([]float64{float64(*x)}))
	}
	panic("unexpected value")
}

// TestRunDoesNotAllocate checks a whole training step of the lab's model
// — forward, backward and the fused Adam update — allocates nothing.
func TestRunDoesNotAllocate(t *testing.T) {
	flow := must(bijectors.NewMAFStack(3, bijectors.MADEConfig{EventSize: 2, HiddenUnits: []int{128, 128}, Activation: ops.ReLU}, ops.ScaleSoftplus))
	model := must(dist.NewTransformedDistribution(must(dist.StandardNormal(2, tensor.Float32)), flow))
	g, x, outs := lossGraph(model, 32)
	prog := must(engine.Compile(g.G, gorgonia.Nodes{x}, outs, engine.CPU))
	var values []*tensor.Dense
	for _, p := range model.Params() {
		values = append(values, p.Value)
	}
	adam := must(engine.NewAdam(values, 1e-3, 0, 0, 0))
	grads := make([][]float32, len(values))
	for i := range grads {
		grads[i] = prog.Output(i + 1).Float32s()
	}
	in := prog.Input(0).Float32s()
	for i := range in {
		in[i] = float32(i%7) * 0.1
	}
	step := func() {
		prog.Run()
		adam.Step32(grads)
	}
	step()
	if a := testing.AllocsPerRun(20, step); a != 0 {
		t.Errorf("a training step allocates %v times, want 0", a)
	}
	if l := prog.Output(0).Float32s()[0]; math.IsNaN(float64(l)) {
		t.Errorf("loss is NaN")
	}
}

// TestMissingKernelIsACompileError checks that an op without a kernel on
// the device fails Compile with its name.
func TestMissingKernelIsACompileError(t *testing.T) {
	g := gorgonia.NewGraph()
	a := gorgonia.NewMatrix(g, tensor.Float32, gorgonia.WithShape(2, 2), gorgonia.WithName("a"))
	y := must(gorgonia.Tanh(a))
	_, err := engine.Compile(g, gorgonia.Nodes{a}, gorgonia.Nodes{y}, engine.CPU)
	if err == nil {
		t.Fatal("Compile accepted an op with no kernel")
	}
	if want := "tanh"; !contains(err.Error(), want) {
		t.Errorf("error %q does not name the op %q", err, want)
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}
