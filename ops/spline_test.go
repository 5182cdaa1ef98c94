package ops

import (
	"math"
	"math/rand/v2"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

const (
	testBins  = 5
	testBound = 1.5
)

// knotsOf returns κ = RQSplineKnots(θ) for testBins and testBound.
func knotsOf(th *tensor.Dense, bins int, bound float64) *tensor.Dense {
	op, err := NewRQSplineKnots(bins, bound)
	if err != nil {
		panic(err)
	}
	out, err := op.Do(th)
	if err != nil {
		panic(err)
	}
	return out.(*tensor.Dense)
}

// splinePoints returns θ [n, d·P] drawn from [-2, 2], its knots κ and
// v [n, d] that visits, feature by feature: points outside [-B, B] on both
// sides, points 1e-3 on either side of interior knots (of x for the
// forward direction, of y for the inverse), points just inside ±B, and
// random interior points.
func splinePoints(rng *rand.Rand, n, d int, inverse bool) (v, th, kap *tensor.Dense) {
	q := SplineKnotParams(testBins)
	th = randDense(rng, -2, 2, n, d*SplineParams(testBins))
	kap = knotsOf(th, testBins, testBound)
	vs := make([]float64, n*d)
	var kn rqKnots
	for i := range vs {
		loadKnots(&kn, kap.Float64s()[i*q:(i+1)*q], testBins, testBound)
		knots := kn.xs[:testBins+1]
		if inverse {
			knots = kn.ys[:testBins+1]
		}
		j := 1 + rng.IntN(testBins-1)
		switch i % 8 {
		case 0:
			vs[i] = -testBound - 0.5*rng.Float64() - 1e-3
		case 1:
			vs[i] = testBound + 0.5*rng.Float64() + 1e-3
		case 2:
			vs[i] = knots[j] - 1e-3
		case 3:
			vs[i] = knots[j] + 1e-3
		case 4:
			vs[i] = -testBound + 1e-3
		case 5:
			vs[i] = testBound - 1e-3
		default:
			vs[i] = testBound * (2*rng.Float64() - 1)
		}
	}
	return tensor.New(tensor.WithShape(n, d), tensor.WithBacking(vs)), th, kap
}

func splineGradCases(t *testing.T) []gradCase {
	rng := rand.New(rand.NewPCG(5, 6))
	var cs []gradCase
	kop, err := NewRQSplineKnots(testBins, testBound)
	if err != nil {
		t.Fatal(err)
	}
	for _, inv := range []bool{false, true} {
		sp, err := NewRQSpline(testBins, testBound, inv)
		if err != nil {
			t.Fatal(err)
		}
		ld, err := NewRQSplineLogDet(testBins, testBound, inv)
		if err != nil {
			t.Fatal(err)
		}
		for rep := 0; rep < 3; rep++ {
			v, th, kap := splinePoints(rng, 8, 3, inv)
			cs = append(cs, gradCase{"RQSpline", sp, []*tensor.Dense{v, kap}, []int{0, 1}})
			cs = append(cs, gradCase{"RQSplineLogDet", ld, []*tensor.Dense{v.Clone().(*tensor.Dense), kap.Clone().(*tensor.Dense)}, []int{0, 1}})
			if !inv {
				cs = append(cs, gradCase{"RQSplineKnots", kop, []*tensor.Dense{th}, []int{0}})
			}
		}
	}
	// One bin: no interior slopes; the spline is a single rational quadratic.
	one, _ := NewRQSpline(1, 2, true)
	oneLD, _ := NewRQSplineLogDet(1, 2, false)
	oneK, _ := NewRQSplineKnots(1, 2)
	cs = append(cs, gradCase{"RQSpline-K1", one, []*tensor.Dense{randDense(rng, -2.5, 2.5, 4, 2), knotsOf(randDense(rng, -1, 1, 4, 4), 1, 2)}, []int{0, 1}})
	cs = append(cs, gradCase{"RQSplineLogDet-K1", oneLD, []*tensor.Dense{randDense(rng, -2.5, 2.5, 4, 2), knotsOf(randDense(rng, -1, 1, 4, 4), 1, 2)}, []int{0, 1}})
	cs = append(cs, gradCase{"RQSplineKnots-K1", oneK, []*tensor.Dense{randDense(rng, -1, 1, 4, 4)}, []int{0}})
	// zuko's normalization, over a range that reaches well into the soft clips.
	sc, _ := NewRQSplineKnotsSoftClip(testBins, testBound)
	for rep := 0; rep < 3; rep++ {
		cs = append(cs, gradCase{"RQSplineKnotsSoftClip", sc, []*tensor.Dense{randDense(rng, -9, 9, 8, 3*SplineParams(testBins))}, []int{0}})
	}
	sc1, _ := NewRQSplineKnotsSoftClip(1, 2)
	cs = append(cs, gradCase{"RQSplineKnotsSoftClip-K1", sc1, []*tensor.Dense{randDense(rng, -1, 1, 4, 4)}, []int{0}})
	c1, _ := NewColumns(1, 3)
	cs = append(cs, gradCase{"Columns", c1, []*tensor.Dense{randDense(rng, -2, 2, 3, 4)}, []int{0}})
	cs = append(cs, gradCase{"Concat", NewConcat(), []*tensor.Dense{randDense(rng, -2, 2, 3, 1), randDense(rng, -2, 2, 3, 2)}, []int{0, 1}})
	return cs
}

func TestSplineGradients(t *testing.T) {
	for _, c := range splineGradCases(t) {
		t.Run(c.name+"/"+c.op.String(), func(t *testing.T) { checkOpGradient(t, c.op, c.inputs, c.wrt) })
	}
}

// TestSplineFloat32MatchesFloat64 runs the float32 kernels of the ops
// and of the gradient ops their SymDiff emits against the float64 ones.
func TestSplineFloat32MatchesFloat64(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, c := range splineGradCases(t) {
		compare32(t, c.op, c.inputs)
		g := gorgonia.NewGraph()
		val := map[*gorgonia.Node]*tensor.Dense{}
		nodes := make(gorgonia.Nodes, len(c.inputs))
		for i, in := range c.inputs {
			nodes[i] = gorgonia.NodeFromAny(g, in)
			val[nodes[i]] = in
		}
		y := gorgonia.Must(gorgonia.ApplyOp(c.op, nodes...))
		vals := make([]gorgonia.Value, len(c.inputs))
		for i, in := range c.inputs {
			vals[i] = in
		}
		if yv, err := c.op.Do(vals...); err == nil && y.Dims() > 0 {
			val[y] = yv.(*tensor.Dense)
		}
		gy := gorgonia.NewTensor(g, tensor.Float64, y.Dims(), gorgonia.WithShape(y.Shape()...))
		val[gy] = randDense(rng, -1, 1, y.Shape()...)
		grads, err := c.op.SymDiff(nodes, y, gy)
		if err != nil {
			t.Fatal(err)
		}
		for _, gr := range grads {
			var ins []*tensor.Dense
			for it := g.From(gr.ID()); it.Next(); {
				ins = append(ins, val[it.Node().(*gorgonia.Node)])
			}
			compare32(t, gr.Op().(FlowOp), ins)
		}
	}
}

func compare32(t *testing.T, op FlowOp, ins []*tensor.Dense) {
	t.Helper()
	ins64 := make([][]float64, len(ins))
	ins32 := make([][]float32, len(ins))
	shapes := make([]tensor.Shape, len(ins))
	ds := make([]gorgonia.DimSizer, len(ins))
	for i, in := range ins {
		ins64[i] = in.Float64s()
		ins32[i] = toT[float32](ins64[i])
		shapes[i] = in.Shape()
		ds[i] = shapes[i]
	}
	s, err := op.InferShape(ds...)
	if err != nil {
		t.Fatalf("%v: %v", op, err)
	}
	o64 := make([]float64, s.TotalSize())
	o32 := make([]float32, s.TotalSize())
	op.Exec64(o64, ins64, shapes)
	op.Exec32(o32, ins32, shapes)
	for i := range o64 {
		if math.Abs(float64(o32[i])-o64[i]) > 2e-4*(1+math.Abs(o64[i])) {
			t.Errorf("%v: element %d: float32 %g, float64 %g", op, i, o32[i], o64[i])
		}
	}
}

func exec64(t *testing.T, op FlowOp, ins ...*tensor.Dense) []float64 {
	t.Helper()
	vals := make([]gorgonia.Value, len(ins))
	for i, in := range ins {
		vals[i] = in
	}
	out, err := op.Do(vals...)
	if err != nil {
		t.Fatal(err)
	}
	return floats64(out)
}

// TestSplineRoundTrip checks g⁻¹(g(x)) = x, ILDJ(g(x)) = -FLDJ(x), that
// FLDJ is the log of a finite-difference derivative, and that the spline
// is increasing, maps [-B, B] onto itself and is the identity outside.
func TestSplineRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	fwd, _ := NewRQSpline(testBins, testBound, false)
	inv, _ := NewRQSpline(testBins, testBound, true)
	fl, _ := NewRQSplineLogDet(testBins, testBound, false)
	il, _ := NewRQSplineLogDet(testBins, testBound, true)
	const n, d = 200, 1
	x := randDense(rng, -2, 2, n, d)
	th := knotsOf(randDense(rng, -3, 3, n, d*SplineParams(testBins)), testBins, testBound)
	y := tensor.New(tensor.WithShape(n, d), tensor.WithBacking(exec64(t, fwd, x, th)))
	x2 := exec64(t, inv, y, th)
	fldj := exec64(t, fl, x, th)
	ildj := exec64(t, il, y, th)
	for i, xv := range x.Float64s() {
		yv := y.Float64s()[i]
		if math.Abs(x2[i]-xv) > 1e-10 {
			t.Errorf("x = %g: inverse(forward(x)) = %g", xv, x2[i])
		}
		if math.Abs(fldj[i]+ildj[i]) > 1e-9 {
			t.Errorf("x = %g: FLDJ %g, ILDJ(f(x)) %g", xv, fldj[i], ildj[i])
		}
		if math.Abs(xv) > testBound {
			if yv != xv || fldj[i] != 0 {
				t.Errorf("x = %g outside the range: y = %g, FLDJ = %g, expected the identity", xv, yv, fldj[i])
			}
			continue
		}
		if math.Abs(yv) > testBound {
			t.Errorf("x = %g: y = %g outside [-B, B]", xv, yv)
		}
		const h = 1e-6
		one := func(v float64) float64 {
			return exec64(t, fwd, tensor.New(tensor.WithShape(1, 1), tensor.WithBacking([]float64{v})),
				tensor.New(tensor.WithShape(1, SplineKnotParams(testBins)), tensor.WithBacking(th.Float64s()[i*SplineKnotParams(testBins):(i+1)*SplineKnotParams(testBins)])))[0]
		}
		if xv-h < -testBound || xv+h > testBound {
			continue
		}
		fd := (one(xv+h) - one(xv-h)) / (2 * h)
		if d := math.Exp(fldj[i]); !(fd > 0) || math.Abs(fd-d) > 1e-8+1e-6*d {
			t.Errorf("x = %g: FLDJ %g, log of finite-difference derivative %g", xv, fldj[i], math.Log(fd))
		}
	}
}

