package bijectors

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/nflowgo/nflow/engine"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// densityObjective builds, in a fresh float64 graph (a training graph when
// training), c = Σ w∘f⁻¹(y) + Σ v∘ILDJ(y) for fixed random weights, and
// returns the graph, the cost and its gradients with respect to b's
// parameters.
func densityObjective(t *testing.T, b Bijector, y *tensor.Dense, training bool) (*Graph, *gorgonia.Node, []*Param, gorgonia.Nodes) {
	t.Helper()
	g, err := NewGraph(tensor.Float64)
	if err != nil {
		t.Fatal(err)
	}
	g.Training = training
	n, d := y.Shape()[0], y.Shape()[1]
	in := gorgonia.NodeFromAny(g.G, y, gorgonia.WithName("y"))
	x, ildj, err := b.InverseNode(g, in)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(8, 9))
	w := uniform(rng, n, d, [2]float64{-1, 1})
	v := tensor.New(tensor.WithShape(n), tensor.WithBacking(uniform(rng, 1, n, [2]float64{-1, 1}).Float64s()))
	wn := gorgonia.NodeFromAny(g.G, w, gorgonia.WithName("w"))
	vn := gorgonia.NodeFromAny(g.G, v, gorgonia.WithName("v"))
	c1 := gorgonia.Must(gorgonia.Sum(gorgonia.Must(gorgonia.HadamardProd(x, wn))))
	c2 := gorgonia.Must(gorgonia.Sum(gorgonia.Must(gorgonia.HadamardProd(ildj, vn))))
	cost := gorgonia.Must(gorgonia.Add(c1, c2))
	ps, nodes := g.Params()
	grads, err := gorgonia.Grad(cost, nodes...)
	if err != nil {
		t.Fatal(err)
	}
	return g, cost, ps, grads
}

// checkParamGradients compares the gradients of densityObjective with
// respect to every parameter with central finite differences, both run by
// Gorgonia's TapeMachine.
func checkParamGradients(t *testing.T, b Bijector, y *tensor.Dense, training bool) {
	t.Helper()
	g, cost, ps, grads := densityObjective(t, b, y, training)
	m := gorgonia.NewTapeMachine(g.G)
	defer m.Close()
	eval := func() float64 {
		m.Reset()
		if err := m.RunAll(); err != nil {
			t.Fatal(err)
		}
		return cost.Value().Data().(float64)
	}
	eval()
	got := make([][]float64, len(grads))
	for i, gr := range grads {
		got[i] = append([]float64(nil), gr.Value().Data().([]float64)...)
	}
	for i, p := range ps {
		vals := p.Value.Float64s()
		for j := range vals {
			const h = 1e-6
			orig := vals[j]
			vals[j] = orig + h
			fp := eval()
			vals[j] = orig - h
			fm := eval()
			vals[j] = orig
			want := (fp - fm) / (2 * h)
			if math.Abs(got[i][j]-want) > 1e-6*(1+math.Abs(want)) {
				t.Errorf("%v: %s[%d]: gradient %.10g, finite difference %.10g", b, p.Name, j, got[i][j], want)
			}
		}
	}
}

func TestGlowParamGradients(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 4))
	y := uniform(rng, 6, 3, [2]float64{-2, 2})
	for _, c := range []struct {
		b        Bijector
		training bool
	}{
		{testActNorm(t, 3, 1), false},
		{testLU(t, 3, false, 2), false}, // one parameter read as both L and U
		{testLU(t, 3, true, 3), false},
		{testBatchNorm(t, 3, 4), false},
		{testBatchNorm(t, 3, 5), true}, // batch statistics
		{testGlowStep(t, 3, 6), true},
	} {
		checkParamGradients(t, c.b, y, c.training)
	}
}

