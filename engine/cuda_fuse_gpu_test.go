//go:build gpu

package engine_test

import (
	"fmt"
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

// TestCUDABlockProgramMatchesCPU runs training plans (loss and every
// gradient) on the device fused into block programs and unfused (every op
// its general kernel: dense_fwd_add, neg_mean, mask_mul of a perturbed
// mask...), against the CPU, at N = 1, N = 33 (not a multiple of the
// 32-row tile), N = 64 (the fusion limit), D = 1, for a conditional MADE
// (dense_fwd_add), at N = 700 and 1000, where the reductions over the
// batch split in two stages (sum_parts, row_sum_parts), and at N = 8200
// and 8193 (conditional), where the products run on sgemm (FP32: the
// emulator has no tensor cores); parameters perturbed so that masked kernel
// entries are not zero (Init masks them). It logs the largest relative
// difference, max |gpu − cpu| / (1 + max |cpu|) per output.
func TestCUDABlockProgramMatchesCPU(t *testing.T) {
	dev := cudaOrSkip(t)
	rng := rand.New(rand.NewPCG(51, 52))
	defer engine.SetCUDALowerOptions(engine.CUDALowerOptions())
	for _, c := range []struct {
		d, n    int
		hidden  []int
		context int
	}{{1, 1, []int{3}, 0}, {2, 33, []int{40, 33}, 0}, {3, 64, []int{16}, 0}, {2, 7, []int{8, 8}, 3}, {2, 700, []int{8, 8}, 0}, {1, 1000, []int{3}, 0}, {1, 8200, []int{3}, 0}, {3, 8193, []int{5}, 2}} {
		for _, noFuse := range []bool{false, true} {
			t.Run(fmt.Sprintf("D%d-N%d-C%d-nofuse%v", c.d, c.n, c.context, noFuse), func(t *testing.T) {
				engine.SetCUDALowerOptions(engine.LowerOptions{NoFuse: noFuse})
				flow := must(bijectors.NewMAFStack(2, bijectors.MADEConfig{EventSize: c.d, HiddenUnits: c.hidden, Activation: ops.Tanh,
					ContextSize: c.context, Seed: rng.Uint64()}, ops.ScaleSoftplus))
				model := must(dist.NewTransformedDistribution(must(dist.StandardNormal(c.d, tensor.Float32)), flow))
				perturb(model, rng, 0.2)
				g := must(bijectors.NewGraph(tensor.Float32))
				x := g.Input("x", c.n, c.d)
				inputs := gorgonia.Nodes{x}
				if c.context > 0 {
					g.Context = g.Input("c", c.n, c.context)
					inputs = append(inputs, g.Context)
				}
				lp := must(model.LogProbNode(g, x))
				cost := must(gorgonia.ApplyOp(ops.NewNegMean(), lp))
				_, params := g.Params()
				outs := append(gorgonia.Nodes{cost}, must(gorgonia.Grad(cost, params...))...)
				prog := must(engine.Compile(g.G, inputs, outs, engine.CPU))
				var feed []*tensor.Dense
				for i := range inputs {
					in := prog.Input(i)
					for j := range in.Float32s() {
						in.Float32s()[j] = float32(rng.NormFloat64())
					}
					feed = append(feed, in.Clone().(*tensor.Dense))
				}
				prog.Run()
				f := must(engine.NewDeviceFunc(dev, g.G, inputs, outs))
				got := must(f.Call(feed...))
				worst := 0.0
				for k := range outs {
					want := prog.Output(k).Float32s()
					scale := 0.0
					for _, w := range want {
						scale = math.Max(scale, math.Abs(float64(w)))
					}
					for j, w := range want {
						v := got[k].Float32s()[j]
						rel := math.Abs(float64(v-w)) / (1 + scale)
						worst = math.Max(worst, rel)
						if math.IsNaN(float64(v)) || rel > 1e-4 {
							t.Fatalf("output %d (%v) element %d: gpu %g, cpu %g", k, outs[k], j, v, w)
						}
					}
				}
				t.Logf("max relative difference %.2g (tolerance 1e-4)", worst)
			})
		}
	}
}

// TestCUDAFuncRemasksChangedParams changes the host parameters between two
// calls of a device function, masked kernel entries included: the call
// uploads them again, and the stored-masked kernels must be masked again
// (Init) or the second call would read the raw entries.
func TestCUDAFuncRemasksChangedParams(t *testing.T) {
	dev := cudaOrSkip(t)
	rng := rand.New(rand.NewPCG(61, 62))
	model := labModel(2, []int{8})
	g, x, outs := lossGraph(model, 5)
	prog := must(engine.Compile(g.G, gorgonia.Nodes{x}, outs, engine.CPU))
	in := prog.Input(0)
	for j := range in.Float32s() {
		in.Float32s()[j] = float32(rng.NormFloat64())
	}
	f := must(engine.NewDeviceFunc(dev, g.G, gorgonia.Nodes{x}, outs))
	for call := 0; call < 2; call++ {
		if call == 1 {
			perturb(model, rng, 0.3) // every entry, the masked ones too
		}
		prog.Run()
		got := must(f.Call(in.Clone().(*tensor.Dense)))
		for k := range outs {
			for j, w := range prog.Output(k).Float32s() {
				if v := got[k].Float32s()[j]; math.IsNaN(float64(v)) || math.Abs(float64(v-w)) > 1e-4*(1+math.Abs(float64(w))) {
					t.Fatalf("call %d output %d element %d: gpu %g, cpu %g", call, k, j, v, w)
				}
			}
		}
	}
}
