//go:build gpu

package engine_test

import (
	"errors"
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

func cudaOrSkip(t *testing.T) engine.Device {
	t.Helper()
	dev, err := engine.DeviceByName("cuda")
	if err != nil {
		t.Skip(err) // "no usable CUDA device: <reason>"
	}
	return dev
}

// TestCUDAProgramMatchesCPU runs the training plans of random flows (every
// kernel the lowering uses) on the GPU and on the CPU, at odd sizes: N = 1,
// N not a multiple of the block or tile size, D = 1.
func TestCUDAProgramMatchesCPU(t *testing.T) {
	dev := cudaOrSkip(t)
	rng := rand.New(rand.NewPCG(31, 32))
	for trial, size := range [][2]int{{1, 1}, {1, 3}, {2, 33}, {3, 257}, {2, 1000}, {4, 5}} {
		d, n := size[0], size[1]
		t.Run(fmt.Sprintf("%d-D%d-N%d", trial, d, n), func(t *testing.T) {
			model := randomFlow(rng, d, tensor.Float32)
			data := must(model.Sample(n, rng))
			g, x, outs := lossGraph(model, n)
			prog := must(engine.Compile(g.G, gorgonia.Nodes{x}, outs, engine.CPU))
			if err := tensor.Copy(prog.Input(0), data); err != nil {
				t.Fatal(err)
			}
			prog.Run()
			f, err := engine.NewDeviceFunc(dev, g.G, gorgonia.Nodes{x}, outs)
			if err != nil {
				t.Fatal(err)
			}
			got, err := f.Call(data)
			if err != nil {
				t.Fatal(err)
			}
			for k := range outs {
				want := prog.Output(k).Float32s()
				scale := 0.0
				for _, w := range want {
					scale = math.Max(scale, math.Abs(float64(w)))
				}
				for j, w := range want {
					if v := got[k].Float32s()[j]; math.IsNaN(float64(v)) || math.Abs(float64(v-w)) > 1e-3*(1+scale) {
						t.Fatalf("output %d (%v) element %d: gpu %g, cpu %g", k, outs[k], j, v, w)
					}
				}
			}
		})
	}
}

// TestCUDATrainerMatchesCPU trains the same model for one epoch on the GPU
// (with and without graph replay) and on the CPU, visiting rows in the
// same order, and compares losses and parameters.
func TestCUDATrainerMatchesCPU(t *testing.T) {
	dev := cudaOrSkip(t)
	for _, graphs := range []bool{false, true} {
		build := func() *dist.TransformedDistribution {
			flow := must(bijectors.NewMAFStack(2, bijectors.MADEConfig{EventSize: 2, HiddenUnits: []int{32, 32}, Activation: ops.ReLU, Seed: 3}, ops.ScaleSoftplus))
			return must(dist.NewTransformedDistribution(must(dist.StandardNormal(2, tensor.Float32)), flow))
		}
		gpuModel, cpuModel := build(), build()
		const rows, batch = 100, 16
		rng := rand.New(rand.NewPCG(5, 6))
		data := must(gpuModel.Sample(rows, rng))
		order := rng.Perm(rows)

		var params []*tensor.Dense
		for _, p := range gpuModel.Params() {
			params = append(params, p.Value)
		}
		plan := func(n int) *engine.Plan {
			g, x, outs := lossGraph(gpuModel, n)
			return must(engine.NewPlan(g.G, gorgonia.Nodes{x}, outs))
		}
		tr, err := engine.NewDeviceTrainer(dev, engine.TrainSpec{Full: plan(batch), Rest: plan(rows % batch), Params: params,
			Data: data.Float32s(), Rows: rows, Cols: 2, Batch: batch, Graphs: graphs})
		if err != nil {
			t.Fatal(err)
		}
		var losses []float64
		for e := 0; e < 2; e++ {
			l, err := tr.Epoch(order)
			if err != nil {
				t.Fatal(err)
			}
			losses = append(losses, l...)
		}
		if err := tr.Sync(); err != nil {
			t.Fatal(err)
		}
		tr.Close()

		// The same steps on the CPU.
		var cpuParams []*tensor.Dense
		for _, p := range cpuModel.Params() {
			cpuParams = append(cpuParams, p.Value)
		}
		adam := must(engine.NewAdam(cpuParams, 0, 0, 0, 0))
		step := 0
		for e := 0; e < 2; e++ {
			for lo := 0; lo < rows; lo += batch {
				hi := min(lo+batch, rows)
				g, x, outs := lossGraph(cpuModel, hi-lo)
				prog := must(engine.Compile(g.G, gorgonia.Nodes{x}, outs, engine.CPU))
				in := prog.Input(0).Float32s()
				for r, i := range order[lo:hi] {
					copy(in[r*2:r*2+2], data.Float32s()[i*2:i*2+2])
				}
				prog.Run()
				if l := float64(prog.Output(0).Float32s()[0]); math.Abs(l-losses[step]) > 1e-3*(1+math.Abs(l)) {
					t.Fatalf("graphs=%v step %d: gpu loss %g, cpu %g", graphs, step, losses[step], l)
				}
				grads := make([][]float32, len(cpuParams))
				for i := range grads {
					grads[i] = prog.Output(i + 1).Float32s()
				}
				adam.Step32(grads)
				step++
			}
		}
		for i, p := range params {
			for j, v := range p.Float32s() {
				if w := cpuParams[i].Float32s()[j]; math.Abs(float64(v-w)) > 1e-3*(1+math.Abs(float64(w))) {
					t.Fatalf("graphs=%v parameter %d element %d: gpu %g, cpu %g", graphs, i, j, v, w)
				}
			}
		}
	}
}

// TestCUDAEmptyInputIsTheCPUError compiles a density graph and a sampling
// graph on zero rows for the GPU: each is the error the CPU's plan gives
// (wrapping ErrEmptyInput), never a panic at the call.
func TestCUDAEmptyInputIsTheCPUError(t *testing.T) {
	dev := cudaOrSkip(t)
	model := randomFlow(rand.New(rand.NewPCG(7, 8)), 2, tensor.Float32)
	g := must(bijectors.NewGraph(tensor.Float32))
	x := g.Input("x", 0, 2)
	lp := must(model.LogProbNode(g, x))
	_, cpuErr := engine.NewPlan(g.G, gorgonia.Nodes{x}, gorgonia.Nodes{lp})
	if !errors.Is(cpuErr, engine.ErrEmptyInput) {
		t.Fatalf("cpu plan on a [0, 2] input: error %v, want one wrapping ErrEmptyInput", cpuErr)
	}
	f, err := engine.NewDeviceFunc(dev, g.G, gorgonia.Nodes{x}, gorgonia.Nodes{lp})
	if err == nil {
		_, err = f.Call(tensor.New(tensor.WithShape(0, 2), tensor.Of(tensor.Float32)))
	}
	if err == nil || err.Error() != cpuErr.Error() {
		t.Errorf("gpu density on a [0, 2] input: error %v, want the cpu's %q", err, cpuErr)
	}
	gs := must(bijectors.NewGraph(tensor.Float32))
	z := gs.Input("z", 0, 2)
	y, _, err := model.Bijector.ForwardNode(gs, z)
	if err != nil {
		t.Fatal(err)
	}
	s, err := engine.NewDeviceSampler(dev, gs.G, z, gorgonia.Nodes{y})
	if err == nil {
		_, err = s.Sample(1)
	}
	if !errors.Is(err, engine.ErrEmptyInput) {
		t.Errorf("gpu sampler on a [0, 2] input: error %v, want one wrapping ErrEmptyInput", err)
	}
}
