package ops

import (
	"math"
	"math/rand/v2"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestSplineExtremeParams: large parameters (tiny bins, steep and flat
// slopes) keep every output and gradient finite in both precisions, the
// map increasing and the round trip close.
func TestSplineExtremeParams(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	const n, bins, bound = 400, 8, 3.0
	p := SplineParams(bins)
	for _, scale := range []float64{5, 20, 60} {
		raw := randDense(rng, -scale, scale, n, p)
		th := knotsOf(raw, bins, bound)
		x := randDense(rng, -bound, bound, n, 1)
		for i := 0; i < n; i += 10 { // the edges of the range
			x.Float64s()[i] = bound * float64(1-2*(i/10%2))
		}
		fwd, _ := NewRQSpline(bins, bound, false)
		inv, _ := NewRQSpline(bins, bound, true)
		y := tensor.New(tensor.WithShape(n, 1), tensor.WithBacking(exec64(t, fwd, x, th)))
		x2 := exec64(t, inv, y, th)
		for i, v := range x.Float64s() {
			if yv := y.Float64s()[i]; math.IsNaN(yv) || math.Abs(yv) > bound {
				t.Fatalf("scale %g: y(%g) = %g", scale, v, yv)
			}
			// The inverse is ill-conditioned where the slope is tiny; check in y.
			if math.IsNaN(x2[i]) || math.Abs(x2[i]) > bound {
				t.Fatalf("scale %g: x2 = %g", scale, x2[i])
			}
		}
		y2 := exec64(t, fwd, tensor.New(tensor.WithShape(n, 1), tensor.WithBacking(x2)), th)
		for i, v := range y.Float64s() {
			if math.Abs(y2[i]-v) > 1e-9 {
				t.Errorf("scale %g: forward(inverse(y)) = %g, y = %g", scale, y2[i], v)
			}
		}
		kop, _ := NewRQSplineKnots(bins, bound)
		for _, op := range []FlowOp{kop, &RQSplineKnotsGrad{base: newBase("g", "g", 2, 2, 2, 2), kn: kop}} {
			in := []*tensor.Dense{raw}
			if op != kop {
				in = append(in, th, th)
			}
			for i, o := range exec64(t, op, in...) {
				if math.IsNaN(o) || math.IsInf(o, 0) {
					t.Fatalf("scale %g: %v element %d is %g", scale, op, i, o)
				}
			}
			compare32Finite(t, op, in)
		}
		for _, c := range splineOpsAndGrads(t, bins, bound) {
			for _, v := range []*tensor.Dense{x, y} {
				in := []*tensor.Dense{v, th}
				if c.extra != nil {
					in = append(in, c.extra(v))
				}
				out := exec64(t, c.op, in...)
				for i, o := range out {
					if math.IsNaN(o) || math.IsInf(o, 0) {
						t.Fatalf("scale %g: %v element %d is %g", scale, c.op, i, o)
					}
				}
				compare32Finite(t, c.op, in)
			}
		}
	}
}

type opWithCotangent struct {
	op    FlowOp
	extra func(v *tensor.Dense) *tensor.Dense // the cotangent input of a gradient op
}

func splineOpsAndGrads(t *testing.T, bins int, bound float64) []opWithCotangent {
	var cs []opWithCotangent
	ones := func(shape func(v *tensor.Dense) []int) func(v *tensor.Dense) *tensor.Dense {
		return func(v *tensor.Dense) *tensor.Dense {
			s := shape(v)
			d := make([]float64, tensor.Shape(s).TotalSize())
			for i := range d {
				d[i] = 1
			}
			return tensor.New(tensor.WithShape(s...), tensor.WithBacking(d))
		}
	}
	same := ones(func(v *tensor.Dense) []int { return v.Shape() })
	rows := ones(func(v *tensor.Dense) []int { return []int{v.Shape()[0]} })
	for _, inv := range []bool{false, true} {
		sp, err := NewRQSpline(bins, bound, inv)
		if err != nil {
			t.Fatal(err)
		}
		ld, _ := NewRQSplineLogDet(bins, bound, inv)
		cs = append(cs, opWithCotangent{sp, nil}, opWithCotangent{ld, nil})
		for wrt := 0; wrt < 2; wrt++ {
			cs = append(cs, opWithCotangent{newRQSplineGrad(sp, wrt), same}, opWithCotangent{newRQSplineLogDetGrad(ld, wrt), rows})
		}
	}
	return cs
}

// compare32Finite checks that the float32 kernel gives finite values.
func compare32Finite(t *testing.T, op FlowOp, ins []*tensor.Dense) {
	t.Helper()
	ins32 := make([][]float32, len(ins))
	shapes := make([]tensor.Shape, len(ins))
	ds := make([]gorgonia.DimSizer, len(ins))
	for i, in := range ins {
		ins32[i] = toT[float32](in.Float64s())
		shapes[i] = in.Shape()
		ds[i] = shapes[i]
	}
	s, err := op.InferShape(ds...)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]float32, s.TotalSize())
	op.Exec32(out, ins32, shapes)
	for i, o := range out {
		if math.IsNaN(float64(o)) || math.IsInf(float64(o), 0) {
			t.Fatalf("%v float32: element %d is %g", op, i, o)
		}
	}
}

