//go:build gpu

package engine_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"testing"

	"github.com/nflowgo/nflow/engine"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// kernelTolerance is the largest relative difference from the CPU op that
// each kernel may show (see relDiff). Most kernels evaluate as the CPU op
// does (in double, rounded once) or move data, and match it to the bit.
// The tiled products sum their K terms in float32 in another order than
// the CPU's gemm (K·u·Σ|a·b| against the 10⁻³ floor of relDiff: up to
// about 10⁻³ for the K ≤ 16 here), and col_sum, lu_outer and
// const_affine round differently. An op's difference is charged to each
// of its kernels, so sum_parts, the second stage of the reductions split
// over the batch, carries the budget of the first stages it adds up
// (dense_grad_w's, col_sum's, row_sum_parts').
var kernelTolerance = map[string]float64{
	"dense_fwd": 5e-4, "dense_fwd_add": 5e-4, "dense_grad_x": 5e-4, "dense_grad_w": 5e-4, "sgemm": 5e-4,
	"col_sum": 1e-4, "lu_outer": 1e-4, "lu_grad_finish": 1e-4, "const_affine": 1e-5,
	"sum_parts": 5e-4, "row_sum_parts": 1e-5,
}

// defaultKernelTolerance applies to the kernels not listed.
const defaultKernelTolerance = 1e-6

// relDiff is max_j |got_j − want_j| / max(|want_j|, 10⁻³·max_k |want_k|):
// relative to each element, with a floor at a thousandth of the output's
// scale so that entries cancelling to near zero do not dominate. A NaN on
// one side only is +Inf.
func relDiff(got, want []float32) float64 {
	scale := 0.0
	for _, w := range want {
		scale = math.Max(scale, math.Abs(float64(w)))
	}
	worst := 0.0
	for j, w := range want {
		g, w := float64(got[j]), float64(w)
		if math.IsNaN(g) != math.IsNaN(w) {
			return math.Inf(1)
		}
		if math.IsNaN(w) || g == w {
			continue
		}
		den := math.Max(math.Abs(w), 1e-3*scale)
		if den == 0 {
			return math.Inf(1)
		}
		worst = math.Max(worst, math.Abs(g-w)/den)
	}
	return worst
}

// kernelStats is the largest relative difference per kernel and how many
// ops launched it.
type kernelStats struct {
	worst map[string]float64
	runs  map[string]int
}

