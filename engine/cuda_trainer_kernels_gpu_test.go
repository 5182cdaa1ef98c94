//go:build gpu

package engine_test

import (
	"errors"
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

// trainerTolerance bounds the relative difference (relDiff) of the device
// trainer's per-step losses (gather_batch, the loss kernels, train_guard)
// and of its parameters after the steps (adam_step) from the same steps on
// the CPU: end to end, so it includes the gradient kernels' differences.
const trainerTolerance = 1e-4

// trainerModel is a two-layer MAF on D = 2 with the given seed.
func trainerModel() *dist.TransformedDistribution {
	flow := must(bijectors.NewMAFStack(2, bijectors.MADEConfig{EventSize: 2, HiddenUnits: []int{7}, Activation: ops.Tanh, Seed: 9},
		ops.ScaleSoftplus))
	return must(dist.NewTransformedDistribution(must(dist.StandardNormal(2, tensor.Float32)), flow))
}

// cpuTrainSteps runs the steps of one epoch over rows in order on the CPU,
// applying Adam after every step whose loss is finite, and returns the
// losses and the parameters.
func cpuTrainSteps(data []float32, rows, batch int) ([]float64, [][]float32) {
	model := trainerModel()
	var params []*tensor.Dense
	for _, p := range model.Params() {
		params = append(params, p.Value)
	}
	adam := must(engine.NewAdam(params, 0, 0, 0, 0))
	var losses []float64
	for lo := 0; lo < rows; lo += batch {
		hi := min(lo+batch, rows)
		g, x, outs := lossGraph(model, hi-lo)
		prog := must(engine.Compile(g.G, gorgonia.Nodes{x}, outs, engine.CPU))
		copy(prog.Input(0).Float32s(), data[lo*2:hi*2])
		prog.Run()
		l := float64(prog.Output(0).Float32s()[0])
		losses = append(losses, l)
		if math.IsNaN(l) || math.IsInf(l, 0) {
			continue
		}
		grads := make([][]float32, len(params))
		for i := range grads {
			grads[i] = prog.Output(i + 1).Float32s()
		}
		adam.Step32(grads)
	}
	var out [][]float32
	for _, p := range params {
		out = append(out, append([]float32(nil), p.Float32s()...))
	}
	return losses, out
}

// TestCUDATrainerKernelsMatchCPU runs one epoch of 33 rows in batches of 16
// (two full batches and one of a single row) on the device, kernel by
// kernel and replayed as CUDA graphs, and compares the losses and the
// parameters with the CPU. With a NaN in the last batch, the device must
// report that step as non-finite (train_guard) and keep the parameters of
// the steps before it (train_guard leaves t and adam_step skips).
func TestCUDATrainerKernelsMatchCPU(t *testing.T) {
	dev := cudaOrSkip(t)
	const rows, batch = 33, 16
	rng := rand.New(rand.NewPCG(7, 8))
	clean := must(trainerModel().Sample(rows, rng)).Float32s()
	poisoned := append([]float32(nil), clean...)
	poisoned[2*32+1] = float32(math.NaN())
	order := make([]int, rows)
	for i := range order {
		order[i] = i
	}
	worstLoss, worstParam := 0.0, 0.0
	for _, c := range []struct {
		name   string
		data   []float32
		graphs bool
	}{{"clean", clean, false}, {"clean-graphs", clean, true}, {"nan-last-batch", poisoned, false}, {"nan-last-batch-graphs", poisoned, true}} {
		t.Run(c.name, func(t *testing.T) {
			wantLoss, wantParams := cpuTrainSteps(c.data, rows, batch)
			model := trainerModel()
			var params []*tensor.Dense
			for _, p := range model.Params() {
				params = append(params, p.Value)
			}
			plan := func(n int) *engine.Plan {
				g, x, outs := lossGraph(model, n)
				return must(engine.NewPlan(g.G, gorgonia.Nodes{x}, outs))
			}
			tr, err := engine.NewDeviceTrainer(dev, engine.TrainSpec{Full: plan(batch), Rest: plan(rows % batch), Params: params,
				Data: c.data, Rows: rows, Cols: 2, Batch: batch, Graphs: c.graphs})
			if err != nil {
				t.Fatal(err)
			}
			defer tr.Close()
			losses, err := tr.Epoch(order)
			var nf *engine.NonFiniteStep
			if c.data[2*32+1] != c.data[2*32+1] {
				if !errors.As(err, &nf) || nf.Step != 2 {
					t.Fatalf("epoch with a NaN in step 2: error %v, want a NonFiniteStep at step 2", err)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if len(losses) != len(wantLoss) {
				t.Fatalf("%d losses, want %d", len(losses), len(wantLoss))
			}
			for s := range wantLoss {
				g, w := []float32{float32(losses[s])}, []float32{float32(wantLoss[s])}
				d := relDiff(g, w)
				if d > trainerTolerance {
					t.Errorf("step %d: device loss %g, cpu %g (relative difference %.3g, tolerance %.0e)", s, losses[s], wantLoss[s], d, trainerTolerance)
				}
				if !math.IsNaN(wantLoss[s]) {
					worstLoss = max(worstLoss, d)
				}
			}
			if err := tr.Sync(); err != nil {
				t.Fatal(err)
			}
			for i, p := range params {
				d := relDiff(p.Float32s(), wantParams[i])
				if d > trainerTolerance {
					t.Errorf("parameter %d (%s): relative difference %.3g from the cpu after the epoch, tolerance %.0e",
						i, model.Params()[i].Name, d, trainerTolerance)
				}
				worstParam = max(worstParam, d)
			}
		})
	}
	for _, r := range []struct {
		kernel string
		d      float64
	}{{"gather_batch", worstLoss}, {"train_guard", worstLoss}, {"adam_step", worstParam}} {
		t.Logf("kernel %-22s max relative difference %.2e (tolerance %.0e, %s)", r.kernel, r.d, trainerTolerance,
			map[bool]string{true: "the step losses", false: "the parameters after an epoch"}[r.kernel != "adam_step"])
	}
}
