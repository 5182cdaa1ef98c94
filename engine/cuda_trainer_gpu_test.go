//go:build gpu

package engine_test

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/nflowgo/nflow/engine"
	"gorgonia.org/tensor"
)

// TestCUDATrainerClearsBadEachEpoch trains an epoch whose first batch
// holds a NaN row: the epoch reports the non-finite step and keeps the
// initial parameters (every later step is skipped). The next epoch, in an
// order that avoids the row, must train normally: the engine clears the
// non-finite flag at the start of an epoch (it used to stay set, failing
// every later epoch).
func TestCUDATrainerClearsBadEachEpoch(t *testing.T) {
	dev := cudaOrSkip(t)
	model := labModel(2, []int{16, 16})
	const rows, batch = 40, 8
	rng := rand.New(rand.NewPCG(7, 8))
	data := make([]float32, rows*2)
	for i := range data {
		data[i] = float32(rng.NormFloat64())
	}
	data[0] = float32(math.NaN())
	var params []*tensor.Dense
	var initial [][]float32
	for _, p := range model.Params() {
		params = append(params, p.Value)
		initial = append(initial, slices.Clone(p.Value.Float32s()))
	}
	for _, graphs := range []bool{false, true} {
		tr, err := engine.NewDeviceTrainer(dev, engine.TrainSpec{Full: labPlan(model, batch), Params: params, Data: data,
			Rows: rows, Cols: 2, Batch: batch, Graphs: graphs})
		if err != nil {
			t.Fatal(err)
		}
		order := make([]int, rows) // row 0 first
		for i := range order {
			order[i] = i
		}
		var bad *engine.NonFiniteStep
		if _, err := tr.Epoch(order); !errors.As(err, &bad) || bad.Step != 0 {
			t.Fatalf("graphs=%v: epoch with a NaN row: error %v, want a non-finite step 1", graphs, err)
		}
		if err := tr.Sync(); err != nil {
			t.Fatal(err)
		}
		for i, p := range params {
			if !slices.Equal(p.Float32s(), initial[i]) {
				t.Fatalf("graphs=%v: parameter %d changed in an epoch whose first step was not finite", graphs, i)
			}
		}
		order[0] = 1 // the NaN row is never visited
		losses, err := tr.Epoch(order)
		if err != nil {
			t.Fatalf("graphs=%v: finite epoch after a non-finite one: %v", graphs, err)
		}
		if len(losses) != rows/batch || slices.ContainsFunc(losses, func(l float64) bool { return math.IsNaN(l) || math.IsInf(l, 0) }) {
			t.Fatalf("graphs=%v: losses %v, want %d finite ones", graphs, losses, rows/batch)
		}
		if err := tr.Sync(); err != nil {
			t.Fatal(err)
		}
		moved := false
		for i, p := range params {
			moved = moved || !slices.Equal(p.Float32s(), initial[i])
		}
		if !moved {
			t.Fatalf("graphs=%v: a finite epoch left every parameter unchanged", graphs)
		}
		tr.Close()
		for i, p := range params { // the next trainer starts from the same parameters
			copy(p.Float32s(), initial[i])
		}
	}
}
