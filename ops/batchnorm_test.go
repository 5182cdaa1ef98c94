package ops

import (
	"math"
	"math/rand/v2"
	"testing"

	"gorgonia.org/tensor"
)

// bnInputs returns (v [n, d], mean, variance, λ, β) with a positive variance.
func bnInputs(rng *rand.Rand, n, d int) []*tensor.Dense {
	return []*tensor.Dense{randDense(rng, -2, 2, n, d), randDense(rng, -1, 1, d), randDense(rng, 0.2, 2, d),
		randDense(rng, -0.5, 0.5, d), randDense(rng, -1, 1, d)}
}

func batchNormCases(t *testing.T) []glowCase {
	rng := rand.New(rand.NewPCG(31, 32))
	var cs []glowCase
	for _, mode := range []BatchNormMode{BatchNormTraining, BatchNormInverse, BatchNormForward} {
		op, err := NewBatchNorm(mode, 1e-3, 0.9)
		if err != nil {
			t.Fatal(err)
		}
		cs = append(cs, glowCase{op.String(), op, bnInputs(rng, 6, 3), []int{0, 3, 4}})
	}
	for _, training := range []bool{true, false} {
		for _, sign := range []float64{1, -1} {
			op, err := NewBatchNormLogDet(training, sign, 1e-3)
			if err != nil {
				t.Fatal(err)
			}
			in := bnInputs(rng, 5, 3)
			wrt := []int{2}
			if training {
				wrt = []int{0, 2}
			}
			cs = append(cs, glowCase{op.String(), op, []*tensor.Dense{in[0], in[2], in[3]}, wrt})
		}
	}
	return cs
}

func TestBatchNormGradients(t *testing.T) {
	for _, c := range batchNormCases(t) {
		t.Run(c.op.String(), func(t *testing.T) { checkOpGradient(t, c.op, c.inputs, c.wrt) })
	}
}

func TestBatchNormFloat32AndAllocs(t *testing.T) {
	cs := batchNormCases(t)
	checkFloat32(t, cs)
	checkNoAllocs(t, cs)
	gs := gradOpCases(t, cs)
	if len(gs) == 0 {
		t.Fatal("no gradient ops")
	}
	checkFloat32(t, gs)
	checkNoAllocs(t, gs)
}

// TestBatchNormTraining checks that training mode standardises the batch
// (then scales by γ and shifts by β), updates the running moments with
// momentum, and that the inference modes invert each other.
func TestBatchNormTraining(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 9))
	const n, d, eps, mom = 200, 2, 1e-3, 0.9
	in := bnInputs(rng, n, d)
	mean0 := append([]float64(nil), in[1].Float64s()...)
	var0 := append([]float64(nil), in[2].Float64s()...)
	op, _ := NewBatchNorm(BatchNormTraining, eps, mom)
	out, err := op.Do(valuesOf(in)...)
	if err != nil {
		t.Fatal(err)
	}
	x := out.(*tensor.Dense).Float64s()
	for c := 0; c < d; c++ {
		mu, v := bnMoments(in[0].Float64s(), c, d)
		gamma, beta := math.Exp(in[3].Float64s()[c]), in[4].Float64s()[c]
		xm, xv := bnMoments(x, c, d)
		if math.Abs(xm-beta) > 1e-12 || math.Abs(xv-gamma*gamma*v/(v+eps)) > 1e-12 {
			t.Errorf("column %d: output mean %g variance %g, want β = %g and γ²·v/(v+ε) = %g", c, xm, xv, beta, gamma*gamma*v/(v+eps))
		}
		if want := mom*mean0[c] + (1-mom)*mu; math.Abs(in[1].Float64s()[c]-want) > 1e-12 {
			t.Errorf("column %d: running mean %g, want %g", c, in[1].Float64s()[c], want)
		}
		if want := mom*var0[c] + (1-mom)*v; math.Abs(in[2].Float64s()[c]-want) > 1e-12 {
			t.Errorf("column %d: running variance %g, want %g", c, in[2].Float64s()[c], want)
		}
	}
	fwd, _ := NewBatchNorm(BatchNormForward, eps, mom)
	inv, _ := NewBatchNorm(BatchNormInverse, eps, mom)
	y, err := fwd.Do(valuesOf(in)...)
	if err != nil {
		t.Fatal(err)
	}
	back := append([]*tensor.Dense{y.(*tensor.Dense)}, in[1:]...)
	x2, err := inv.Do(valuesOf(back)...)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range x2.(*tensor.Dense).Float64s() {
		if math.Abs(v-in[0].Float64s()[i]) > 1e-12 {
			t.Fatalf("inverse(forward(x))[%d] = %g, want %g", i, v, in[0].Float64s()[i])
		}
	}
}

func TestBatchNormErrors(t *testing.T) {
	if _, err := NewBatchNorm(BatchNormTraining, 0, 0.9); err == nil {
		t.Error("NewBatchNorm accepted epsilon 0")
	}
	if _, err := NewBatchNorm(BatchNormTraining, 1e-3, 1.5); err == nil {
		t.Error("NewBatchNorm accepted momentum 1.5")
	}
	if _, err := NewBatchNorm(BatchNormMode(7), 1e-3, 0.9); err == nil {
		t.Error("NewBatchNorm accepted mode 7")
	}
	if _, err := NewBatchNormLogDet(true, 1, -1); err == nil {
		t.Error("NewBatchNormLogDet accepted epsilon -1")
	}
	op, _ := NewBatchNorm(BatchNormInverse, 1e-3, 0.9)
	if _, err := op.InferShape(tensor.Shape{4, 3}, tensor.Shape{3}, tensor.Shape{2}, tensor.Shape{3}, tensor.Shape{3}); err == nil {
		t.Error("BatchNorm accepted variance [2] for x [4 3]")
	}
}