// TestBatchNormalizationTraining checks the training graph: it
// standardises the batch with its own statistics, the ILDJ uses the batch
// variance, and each run updates the running moments (with either
// executor), which eager calls then use.
func TestBatchNormalizationTraining(t *testing.T) {
	const n, d, mom, eps = 64, 2, 0.5, 1e-3
	rng := rand.New(rand.NewPCG(3, 5))
	yv := uniform(rng, n, d, [2]float64{1, 5}) // mean 3, variance 4/3
	for _, exec := range []engine.Executor{engine.Compiled, engine.Tape} {
		bn, err := NewBatchNormalization(d, mom, eps, tensor.Float64)
		if err != nil {
			t.Fatal(err)
		}
		g, _ := NewGraph(tensor.Float64)
		g.Training = true
		in := g.Input("y", n, d)
		x, ildj, err := bn.InverseNode(g, in)
		if err != nil {
			t.Fatal(err)
		}
		f, err := engine.NewFunc(g.G, gorgonia.Nodes{in}, gorgonia.Nodes{x, ildj}, exec)
		if err != nil {
			t.Fatal(err)
		}
		var mu, v [d]float64
		for c := 0; c < d; c++ {
			for r := 0; r < n; r++ {
				mu[c] += yv.Float64s()[r*d+c] / n
			}
			for r := 0; r < n; r++ {
				e := yv.Float64s()[r*d+c] - mu[c]
				v[c] += e * e / n
			}
		}
		for run := 1; run <= 2; run++ {
			out, err := f.Call(yv)
			if err != nil {
				t.Fatal(err)
			}
			wantLDJ := -0.5 * (math.Log(v[0]+eps) + math.Log(v[1]+eps))
			if got := out[1].Float64s()[0]; math.Abs(got-wantLDJ) > 1e-12 {
				t.Errorf("%s: ILDJ %g, want %g from the batch variance", exec, got, wantLDJ)
			}
			for c := 0; c < d; c++ {
				if got := out[0].Float64s()[c]; math.Abs(got-(yv.Float64s()[c]-mu[c])/math.Sqrt(v[c]+eps)) > 1e-12 {
					t.Errorf("%s: x[0, %d] = %g, not standardised with the batch statistics", exec, c, got)
				}
				// After k runs: mean = (1 - m^k)·μ, variance = m^k + (1 - m^k)·v.
				mk := math.Pow(mom, float64(run))
				if got, want := bn.Mean.Value.Float64s()[c], (1-mk)*mu[c]; math.Abs(got-want) > 1e-12 {
					t.Errorf("%s: after %d runs running mean[%d] = %g, want %g", exec, run, c, got, want)
				}
				if got, want := bn.Variance.Value.Float64s()[c], mk+(1-mk)*v[c]; math.Abs(got-want) > 1e-12 {
					t.Errorf("%s: after %d runs running variance[%d] = %g, want %g", exec, run, c, got, want)
				}
			}
		}
		// Eager calls use the running moments.
		xe, err := Inverse(bn, yv)
		if err != nil {
			t.Fatal(err)
		}
		m0, v0 := bn.Mean.Value.Float64s()[0], bn.Variance.Value.Float64s()[0]
		if got, want := xe.Float64s()[0], (yv.Float64s()[0]-m0)/math.Sqrt(v0+eps); math.Abs(got-want) > 1e-12 {
			t.Errorf("%s: eager inverse %g, want %g from the running moments", exec, got, want)
		}
	}
}

func TestActNormInitFromData(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		a, err := NewActNorm(3, dt)
		if err != nil {
			t.Fatal(err)
		}
		if a.Initialized() {
			t.Fatal("a new ActNorm reports itself initialised")
		}
		v := uniform(rng, 500, 3, [2]float64{-1, 1}).Float64s()
		for i := range v {
			v[i] = v[i]*float64(1+i%3) + float64(i%3) - 1 // columns: sd 0.58·(1, 2, 3), means -1, 0, 1
		}
		y := NewTensor(dt, v, 500, 3)
		if err := a.InitFromData(y); err != nil {
			t.Fatal(err)
		}
		if !a.Initialized() {
			t.Error("InitFromData did not mark the ActNorm initialised")
		}
		x, err := Inverse(a, y)
		if err != nil {
			t.Fatal(err)
		}
		checkStandardized(t, dt.String(), floatsOfDense(x), 3, 1e-4)
	}
}