// TestSplineZeroParamsIsIdentity: all-zero parameters give equal bins and
// unit slopes, so the untrained spline of a zero-initialised network is the identity.
func TestSplineZeroParamsIsIdentity(t *testing.T) {
	for _, inv := range []bool{false, true} {
		sp, _ := NewRQSpline(8, 3, inv)
		ld, _ := NewRQSplineLogDet(8, 3, inv)
		x := tensor.New(tensor.WithShape(3, 2), tensor.WithBacking([]float64{-4, -2.9, -1, 0.3, 2.2, 3}))
		th := knotsOf(tensor.New(tensor.WithShape(3, 2*SplineParams(8)), tensor.WithBacking(make([]float64, 3*2*SplineParams(8)))), 8, 3)
		y := exec64(t, sp, x, th)
		l := exec64(t, ld, x, th)
		for i, v := range x.Float64s() {
			if math.Abs(y[i]-v) > 1e-12 {
				t.Errorf("inverse=%v: zero params map %g to %g", inv, v, y[i])
			}
		}
		for i, v := range l {
			if math.Abs(v) > 1e-12 {
				t.Errorf("inverse=%v: zero params give log-det %g in row %d", inv, v, i)
			}
		}
	}
}

// TestSplineKernelsDoNotAllocate: the kernels write into caller buffers only.
func TestSplineKernelsDoNotAllocate(t *testing.T) {
	for _, c := range splineGradCases(t) {
		ins := make([][]float64, len(c.inputs))
		ins32 := make([][]float32, len(c.inputs))
		shapes := make([]tensor.Shape, len(c.inputs))
		ds := make([]gorgonia.DimSizer, len(c.inputs))
		for i, in := range c.inputs {
			ins[i], shapes[i], ds[i] = in.Float64s(), in.Shape(), in.Shape()
			ins32[i] = toT[float32](ins[i])
		}
		s, err := c.op.InferShape(ds...)
		if err != nil {
			t.Fatal(err)
		}
		out := make([]float64, s.TotalSize())
		out32 := make([]float32, s.TotalSize())
		if a := testing.AllocsPerRun(10, func() { c.op.Exec64(out, ins, shapes); c.op.Exec32(out32, ins32, shapes) }); a != 0 {
			t.Errorf("%v: %g allocations per run", c.op, a)
		}
	}
	gop := newRQSplineGrad(&RQSpline{base: newBase("s", "s", 2, 2, 2), Bins: testBins, Bound: testBound, Inverse: true}, 1)
	rng := rand.New(rand.NewPCG(1, 2))
	v, _, th := splinePoints(rng, 4, 2, true)
	g := randDense(rng, -1, 1, 4, 2)
	out := make([]float64, th.Shape().TotalSize())
	ins := [][]float64{v.Float64s(), th.Float64s(), g.Float64s()}
	shapes := []tensor.Shape{v.Shape(), th.Shape(), g.Shape()}
	if a := testing.AllocsPerRun(10, func() { gop.Exec64(out, ins, shapes) }); a != 0 {
		t.Errorf("%v: %g allocations per run", gop, a)
	}
}

