package engine_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/nflowgo/nflow/bijectors"
	"github.com/nflowgo/nflow/dist"
	"github.com/nflowgo/nflow/engine"
	"github.com/nflowgo/nflow/ops"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// labModel is cmd/bench's lab model with the given hidden widths: three
// MAFs of MADE(D, hidden), ReLU, softplus scales.
func labModel(d int, hidden []int) *dist.TransformedDistribution {
	flow := must(bijectors.NewMAFStack(3, bijectors.MADEConfig{EventSize: d, HiddenUnits: hidden, Activation: ops.ReLU, Seed: 1},
		ops.ScaleSoftplus))
	return must(dist.NewTransformedDistribution(must(dist.StandardNormal(d, tensor.Float32)), flow))
}

func labPlan(model *dist.TransformedDistribution, n int) *engine.Plan {
	g, x, outs := lossGraph(model, n)
	return must(engine.NewPlan(g.G, gorgonia.Nodes{x}, outs))
}

// TestLabTrainStepLaunches counts the launches of one lab training step
// at batch 32 (the CUDA graph's nodes): at most 12, with no mask_mul
// outside Init and the plan fused into block programs.
func TestLabTrainStepLaunches(t *testing.T) {
	p := labPlan(labModel(2, []int{128, 128}), 32)
	step, c := must2(engine.TrainStepLaunches(p, 2))
	var names []string
	for _, l := range step {
		names = append(names, l.Kernel)
	}
	t.Logf("lab step at batch 32: %d launches %v (the plan has %d steps)", len(step), names, len(p.Steps))
	if len(step) > 12 {
		t.Errorf("a lab training step at batch 32 is %d launches, want at most 12: %v", len(step), names)
	}
	if !slices.Contains(names, "block_program") {
		t.Errorf("no block_program in %v", names)
	}
	for _, l := range c.Launches {
		if slices.Contains(launchedKernels(&engine.CUDAPlan{Launches: []engine.Launch{l}}), "mask_mul") {
			t.Errorf("a training step runs mask_mul: %v", names)
		}
	}
	if len(c.Init) != 9 {
		t.Errorf("Init has %d launches, want one mask_mul per masked kernel (9)", len(c.Init))
	}
	nPar := 0
	for _, b := range p.Outputs[1:] {
		nPar += p.Buffers[b].Size
	}
	if got := engine.ParamCount(p); got != nPar || nPar != 3*(2*128+128+128*128+128+128*4+4) {
		t.Errorf("ParamCount %d, gradient outputs %d", got, nPar)
	}
}

// TestReductionsSplitAtLargeBatch checks that at N = 65536 every launch
// that reduces over the batch (sgemm's weight gradients, the bias sums,
// the loss and the row sums) has at least 4 blocks per SM of an H200.
func TestReductionsSplitAtLargeBatch(t *testing.T) {
	c := must(engine.LowerCUDA(labPlan(labModel(2, []int{128, 128}), 65536)))
	seen := map[string]bool{}
	for _, l := range c.Launches {
		switch l.Kernel {
		case "sgemm":
			if l.Args[7].Value != 2 { // dx and the forward products are not reductions over the batch
				continue
			}
			fallthrough
		case "dense_grad_w", "col_sum", "row_sum_parts", "log_scale_sum", "normal_log_prob":
			seen[l.Kernel] = true
			if blocks := l.Grid[0] * l.Grid[1] * l.Grid[2]; blocks < engine.MinReduceBlocks {
				t.Errorf("%s grid %v: %d blocks, want at least %d", l.Kernel, l.Grid, blocks, engine.MinReduceBlocks)
			}
		case "neg_mean", "mask_mul", "block_program":
			t.Errorf("N = 65536 launches %s %v", l.Kernel, l.Grid)
		}
	}
	if len(seen) != 5 || seen["dense_grad_w"] { // sgemm's weight gradient at this batch
		t.Errorf("reductions launched: %v", seen)
	}
	if c.Scratch == 0 {
		t.Error("split reductions but no scratch")
	}
}

// TestFusedAndSplitPlansMatchCPU emulates lab-like training plans fused
// (N ≤ 64), unfused, and split over the batch (N = 700), at odd sizes
// (N = 1, N = 65 just past the fusion limit, D = 1), against the CPU.
func TestFusedAndSplitPlansMatchCPU(t *testing.T) {
	rng := rand.New(rand.NewPCG(41, 42))
	for _, c := range []struct {
		d, n    int
		noFuse  bool
		want    string // a kernel the plan must launch
		hidden  []int
		perturb bool
	}{
		{2, 1, false, "block_program", []int{8, 8}, false},
		{1, 33, false, "block_program", []int{5}, true},
		{2, 64, false, "block_program", []int{40, 33}, true},
		{2, 33, true, "dense_grad_w", []int{8, 8}, true},
		{3, 65, false, "dense_grad_w", []int{8, 8}, false},
		{2, 700, false, "sum_parts", []int{8, 8}, true},
		{1, 700, false, "row_sum_parts", []int{3}, false},
		{2, 8200, false, "sgemm", []int{40, 33}, true},
		{3, 8193, false, "sgemm", []int{5}, false},
	} {
		t.Run(fmt.Sprintf("D%d-N%d-nofuse%v", c.d, c.n, c.noFuse), func(t *testing.T) {
			model := labModel(c.d, c.hidden)
			if c.perturb { // masked entries too: Init must mask them
				perturb(model, rng, 0.2)
			}
			g, x, outs := lossGraph(model, c.n)
			prog := must(engine.Compile(g.G, gorgonia.Nodes{x}, outs, engine.CPU))
			in := prog.Input(0).Float32s()
			for i := range in {
				in[i] = float32(rng.NormFloat64())
			}
			cp := must(engine.LowerCUDAWith(prog.Plan(), engine.LowerOptions{NoFuse: c.noFuse}))
			bufs := make([][]float32, len(cp.Buffers))
			for i, b := range cp.Buffers {
				if v, ok := b.Value.(*tensor.Dense); ok {
					bufs[i] = slices.Clone(v.Float32s())
				} else if v, ok := b.Value.(*gorgonia.F32); ok {
					bufs[i] = []float32{float32(*v)}
				} else {
					bufs[i] = make([]float32, b.Size)
				}
			}
			copy(bufs[cp.Inputs[0]], in)
			prog.Run()
			kernels := launchedKernels(cp)
			if !slices.Contains(kernels, c.want) {
				t.Fatalf("no %s among %v", c.want, kernels)
			}
			if c.noFuse && slices.Contains(kernels, "block_program") {
				t.Fatal("NoFuse plan launches block_program")
			}
			emulate(t, cp, bufs)
			for k, b := range cp.Outputs {
				for j, w := range prog.Output(k).Float32s() {
					if got := bufs[b][j]; math.Abs(float64(got-w)) > 1e-4*(1+math.Abs(float64(w))) {
						t.Fatalf("output %d element %d: emulated %g, cpu %g", k, j, got, w)
					}
				}
			}
		})
	}
}
