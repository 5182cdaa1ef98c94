package engine_test

import (
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/nflowgo/nflow/engine"
	"gorgonia.org/tensor"
)

// TestAdamLargeUpdateSplit checks an update large enough to be split across
// two CPUs against Keras's rule written out, in float64, over four steps
// alternating Step64 and SplitStep64, and that it allocates nothing.
func TestAdamLargeUpdateSplit(t *testing.T) {
	prev := runtime.GOMAXPROCS(2)
	defer runtime.GOMAXPROCS(prev)
	rng := rand.New(rand.NewPCG(2, 3))
	sizes := []int{200001, 3, 90000} // 290,004 values: split, with odd halves
	var params []*tensor.Dense
	var ref, m, v [][]float64
	for _, n := range sizes {
		p := make([]float64, n)
		for i := range p {
			p[i] = rng.NormFloat64()
		}
		ref = append(ref, append([]float64(nil), p...))
		m, v = append(m, make([]float64, n)), append(v, make([]float64, n))
		params = append(params, tensor.New(tensor.WithShape(n), tensor.WithBacking(p)))
	}
	a, err := engine.NewAdam(params, 0, 0, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	grads := make([][]float64, len(sizes))
	for step := 1; step <= 4; step++ {
		for k, n := range sizes {
			grads[k] = make([]float64, n)
			for i := range grads[k] {
				grads[k][i] = rng.NormFloat64()
			}
		}
		if step%2 == 0 {
			a.SplitStep64(grads)
		} else {
			a.Step64(grads)
		}
		lrT := 1e-3 * math.Sqrt(1-math.Pow(0.999, float64(step))) / (1 - math.Pow(0.9, float64(step)))
		for k := range sizes {
			for i, g := range grads[k] {
				m[k][i] = 0.9*m[k][i] + 0.1*g
				v[k][i] = 0.999*v[k][i] + 0.001*g*g
				ref[k][i] -= lrT * m[k][i] / (math.Sqrt(v[k][i]) + 1e-7)
			}
		}
	}
	for k, p := range params {
		for i, got := range p.Float64s() {
			if math.Abs(got-ref[k][i]) > 1e-12*(1+math.Abs(ref[k][i])) {
				t.Fatalf("parameter %d[%d] = %v, Keras's rule gives %v", k, i, got, ref[k][i])
			}
		}
	}
	if n := testing.AllocsPerRun(10, func() { a.Step64(grads) }); n != 0 {
		t.Fatalf("a split update allocates %v times", n)
	}
}