// checkStepsOnDevice runs every step of zp's plan as a graph of its own on
// the device (each op's kernels, through the driver) and on the CPU, with
// the inputs the CPU computes for that step in the whole plan, and records
// the difference per kernel.
func checkStepsOnDevice(t *testing.T, dev engine.Device, zp zooPlan, st *kernelStats) {
	t.Helper()
	plan := must(engine.NewPlan(zp.g.G, zp.inputs, zp.outputs))
	inputOf := map[int]*tensor.Dense{}
	for k, b := range plan.Inputs {
		inputOf[b] = zp.feed[k]
	}
	outs := make([]*tensor.Dense, len(plan.Steps))
	for i, s := range plan.Steps {
		g := gorgonia.NewGraph()
		ins := make(gorgonia.Nodes, len(s.In))
		vals := make([]*tensor.Dense, len(s.In))
		for j, b := range s.In {
			shape := s.Shapes[j]
			if len(shape) == 0 {
				ins[j] = gorgonia.NewScalar(g, tensor.Float32, gorgonia.WithName(fmt.Sprint("in", j)))
			} else {
				ins[j] = gorgonia.NewTensor(g, tensor.Float32, len(shape), gorgonia.WithShape(shape...), gorgonia.WithName(fmt.Sprint("in", j)))
			}
			var src []float32
			switch {
			case s.From[j] >= 0:
				src = outs[s.From[j]].Float32s()
			case inputOf[b] != nil:
				src = inputOf[b].Float32s()
			default:
				switch v := plan.Buffers[b].Value.(type) {
				case *tensor.Dense:
					src = v.Float32s()
				case *gorgonia.F32:
					src = []float32{float32(*v)}
				default:
					t.Fatalf("%s step %d (%v): input %d has no value", zp.name, i, s.Op, j)
				}
			}
			vals[j] = tensor.New(tensor.WithShape(max(shape.TotalSize(), 1)), tensor.WithBacking(append([]float32(nil), src...)))
		}
		y, err := gorgonia.ApplyOp(s.Op, ins...)
		if err != nil {
			t.Fatalf("%s step %d: %v on inputs %v: %v", zp.name, i, s.Op, s.Shapes, err)
		}
		cpu := must(engine.Compile(g, ins, gorgonia.Nodes{y}, engine.CPU))
		for j, v := range vals {
			copy(cpu.Input(j).Float32s(), v.Float32s())
		}
		cpu.Run()
		want := append([]float32(nil), cpu.Output(0).Float32s()...)
		outs[i] = tensor.New(tensor.WithShape(len(want)), tensor.WithBacking(want))
		lowered := must(engine.LowerCUDA(cpu.Plan()))
		if len(lowered.Launches) == 0 {
			continue // a view: nothing runs on the device
		}
		f, err := engine.NewDeviceFunc(dev, g, ins, gorgonia.Nodes{y})
		if err != nil {
			t.Fatalf("%s step %d (%v): %v", zp.name, i, s.Op, err)
		}
		got, err := f.Call(vals...)
		if err != nil {
			t.Fatalf("%s step %d (%v): %v", zp.name, i, s.Op, err)
		}
		d := relDiff(got[0].Float32s(), want)
		seen := map[string]bool{}
		for _, l := range lowered.Launches {
			k := l.Kernel
			tol, ok := kernelTolerance[k]
			if !ok {
				tol = defaultKernelTolerance
			}
			if d > tol {
				t.Errorf("%s step %d (%v, inputs %v, kernels %v): relative difference %.3g from the CPU, tolerance %.0e",
					zp.name, i, s.Op, s.Shapes, launchNames(lowered), d, tol)
			}
			if !seen[k] {
				seen[k] = true
				st.worst[k] = math.Max(st.worst[k], d)
				st.runs[k]++
			}
		}
	}
}

func launchNames(c *engine.CUDAPlan) []string {
	var s []string
	for _, l := range c.Launches {
		s = append(s, l.Kernel)
	}
	return s
}

// TestCUDAKernelsMatchCPUOps runs each op of training plans (density and
// forward direction, loss and every gradient) of the flow zoo, random
// MAF stacks and a conditional MADE on the device, one op at a time, and
// compares it with the op's CPU kernel at odd sizes: N = 1, N = 257 (not a
// multiple of the 256-thread block or the 32-row tile), D = 1. It logs the
// largest relative difference per kernel.
func TestCUDAKernelsMatchCPUOps(t *testing.T) {
	dev := cudaOrSkip(t)
	st := &kernelStats{worst: map[string]float64{}, runs: map[string]int{}}
	rng := rand.New(rand.NewPCG(41, 42))
	for _, c := range []struct{ d, n int }{{1, 1}, {3, 257}, {2, 33}} {
		model := randomFlow(rng, c.d, tensor.Float32)
		data := must(model.Sample(c.n, rng))
		g, x, outs := lossGraph(model, c.n)
		checkStepsOnDevice(t, dev, zooPlan{name: fmt.Sprintf("maf/D%d-N%d", c.d, c.n), g: g, inputs: gorgonia.Nodes{x},
			feed: []*tensor.Dense{data}, outputs: outs}, st)
	}
	for _, kind := range zooKinds {
		for _, c := range []struct{ d, n int }{{2, 1}, {3, 257}} {
			for _, zp := range zooPlans(rng, kind, c.d, c.n) {
				zp.name = fmt.Sprintf("%s/D%d-N%d/%s", kind, c.d, c.n, zp.name)
				checkStepsOnDevice(t, dev, zp, st)
			}
		}
	}
	checkStepsOnDevice(t, dev, conditionalPlan(rng, 7), st)
	names := make([]string, 0, len(st.worst))
	for k := range st.worst {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		tol, ok := kernelTolerance[k]
		if !ok {
			tol = defaultKernelTolerance
		}
		t.Logf("kernel %-22s max relative difference %.2e (tolerance %.0e, %d ops)", k, st.worst[k], tol, st.runs[k])
	}
}