func TestSplineErrors(t *testing.T) {
	if _, err := NewRQSpline(0, 3, false); err == nil {
		t.Error("NewRQSpline accepted 0 bins")
	}
	if _, err := NewRQSpline(MaxSplineBins+1, 3, false); err == nil {
		t.Error("NewRQSpline accepted too many bins")
	}
	if _, err := NewRQSplineLogDet(4, -1, false); err == nil {
		t.Error("NewRQSplineLogDet accepted bound -1")
	}
	if _, err := NewRQSplineLogDet(4, math.Inf(1), false); err == nil {
		t.Error("NewRQSplineLogDet accepted an infinite bound")
	}
	sp, _ := NewRQSpline(4, 3, false)
	if _, err := sp.InferShape(tensor.Shape{5, 2}, tensor.Shape{5, 22}); err == nil {
		t.Error("RQSpline accepted κ [5 22] for v [5 2], K=4")
	}
	if _, err := sp.InferShape(tensor.Shape{5, 2}, tensor.Shape{4, 26}); err == nil {
		t.Error("RQSpline accepted 5 and 4 rows")
	}
	kop, _ := NewRQSplineKnots(4, 3)
	if _, err := kop.InferShape(tensor.Shape{5, 12}); err == nil {
		t.Error("RQSplineKnots accepted θ [5 12] for K=4")
	}
	if s, err := kop.InferShape(tensor.Shape{5, 22}); err != nil || !s.Eq(tensor.Shape{5, 26}) {
		t.Errorf("RQSplineKnots: θ [5 22] gives %v, %v; expected [5 26]", s, err)
	}
	if _, err := NewRQSplineKnots(4, 0); err == nil {
		t.Error("NewRQSplineKnots accepted bound 0")
	}
	if _, err := NewColumns(2, 2); err == nil {
		t.Error("NewColumns accepted an empty block")
	}
	c, _ := NewColumns(1, 3)
	if _, err := c.InferShape(tensor.Shape{4, 2}); err == nil {
		t.Error("Columns[1:3] accepted x [4 2]")
	}
	if _, err := NewConcat().InferShape(tensor.Shape{4, 2}, tensor.Shape{3, 2}); err == nil {
		t.Error("Concat accepted 4 and 3 rows")
	}
}

