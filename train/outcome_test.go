package train

import (
	"errors"
	"io"
	"math"
	"strings"
	"testing"

	"github.com/nflowgo/nflow/dist"
	"github.com/nflowgo/nflow/ops"
	"gorgonia.org/tensor"
)

// closeAfter is a Progress writer that closes stop after n epoch lines.
type closeAfter struct {
	n    int
	stop chan struct{}
}

func (w *closeAfter) Write(p []byte) (int, error) {
	if w.n--; w.n == 0 {
		close(w.stop)
	}
	return len(p), nil
}

// params returns a copy of every parameter value of the model.
func params(t *testing.T, ps []*tensor.Dense) [][]float64 {
	t.Helper()
	var out [][]float64
	for _, p := range ps {
		out = append(out, append([]float64(nil), p.Float64s()...))
	}
	return out
}

// TestDivergenceKeepsTheBestEpoch trains with a learning rate that grows
// along a cosine to 1, so that training goes well and then diverges: Fit
// must say so and put back the best epoch's parameters, the same ones a
// run stopped right after that epoch keeps.
func TestDivergenceKeepsTheBestEpoch(t *testing.T) {
	x := moons(256, 2, tensor.Float64)
	cfg := Config{Epochs: 30, BatchSize: 32, LearningRate: 1e-3, FinalLearningRate: 10, Seed: 3}
	m := smallFlow(tensor.Float64, ops.ScaleExp)
	h, err := Fit(m, x, cfg)
	var de *DivergedError
	var nf *NonFiniteError
	best := 0
	switch {
	case errors.As(err, &de):
		best = de.BestEpoch
		if !strings.Contains(err.Error(), "diverged at epoch") || !(de.Loss > de.Ref) {
			t.Errorf("DivergedError %q: loss %g, reference %g", err, de.Loss, de.Ref)
		}
	case errors.As(err, &nf):
		best = nf.BestEpoch
	default:
		t.Fatalf("error %v, expected a DivergedError or NonFiniteError; losses %v", err, h.Loss)
	}
	if best < 1 || best != h.BestEpoch || len(h.Loss) <= best {
		t.Fatalf("restored epoch %d, history's best %d of %d epochs: expected a best epoch before the divergence", best, h.BestEpoch, len(h.Loss))
	}
	t.Logf("%v after %d epochs", err, len(h.Loss))
	got := params(t, valuesOf(m))

	// The same run, stopped after the best epoch, keeps that epoch.
	m2 := smallFlow(tensor.Float64, ops.ScaleExp)
	cfg.RestoreBest = true
	w := &closeAfter{n: best, stop: make(chan struct{})}
	cfg.Progress, cfg.Stop = w, w.stop
	h2, err := Fit(m2, x, cfg)
	if !errors.Is(err, ErrStopped) || h2.BestEpoch != best {
		t.Fatalf("stopped run: error %v, best epoch %d; expected ErrStopped and epoch %d", err, h2.BestEpoch, best)
	}
	want := params(t, valuesOf(m2))
	for i := range want {
		for j := range want[i] {
			if math.Float64bits(got[i][j]) != math.Float64bits(want[i][j]) {
				t.Fatalf("parameter %d[%d] is %g after the divergence, %g at the end of epoch %d", i, j, got[i][j], want[i][j], best)
			}
		}
	}
}

// TestDivergenceWithoutABestEpoch: a learning rate so large that the first
// epoch already diverges leaves no epoch to keep, and Fit says so.
func TestDivergenceWithoutABestEpoch(t *testing.T) {
	x := moons(256, 2, tensor.Float64)
	m := smallFlow(tensor.Float64, ops.ScaleSoftplus)
	h, err := Fit(m, x, Config{Epochs: 3, BatchSize: 32, LearningRate: 1e3, Seed: 3})
	var de *DivergedError
	var nf *NonFiniteError
	switch {
	case errors.As(err, &de):
		if de.BestEpoch != 0 || !strings.Contains(err.Error(), "not usable") {
			t.Errorf("DivergedError %q with best epoch %d, expected none", err, de.BestEpoch)
		}
	case errors.As(err, &nf):
		if nf.BestEpoch != 0 {
			t.Errorf("NonFiniteError with best epoch %d, expected none", nf.BestEpoch)
		}
	default:
		t.Fatalf("error %v, expected a divergence in the first epoch; losses %v", err, h.Loss)
	}
	if h.BestEpoch != 0 {
		t.Errorf("history's best epoch %d, expected 0", h.BestEpoch)
	}
}

// TestStopEndsAtTheStep: a Stop closed before training ends it after the
// first step, with no epoch recorded.
func TestStopEndsAtTheStep(t *testing.T) {
	x := moons(256, 2, tensor.Float32)
	m := smallFlow(tensor.Float32, ops.ScaleSoftplus)
	stop := make(chan struct{})
	close(stop)
	h, err := Fit(m, x, Config{Epochs: 3, BatchSize: 32, Stop: stop, RestoreBest: true, Progress: io.Discard})
	if !errors.Is(err, ErrStopped) || h == nil || h.Steps != 1 || len(h.Loss) != 0 || h.BestEpoch != 0 {
		t.Fatalf("error %v, history %+v; expected ErrStopped after 1 step and no epoch", err, h)
	}
}

// valuesOf returns the parameter tensors of m.
func valuesOf(m *dist.TransformedDistribution) []*tensor.Dense {
	var out []*tensor.Dense
	for _, p := range m.Params() {
		out = append(out, p.Value)
	}
	return out
}