// BenchmarkRQSplineTrainingStep runs the spline kernels of one density
// training step (knots, inverse, ILDJ, their four gradients and the knots'
// gradient) in float32 on a batch of 256 two-dimensional rows with K = 8.
func BenchmarkRQSplineTrainingStep(b *testing.B) {
	const n, d, bins, bound = 256, 2, 8, 3.0
	rng := rand.New(rand.NewPCG(1, 2))
	p, q := SplineParams(bins), SplineKnotParams(bins)
	v := toT[float32](randDense(rng, -2.5, 2.5, n, d).Float64s())
	th := toT[float32](randDense(rng, -1, 1, n, d*p).Float64s())
	g := toT[float32](randDense(rng, -1, 1, n, d).Float64s())
	gl := toT[float32](randDense(rng, -1, 1, n).Float64s())
	kop, _ := NewRQSplineKnots(bins, bound)
	kg := &RQSplineKnotsGrad{base: newBase("g", "g", 2, 2, 2, 2), kn: kop}
	sp, _ := NewRQSpline(bins, bound, true)
	ld, _ := NewRQSplineLogDet(bins, bound, true)
	spg0, spg1 := newRQSplineGrad(sp, 0), newRQSplineGrad(sp, 1)
	ldg0, ldg1 := newRQSplineLogDetGrad(ld, 0), newRQSplineLogDetGrad(ld, 1)
	kap, x, l := make([]float32, n*d*q), make([]float32, n*d), make([]float32, n)
	dv, dk, dth := make([]float32, n*d), make([]float32, n*d*q), make([]float32, n*d*p)
	sh := []tensor.Shape{{n, d}, {n, d * q}}
	shg := []tensor.Shape{{n, d}, {n, d * q}, {n, d}}
	shl := []tensor.Shape{{n, d}, {n, d * q}, {n}}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		kop.Exec32(kap, [][]float32{th}, []tensor.Shape{{n, d * p}})
		sp.Exec32(x, [][]float32{v, kap}, sh)
		ld.Exec32(l, [][]float32{v, kap}, sh)
		spg0.Exec32(dv, [][]float32{v, kap, g}, shg)
		spg1.Exec32(dk, [][]float32{v, kap, g}, shg)
		ldg0.Exec32(dv, [][]float32{v, kap, gl}, shl)
		ldg1.Exec32(dk, [][]float32{v, kap, gl}, shl)
		kg.Exec32(dth, [][]float32{th, kap, dk}, nil)
	}
}