// checkStandardized checks that every column of x [·, d] has mean 0 and
// standard deviation 1 within tol.
func checkStandardized(t *testing.T, what string, x []float64, d int, tol float64) {
	t.Helper()
	n := len(x) / d
	for c := 0; c < d; c++ {
		var m, q float64
		for r := 0; r < n; r++ {
			m += x[r*d+c] / float64(n)
		}
		for r := 0; r < n; r++ {
			q += (x[r*d+c] - m) * (x[r*d+c] - m) / float64(n)
		}
		if math.Abs(m) > tol || math.Abs(math.Sqrt(q)-1) > tol {
			t.Errorf("%s: column %d has mean %g and sd %g, want 0 and 1", what, c, m, math.Sqrt(q))
		}
	}
}

func TestActNormInitErrors(t *testing.T) {
	a, _ := NewActNorm(2, tensor.Float64)
	for _, c := range []struct {
		y    *tensor.Dense
		want string
	}{
		{tensor.New(tensor.WithShape(1, 2), tensor.WithBacking([]float64{1, 2})), "at least 2"},
		{tensor.New(tensor.WithShape(2, 3), tensor.WithBacking(make([]float64, 6))), "expected [N, 2]"},
		{tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float64{1, math.NaN(), 0, 0})), "y[0, 1] = NaN"},
		{tensor.New(tensor.WithShape(2, 2), tensor.WithBacking(make([]float32, 4))), "float32"},
	} {
		if err := a.InitFromData(c.y); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("InitFromData(%v): error %v, want one containing %q", c.y.Shape(), err, c.want)
		}
	}
	if a.Initialized() {
		t.Error("a failed InitFromData marked the ActNorm initialised")
	}
}

