package ops

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// gradCase is one flow op with inputs to check its SymDiff against central
// finite differences of its Do, in float64.
type gradCase struct {
	name   string
	op     FlowOp
	inputs []*tensor.Dense
	wrt    []int // inputs to check
}

func randDense(rng *rand.Rand, lo, hi float64, shape ...int) *tensor.Dense {
	n := tensor.Shape(shape).TotalSize()
	d := make([]float64, n)
	for i := range d {
		d[i] = lo + (hi-lo)*rng.Float64()
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(d))
}

func gradCases(t *testing.T) []gradCase {
	rng := rand.New(rand.NewPCG(1, 2))
	mask := make([]float64, 3*4)
	for i := range mask {
		mask[i] = float64(rng.IntN(2))
	}
	var cs []gradCase
	for _, act := range []Activation{Identity, ReLU, Tanh, Sigmoid, Softplus, ELU} {
		for _, m := range [][]float64{nil, mask} {
			op, err := NewDense(3, 4, m, act)
			if err != nil {
				t.Fatal(err)
			}
			cs = append(cs, gradCase{op.String(), op, []*tensor.Dense{
				randDense(rng, -1, 1, 5, 3), randDense(rng, -1, 1, 3, 4), randDense(rng, -0.5, 0.5, 4)}, []int{0, 1, 2}})
		}
	}
	for _, f := range []ScaleFn{ScaleSoftplus, ScaleExp, ScaleSoftClip} {
		for _, inv := range []bool{false, true} {
			cs = append(cs, gradCase{"AffineAR", NewAffineAR(inv, f), []*tensor.Dense{
				randDense(rng, -2, 2, 4, 3), randDense(rng, -2, 2, 4, 6)}, []int{0, 1}})
		}
		for _, sign := range []float64{1, -1} {
			cs = append(cs, gradCase{"LogScaleSum", NewLogScaleSum(f, sign), []*tensor.Dense{randDense(rng, -3, 3, 4, 6)}, []int{0}})
		}
		// 70 rows of 4: the batched scale functions' 256-entry chunks end inside rows.
		cs = append(cs, gradCase{"AffineARDensity", NewAffineARDensity(f), []*tensor.Dense{
			randDense(rng, -2, 2, 70, 4), randDense(rng, -2, 2, 70, 8)}, []int{0, 1}})
	}
	nlp, err := NewNormalLogProb([]float64{0.5, -1, 0}, []float64{1, 0.5, 2})
	if err != nil {
		t.Fatal(err)
	}
	cs = append(cs, gradCase{"NormalLogProb", nlp, []*tensor.Dense{randDense(rng, -2, 2, 4, 3)}, []int{0}})
	g, err := NewGather([]int{2, 0, 3, 1})
	if err != nil {
		t.Fatal(err)
	}
	cs = append(cs, gradCase{"Gather", g, []*tensor.Dense{randDense(rng, -2, 2, 3, 4)}, []int{0}})
	cs = append(cs, gradCase{"NegMean", NewNegMean(), []*tensor.Dense{randDense(rng, -2, 2, 7)}, []int{0}})
	domains := map[Func][2]float64{Exp: {-2, 2}, Log: {0.2, 3}, SigmoidFn: {-4, 4}, Logit: {0.05, 0.95},
		TanhFn: {-2, 2}, Atanh: {-0.9, 0.9}, SoftplusFn: {-4, 4}, SoftplusInv: {0.1, 4}}
	for f, dom := range domains {
		cs = append(cs, gradCase{"Pointwise", NewPointwise(f), []*tensor.Dense{randDense(rng, dom[0], dom[1], 3, 2)}, []int{0}})
		cs = append(cs, gradCase{"PointwiseLDJ", NewPointwiseLDJ(f), []*tensor.Dense{randDense(rng, dom[0], dom[1], 3, 2)}, []int{0}})
	}
	cs = append(cs, gradCase{"Mask", NewMask(mask), []*tensor.Dense{randDense(rng, -2, 2, 3, 4)}, []int{0}})
	cs = append(cs, gradCase{"RepeatRows", NewRepeatRows(), []*tensor.Dense{randDense(rng, -2, 2, 1, 4), randDense(rng, -2, 2, 5, 2)}, []int{0}})
	cs = append(cs, gradCase{"ConstAffine", NewConstAffine([]float64{2, -0.5}, []float64{1, 3}), []*tensor.Dense{randDense(rng, -2, 2, 3, 2)}, []int{0}})
	return cs
}

func scalarOrDense(v gorgonia.Value) []float64 { return floats64(v) }

// TestGradients checks every flow op's symbolic gradient (a vector-Jacobian
// product with a random cotangent w) against central finite differences.
func TestGradients(t *testing.T) {
	for _, c := range gradCases(t) {
		t.Run(c.op.String(), func(t *testing.T) { checkOpGradient(t, c.op, c.inputs, c.wrt) })
	}
}

