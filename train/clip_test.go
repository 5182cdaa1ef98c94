package train

import (
	"math"
	"testing"

	"github.com/nflowgo/nflow/dist"
	"github.com/nflowgo/nflow/ops"
	"gorgonia.org/tensor"
)

func TestClipGradsRescalesToTheNorm(t *testing.T) {
	g32 := [][]float32{{3, 0}, {4}}
	clipGrads(g32, nil, 1)
	if math.Abs(float64(g32[0][0])-0.6) > 1e-6 || math.Abs(float64(g32[1][0])-0.8) > 1e-6 || g32[0][1] != 0 {
		t.Errorf("clip 1 of (3, 0, 4): got %v, want (0.6, 0, 0.8)", g32)
	}
	g64 := [][]float64{{3}, {-4}}
	clipGrads(nil, g64, 10) // norm 5 is within 10: unchanged
	if g64[0][0] != 3 || g64[1][0] != -4 {
		t.Errorf("clip 10 of (3, -4): got %v, want it unchanged", g64)
	}
	clipGrads(nil, g64, 0) // 0: no clipping
	clipGrads(nil, g64, 2.5)
	if math.Abs(g64[0][0]-1.5) > 1e-12 || math.Abs(g64[1][0]+2) > 1e-12 {
		t.Errorf("clip 2.5 of (3, -4): got %v, want (1.5, -2)", g64)
	}
}

// With a bound far above every gradient's norm clipping changes nothing;
// with a tiny one, the steps after the first differ (Adam is invariant to
// a constant rescaling, not to a per-step one).
func TestFitClipNorm(t *testing.T) {
	fit := func(clip float64) []float64 {
		m := smallFlow(tensor.Float64, ops.ScaleSoftplus)
		x := moons(256, 3, tensor.Float64)
		if _, err := Fit(m, x, Config{Epochs: 2, BatchSize: 64, Seed: 2, ClipNorm: clip}); err != nil {
			t.Fatal(err)
		}
		var out []float64
		for _, p := range m.Params() {
			out = append(out, dist.Float64s(p.Value)...)
		}
		return out
	}
	none, huge, tiny := fit(0), fit(1e30), fit(1e-3)
	same, diff := true, 0.0
	for i := range none {
		same = same && none[i] == huge[i]
		diff = math.Max(diff, math.Abs(none[i]-tiny[i]))
	}
	if !same {
		t.Error("ClipNorm 1e30 changed the fit; expected the unclipped parameters exactly")
	}
	if !(diff > 1e-6) {
		t.Errorf("ClipNorm 1e-3 left the parameters within %g of the unclipped fit; expected it to change them", diff)
	}
	if _, err := Fit(smallFlow(tensor.Float64, ops.ScaleSoftplus), moons(64, 1, tensor.Float64), Config{ClipNorm: math.Inf(1)}); err == nil {
		t.Error("ClipNorm +Inf: expected an error")
	}
}