// TestGlowDataInit checks that InitFromData on a Glow flow initialises
// every step's ActNorm from the activations that reach it.
func TestGlowDataInit(t *testing.T) {
	glow, err := NewGlow(3, 2, tensor.Float64, rand.New(rand.NewPCG(1, 1)), func(i int) (Bijector, error) {
		return testMAF(t, 2, LeftToRight, 0, uint64(i)), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !NeedsDataInit(glow) {
		t.Fatal("a new Glow flow does not need data initialisation")
	}
	rng := rand.New(rand.NewPCG(2, 2))
	y := uniform(rng, 300, 2, [2]float64{2, 6})
	if err := InitFromData(glow, y); err != nil {
		t.Fatal(err)
	}
	if NeedsDataInit(glow) {
		t.Fatal("Glow flow still needs data initialisation")
	}
	h := y
	for i, b := range glow.Bijectors {
		step := b.(*GlowStep)
		if !step.Initialized() {
			t.Errorf("step %d not initialised", i)
		}
		x, err := Inverse(step.ActNorm, h)
		if err != nil {
			t.Fatal(err)
		}
		checkStandardized(t, step.String(), x.Float64s(), 2, 1e-4)
		if h, err = Inverse(step, h); err != nil {
			t.Fatal(err)
		}
	}
}

// TestLUFactorsTFP checks the factorisation convention of tf.linalg.lu,
// P·W = L·U with (P·W)[i] = W[perm[i]], on W = [[1 2] [3 4]] (pivot 3), and
// that ScaleMatvecLU maps x to W x.
func TestLUFactorsTFP(t *testing.T) {
	w := []float64{1, 2, 3, 4}
	lu, perm := luPartialPivot(w, 2)
	wantLU := []float64{3, 4, 1.0 / 3, 2.0 / 3}
	for i := range lu {
		if math.Abs(lu[i]-wantLU[i]) > 1e-15 {
			t.Fatalf("lower_upper %v, want %v", lu, wantLU)
		}
	}
	if perm[0] != 1 || perm[1] != 0 {
		t.Fatalf("perm %v, want [1 0]", perm)
	}
	for _, logDiag := range []bool{false, true} {
		b, err := NewScaleMatvecLU(lu, perm, logDiag, tensor.Float64)
		if err != nil {
			t.Fatal(err)
		}
		for i, v := range b.Matrix() {
			if math.Abs(v-w[i]) > 1e-12 {
				t.Fatalf("logDiag=%v: Matrix() %v, want %v", logDiag, b.Matrix(), w)
			}
		}
		for i, v := range b.LowerUpper() {
			if math.Abs(v-lu[i]) > 1e-12 {
				t.Fatalf("logDiag=%v: LowerUpper() %v, want %v", logDiag, b.LowerUpper(), lu)
			}
		}
		x := tensor.New(tensor.WithShape(1, 2), tensor.WithBacking([]float64{1, -1}))
		y, ldj, err := ForwardAndLogDet(b, x)
		if err != nil {
			t.Fatal(err)
		}
		if got := y.Float64s(); math.Abs(got[0]+1) > 1e-12 || math.Abs(got[1]+1) > 1e-12 {
			t.Errorf("logDiag=%v: forward %v, want W x = [-1 -1]", logDiag, got)
		}
		if got := ldj.Float64s()[0]; math.Abs(got-math.Log(2)) > 1e-12 { // |det W| = 2
			t.Errorf("logDiag=%v: log-det %g, want log 2", logDiag, got)
		}
	}
}

func TestRandomOrthogonalLU(t *testing.T) {
	for _, d := range []int{1, 2, 5} {
		lu, perm, err := RandomOrthogonalLU(d, rand.New(rand.NewPCG(uint64(d), 3)))
		if err != nil {
			t.Fatal(err)
		}
		b, err := NewScaleMatvecLU(lu, perm, true, tensor.Float64)
		if err != nil {
			t.Fatal(err)
		}
		w := b.Matrix()
		for i := 0; i < d; i++ {
			for j := 0; j < d; j++ {
				var s float64
				for k := 0; k < d; k++ {
					s += w[k*d+i] * w[k*d+j]
				}
				if want := float64(b2i(i == j)); math.Abs(s-want) > 1e-12 {
					t.Errorf("D=%d: (WᵀW)[%d, %d] = %g, want %g", d, i, j, s, want)
				}
			}
		}
		ldj, err := ForwardLogDetJacobian(b, tensor.New(tensor.WithShape(1, d), tensor.WithBacking(make([]float64, d))))
		if err != nil {
			t.Fatal(err)
		}
		if got := ldj.Float64s()[0]; math.Abs(got) > 1e-12 {
			t.Errorf("D=%d: log-det of a rotation %g, want 0", d, got)
		}
	}
	if _, _, err := RandomOrthogonalLU(0, rand.New(rand.NewPCG(1, 1))); err == nil {
		t.Error("RandomOrthogonalLU accepted size 0")
	}
	if _, _, err := RandomOrthogonalLU(2, nil); err == nil {
		t.Error("RandomOrthogonalLU accepted a nil source")
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestGlowConstructorErrors(t *testing.T) {
	for _, c := range []struct {
		err  error
		want string
	}{
		{second(NewScaleMatvecLU([]float64{1, 0, 0, 0}, []int{0, 1}, true, tensor.Float64)), "non-zero diagonal"},
		{second(NewScaleMatvecLU([]float64{1, 0, 0}, []int{0, 1}, false, tensor.Float64)), "3 entries, expected 4"},
		{second(NewScaleMatvecLU([]float64{1, 0, 0, 1}, []int{1, 1}, false, tensor.Float64)), "permutation"},
		{second(NewScaleMatvecLU([]float64{1, math.Inf(1), 0, 1}, []int{0, 1}, false, tensor.Float64)), "finite"},
		{second(NewActNorm(0, tensor.Float64)), "event size 0"},
		{second(NewBatchNormalization(2, 1.5, 1e-3, tensor.Float64)), "momentum 1.5"},
		{second(NewBatchNormalization(2, 0.9, 0, tensor.Float64)), "epsilon 0"},
		{second(NewBatchNormalization(2, 0.9, 1e-3, tensor.Int)), "dtype"},
		{second(NewGlowStep(testActNorm(t, 2, 1), testLU(t, 3, true, 1), testMAF(t, 2, LeftToRight, 0, 1))), "event sizes 2"},
		{second(NewGlowStep(nil, nil, nil)), "non-nil"},
		{second(NewGlow(0, 2, tensor.Float64, rand.New(rand.NewPCG(1, 1)), nil)), "0 layers"},
	} {
		if c.err == nil || !strings.Contains(c.err.Error(), c.want) {
			t.Errorf("error %v, want one containing %q", c.err, c.want)
		}
	}
}

func second[T any](_ T, err error) error { return err }