// checkOpGradient checks op's SymDiff with respect to the inputs wrt
// against central finite differences of its Do, in float64. inputs are
// modified temporarily. Tests of new ops call it directly.
func checkOpGradient(t *testing.T, op FlowOp, inputs []*tensor.Dense, wrt []int) {
	t.Helper()
	rng := rand.New(rand.NewPCG(3, 4))
	vals := make([]gorgonia.Value, len(inputs))
	for i, in := range inputs {
		vals[i] = in
	}
	out, err := op.Do(vals...)
	if err != nil {
		t.Fatal(err)
	}
	w := make([]float64, len(scalarOrDense(out)))
	for i := range w {
		w[i] = rng.NormFloat64()
	}
	objective := func() float64 {
		o, err := op.Do(vals...)
		if err != nil {
			t.Fatal(err)
		}
		s := 0.0
		for i, v := range scalarOrDense(o) {
			s += w[i] * v
		}
		return s
	}
	g := gorgonia.NewGraph()
	nodes := make(gorgonia.Nodes, len(inputs))
	for i, in := range inputs {
		nodes[i] = gorgonia.NodeFromAny(g, in.Clone(), gorgonia.WithName(fmt.Sprintf("in%d", i)))
	}
	y, err := gorgonia.ApplyOp(op, nodes...)
	if err != nil {
		t.Fatal(err)
	}
	var gw *gorgonia.Node
	if y.IsScalar() {
		gw = gorgonia.NodeFromAny(g, w[0], gorgonia.WithName("w"))
	} else {
		gw = gorgonia.NodeFromAny(g, tensor.New(tensor.WithShape(y.Shape()...), tensor.WithBacking(w)), gorgonia.WithName("w"))
	}
	var wrtNodes gorgonia.Nodes
	for _, i := range wrt {
		wrtNodes = append(wrtNodes, nodes[i])
	}
	grads, err := gorgonia.Backpropagate(gorgonia.Nodes{y}, gorgonia.Nodes{gw}, wrtNodes)
	if err != nil {
		t.Fatal(err)
	}
	m := gorgonia.NewTapeMachine(g)
	defer m.Close()
	if err := m.RunAll(); err != nil {
		t.Fatal(err)
	}
	for k, i := range wrt {
		got := scalarOrDense(grads[k].Value())
		data := inputs[i].Float64s()
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
				t.Errorf("%v: input %d element %d: gradient %.10g, finite difference %.10g", op, i, j, got[j], want)
			}
		}
	}
}

// TestFloat32MatchesFloat64 runs every op's float32 kernel against its
// float64 kernel on the same inputs.
func TestFloat32MatchesFloat64(t *testing.T) {
	for _, c := range gradCases(t) {
		ins64 := make([][]float64, len(c.inputs))
		ins32 := make([][]float32, len(c.inputs))
		shapes := make([]tensor.Shape, len(c.inputs))
		ds := make([]gorgonia.DimSizer, len(c.inputs))
		for i, in := range c.inputs {
			ins64[i] = in.Float64s()
			ins32[i] = toT[float32](ins64[i])
			shapes[i] = in.Shape()
			ds[i] = shapes[i]
		}
		s, err := c.op.InferShape(ds...)
		if err != nil {
			t.Fatal(err)
		}
		o64 := make([]float64, s.TotalSize())
		o32 := make([]float32, s.TotalSize())
		c.op.Exec64(o64, ins64, shapes)
		c.op.Exec32(o32, ins32, shapes)
		for i := range o64 {
			if math.Abs(float64(o32[i])-o64[i]) > 1e-5*(1+math.Abs(o64[i])) {
				t.Errorf("%v: element %d: float32 %g, float64 %g", c.op, i, o32[i], o64[i])
			}
		}
	}
}

func TestShapeErrors(t *testing.T) {
	d, _ := NewDense(3, 4, nil, ReLU)
	if _, err := d.InferShape(tensor.Shape{5, 2}, tensor.Shape{3, 4}, tensor.Shape{4}); err == nil {
		t.Error("Dense accepted x [5 2] for In=3")
	}
	if _, err := NewDense(3, 4, make([]float64, 5), ReLU); err == nil {
		t.Error("NewDense accepted a mask of 5 entries for 3x4")
	}
	if _, err := NewGather([]int{0, 0}); err == nil {
		t.Error("NewGather accepted [0 0]")
	}
	if _, err := NewNormalLogProb([]float64{0}, []float64{-1}); err == nil {
		t.Error("NewNormalLogProb accepted scale -1")
	}
	if _, err := NewAffineAR(true, ScaleExp).InferShape(tensor.Shape{4, 3}, tensor.Shape{4, 5}); err == nil {
		t.Error("AffineAR accepted h [4 5] for v [4 3]")
	}
}

// TestScaleShortcutsMatchScaleOf checks the value-only scale functions
// and the gradient-only scaleGrad against scaleOf over a range of inputs
// for every scale function.
func TestScaleShortcutsMatchScaleOf(t *testing.T) {
	for _, f := range []ScaleFn{ScaleSoftplus, ScaleExp, ScaleSoftClip} {
		for u := -40.0; u <= 40; u += 0.37 {
			s, l, dl := scaleOf(f, u)
			if got := scaleOnly(f, u); got != s {
				t.Errorf("%v(%g): scaleOnly %g, scaleOf %g", f, u, got, s)
			}
			if gs, gd := scaleGrad(f, u); gs != s || math.Abs(gd-dl) > 1e-15*math.Abs(dl) {
				t.Errorf("%v(%g): scaleGrad %g, %g; scaleOf %g, %g", f, u, gs, gd, s, dl)
			}
			if got := logScaleOnly(f, u); got != l {
				t.Errorf("%v(%g): logScaleOnly %g, scaleOf %g", f, u, got, l)
			}
		}
	}
}