// TestSplineComposedGradient checks the gradient of the composition
// RQSplineKnots → RQSpline, RQSplineLogDet with respect to the raw
// parameters θ and to v against finite differences, in both directions:
// the path every spline bijector builds.
func TestSplineComposedGradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	for _, inv := range []bool{false, true} {
		v, th, _ := splinePoints(rng, 8, 2, inv)
		kop, _ := NewRQSplineKnots(testBins, testBound)
		sp, _ := NewRQSpline(testBins, testBound, inv)
		ld, _ := NewRQSplineLogDet(testBins, testBound, inv)
		wy := randDense(rng, -1, 1, 8, 2)
		wl := randDense(rng, -1, 1, 8)
		objective := func() float64 {
			kap := exec64(t, kop, th)
			k := tensor.New(tensor.WithShape(8, 2*SplineKnotParams(testBins)), tensor.WithBacking(kap))
			y, l := exec64(t, sp, v, k), exec64(t, ld, v, k)
			s := 0.0
			for i, yv := range y {
				s += wy.Float64s()[i] * yv
			}
			for i, lv := range l {
				s += wl.Float64s()[i] * lv
			}
			return s
		}
		g := gorgonia.NewGraph()
		vn := gorgonia.NodeFromAny(g, v.Clone(), gorgonia.WithName("v"))
		tn := gorgonia.NodeFromAny(g, th.Clone(), gorgonia.WithName("θ"))
		kn := gorgonia.Must(gorgonia.ApplyOp(kop, tn))
		y := gorgonia.Must(gorgonia.ApplyOp(sp, vn, kn))
		l := gorgonia.Must(gorgonia.ApplyOp(ld, vn, kn))
		wyn := gorgonia.NodeFromAny(g, wy, gorgonia.WithName("wy"))
		wln := gorgonia.NodeFromAny(g, wl, gorgonia.WithName("wl"))
		grads, err := gorgonia.Backpropagate(gorgonia.Nodes{y, l}, gorgonia.Nodes{wyn, wln}, gorgonia.Nodes{vn, tn})
		if err != nil {
			t.Fatal(err)
		}
		m := gorgonia.NewTapeMachine(g)
		if err := m.RunAll(); err != nil {
			t.Fatal(err)
		}
		m.Close()
		for k, in := range []*tensor.Dense{v, th} {
			got := floats64(grads[k].Value())
			data := in.Float64s()
			for j := range data {
				const h = 1e-6
				orig := data[j]
				data[j] = orig + h
				fp := objective()
				data[j] = orig - h
				fm := objective()
				data[j] = orig
				want := (fp - fm) / (2 * h)
				if math.Abs(got[j]-want) > 1e-6*(1+math.Abs(want)) {
					t.Errorf("inverse=%v: input %d element %d: gradient %.10g, finite difference %.10g", inv, k, j, got[j], want)
				}
			}
		}
	}
}
