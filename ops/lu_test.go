package ops

import (
	"math"
	"math/rand/v2"
	"testing"

	"gorgonia.org/tensor"
)

// luFactors returns random lower and upper [d, d] matrices (every entry
// set, so that unread ones would show) whose U diagonal is well away from
// zero: raw entries ±[0.5, 1.5], or log-|diag| in [-0.5, 0.5].
func luFactors(rng *rand.Rand, d int, logDiag bool) (lower, upper *tensor.Dense, sign []float64) {
	lower, upper = randDense(rng, -1, 1, d, d), randDense(rng, -1, 1, d, d)
	u := upper.Float64s()
	if logDiag {
		sign = make([]float64, d)
	}
	for i := 0; i < d; i++ {
		s := 1.0
		if rng.IntN(2) == 0 {
			s = -1
		}
		if logDiag {
			sign[i] = s
			u[i*d+i] = rng.Float64() - 0.5
		} else {
			u[i*d+i] = s * (0.5 + rng.Float64())
		}
	}
	return lower, upper, sign
}

func luCases(t *testing.T) []glowCase {
	rng := rand.New(rand.NewPCG(21, 22))
	var cs []glowCase
	for _, d := range []int{1, 3, 4} {
		for _, logDiag := range []bool{false, true} {
			for _, inv := range []bool{false, true} {
				lower, upper, sign := luFactors(rng, d, logDiag)
				op, err := NewLUMatvec(rng.Perm(d), sign, inv)
				if err != nil {
					t.Fatal(err)
				}
				cs = append(cs, glowCase{op.String(), op, []*tensor.Dense{randDense(rng, -2, 2, 5, d), lower, upper}, []int{0, 1, 2}})
			}
			for _, s := range []float64{1, -1} {
				_, upper, _ := luFactors(rng, d, logDiag)
				cs = append(cs, glowCase{"LULogDet", NewLULogDet(s, logDiag), []*tensor.Dense{randDense(rng, -2, 2, 3, d), upper}, []int{1}})
			}
		}
	}
	return cs
}

func TestLUGradients(t *testing.T) {
	for _, c := range luCases(t) {
		t.Run(c.op.String(), func(t *testing.T) { checkOpGradient(t, c.op, c.inputs, c.wrt) })
	}
}

func TestLUFloat32AndAllocs(t *testing.T) {
	cs := luCases(t)
	checkFloat32(t, cs)
	checkNoAllocs(t, cs)
	gs := gradOpCases(t, cs)
	if len(gs) == 0 {
		t.Fatal("no gradient ops")
	}
	checkFloat32(t, gs)
	checkNoAllocs(t, gs)
}

// TestLUMatvecMatchesMatrix checks y = Pᵀ L U x against the explicit
// matrix, and that the inverse undoes it.
func TestLUMatvecMatchesMatrix(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	const d, n = 4, 3
	for _, logDiag := range []bool{false, true} {
		lower, upper, sign := luFactors(rng, d, logDiag)
		perm := rng.Perm(d)
		l, u := lower.Float64s(), upper.Float64s()
		// W = Pᵀ L U: row perm[i] of W is row i of L U.
		w := make([]float64, d*d)
		for i := 0; i < d; i++ {
			for k := 0; k < d; k++ {
				var s float64
				for j := 0; j <= min(i, k); j++ {
					lij := l[i*d+j]
					if j == i {
						lij = 1
					}
					ujk := u[j*d+k]
					if j == k {
						ujk = luDiag(u, j, d, sign)
					}
					s += lij * ujk
				}
				w[perm[i]*d+k] = s
			}
		}
		x := randDense(rng, -2, 2, n, d)
		fwd, _ := NewLUMatvec(perm, sign, false)
		inv, _ := NewLUMatvec(perm, sign, true)
		y, err := fwd.Do(x, lower, upper)
		if err != nil {
			t.Fatal(err)
		}
		ys := y.(*tensor.Dense).Float64s()
		for r := 0; r < n; r++ {
			for i := 0; i < d; i++ {
				var want float64
				for k := 0; k < d; k++ {
					want += w[i*d+k] * x.Float64s()[r*d+k]
				}
				if math.Abs(ys[r*d+i]-want) > 1e-12 {
					t.Errorf("logDiag=%v: y[%d,%d] = %g, W x = %g", logDiag, r, i, ys[r*d+i], want)
				}
			}
		}
		x2, err := inv.Do(y, lower, upper)
		if err != nil {
			t.Fatal(err)
		}
		for i, v := range x2.(*tensor.Dense).Float64s() {
			if math.Abs(v-x.Float64s()[i]) > 1e-12 {
				t.Fatalf("logDiag=%v: inverse(forward(x))[%d] = %g, want %g", logDiag, i, v, x.Float64s()[i])
			}
		}
	}
}

func TestLUErrors(t *testing.T) {
	if _, err := NewLUMatvec([]int{0, 0}, nil, false); err == nil {
		t.Error("NewLUMatvec accepted perm [0 0]")
	}
	if _, err := NewLUMatvec([]int{0, 1}, []float64{1, 0.5}, false); err == nil {
		t.Error("NewLUMatvec accepted sign 0.5")
	}
	if _, err := NewLUMatvec([]int{0, 1}, []float64{1}, false); err == nil {
		t.Error("NewLUMatvec accepted 1 sign for D=2")
	}
	op, _ := NewLUMatvec([]int{1, 0}, nil, false)
	if _, err := op.InferShape(tensor.Shape{3, 2}, tensor.Shape{2, 2}, tensor.Shape{3, 3}); err == nil {
		t.Error("LUMatvec accepted upper [3 3] for D=2")
	}
	if _, err := op.InferShape(tensor.Shape{3, 3}, tensor.Shape{2, 2}, tensor.Shape{2, 2}); err == nil {
		t.Error("LUMatvec accepted x [3 3] for D=2")
	}
	if _, err := NewLULogDet(1, true).InferShape(tensor.Shape{3, 2}, tensor.Shape{3, 3}); err == nil {
		t.Error("LULogDet accepted upper [3 3] for x [3 2]")
	}
}
