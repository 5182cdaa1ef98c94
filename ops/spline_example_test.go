package ops_test

import (
	"fmt"
	"log"
	"math"

	"github.com/nflowgo/nflow/ops"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// splineTable is the parameter row of one feature of a 2-bin spline on
// [-1, 1]: equal widths, heights in the ratio 3:1, interior slope 1.
var splineTable = []float64{0, 0, math.Log(3), 0, 0}

// knots returns RQSplineKnots(2, 1) of rows copies of splineTable per feature.
func knots(rows, features int) *tensor.Dense {
	var th []float64
	for i := 0; i < rows*features; i++ {
		th = append(th, splineTable...)
	}
	op, err := ops.NewRQSplineKnots(2, 1)
	if err != nil {
		log.Fatal(err)
	}
	kap, err := op.Do(tensor.New(tensor.WithShape(rows, features*5), tensor.WithBacking(th)))
	if err != nil {
		log.Fatal(err)
	}
	return kap.(*tensor.Dense)
}

func ExampleRQSplineKnots() {
	op, err := ops.NewRQSplineKnots(2, 1)
	if err != nil {
		log.Fatal(err)
	}
	th := tensor.New(tensor.WithShape(1, 5), tensor.WithBacking(append([]float64(nil), splineTable...)))
	kap, err := op.Do(th)
	if err != nil {
		log.Fatal(err)
	}
	// Widths W_0, W_1, heights H_0, H_1 (each pair sums to 2B = 2), slopes δ_0, δ_1, δ_2.
	fmt.Println(op)
	fmt.Printf("%.4f\n", kap.Data())
	// Output:
	// RQSplineKnots(2,1)
	// [1.0000 1.0000 1.4990 0.5010 1.0000 1.0000 1.0000]
}

func ExampleNewRQSplineKnots() {
	_, err := ops.NewRQSplineKnots(8, -3)
	fmt.Println(err)
	// Output: ops.RQSplineKnots: bound -3, expected a finite positive number
}

func ExampleRQSplineKnotsGrad() {
	g := gorgonia.NewGraph()
	th := gorgonia.NodeFromAny(g, tensor.New(tensor.WithShape(1, 5), tensor.WithBacking(append([]float64(nil), splineTable...))), gorgonia.WithName("θ"))
	op, _ := ops.NewRQSplineKnots(2, 1)
	kap := gorgonia.Must(gorgonia.ApplyOp(op, th))
	sp, _ := ops.NewRQSpline(2, 1, false)
	v := gorgonia.NodeFromAny(g, tensor.New(tensor.WithShape(1, 1), tensor.WithBacking([]float64{0})), gorgonia.WithName("v"))
	y := gorgonia.Must(gorgonia.ApplyOp(sp, v, kap))
	loss := gorgonia.Must(gorgonia.ApplyOp(ops.NewNegMean(), gorgonia.Must(gorgonia.ApplyOp(ops.NewLogScaleSum(ops.ScaleExp, 1), gorgonia.Must(gorgonia.ApplyOp(ops.NewConcat(), y, y))))))
	grads, err := gorgonia.Grad(loss, th)
	if err != nil {
		log.Fatal(err)
	}
	m := gorgonia.NewTapeMachine(g)
	defer m.Close()
	if err := m.RunAll(); err != nil {
		log.Fatal(err)
	}
	// loss = -y(0). 0 is the middle knot x_1 = -1 + W_0, mapped to
	// y_1 = -1 + H_0: a wider first bin moves the knot right, lowering y(0)
	// by δ_1 = 1 per unit, a taller one raises it by 1.
	gop := grads[0].Op().(*ops.RQSplineKnotsGrad)
	fmt.Println(gop, gop.Knots())
	fmt.Printf("%.3f\n", grads[0].Value().Data())
	// Output:
	// RQSplineKnotsGrad RQSplineKnots(2,1)
	// [0.499 -0.499 -0.374 0.374 0.000]
}

func ExampleRQSpline() {
	fwd, err := ops.NewRQSpline(2, 1, false)
	if err != nil {
		log.Fatal(err)
	}
	inv, _ := ops.NewRQSpline(2, 1, true)
	// Three rows of one feature: below the range, at the middle knot, above.
	v := tensor.New(tensor.WithShape(3, 1), tensor.WithBacking([]float64{-1.5, 0, 2}))
	th := knots(3, 1)
	y, err := fwd.Do(v, th)
	if err != nil {
		log.Fatal(err)
	}
	x, err := inv.Do(y, th)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(fwd)
	fmt.Printf("y = %.4f\n", y.Data()) // the middle knot moves to -1 + H_0
	fmt.Printf("x = %.4f\n", x.Data())
	// Output:
	// RQSpline(2,1,false)
	// y = [-1.5000 0.4990 2.0000]
	// x = [-1.5000 0.0000 2.0000]
}

func ExampleNewRQSpline() {
	_, err := ops.NewRQSpline(0, 3, false)
	fmt.Println(err)
	_, err = ops.NewRQSpline(8, 0, false)
	fmt.Println(err)
	// Output:
	// ops.RQSpline: 0 bins, expected 1..64
	// ops.RQSpline: bound 0, expected a finite positive number
}

func ExampleSplineParams() {
	// Per feature: K widths, K heights, K-1 interior slopes.
	fmt.Println(ops.SplineParams(8))
	// Output: 23
}

func ExampleSplineKnotParams() {
	// Per feature: K widths, K heights, K+1 knot slopes.
	fmt.Println(ops.SplineKnotParams(8))
	// Output: 25
}

func ExampleRQSplineLogDet() {
	fl, err := ops.NewRQSplineLogDet(2, 1, false)
	if err != nil {
		log.Fatal(err)
	}
	v := tensor.New(tensor.WithShape(1, 2), tensor.WithBacking([]float64{0, 5}))
	l, err := fl.Do(v, knots(1, 2))
	if err != nil {
		log.Fatal(err)
	}
	// At a knot the slope is the knot's (1): log 1 = 0; 5 is outside: 0.
	fmt.Printf("%v %.4f\n", fl, l.Data())
	// Output: RQSplineLogDet(2,1,false) [0.0000]
}

func ExampleNewRQSplineLogDet() {
	_, err := ops.NewRQSplineLogDet(65, 3, true)
	fmt.Println(err)
	// Output: ops.RQSplineLogDet: 65 bins, expected 1..64
}

// splineGrads returns the gradient nodes of loss = mean(out) for a spline
// op on v = 0.5 and the knots above, after running the graph.
func splineGrads(op gorgonia.Op) gorgonia.Nodes {
	g := gorgonia.NewGraph()
	v := gorgonia.NodeFromAny(g, tensor.New(tensor.WithShape(1, 1), tensor.WithBacking([]float64{0.5})), gorgonia.WithName("v"))
	th := gorgonia.NodeFromAny(g, knots(1, 1), gorgonia.WithName("κ"))
	out := gorgonia.Must(gorgonia.ApplyOp(op, v, th))
	if out.Dims() == 2 {
		out = gorgonia.Must(gorgonia.ApplyOp(ops.NewLogScaleSum(ops.ScaleExp, 1), gorgonia.Must(gorgonia.ApplyOp(ops.NewConcat(), out, out))))
	}
	loss := gorgonia.Must(gorgonia.ApplyOp(ops.NewNegMean(), out))
	grads, err := gorgonia.Grad(loss, v, th)
	if err != nil {
		log.Fatal(err)
	}
	m := gorgonia.NewTapeMachine(g)
	defer m.Close()
	if err := m.RunAll(); err != nil {
		log.Fatal(err)
	}
	return grads
}

func ExampleRQSplineGrad() {
	inv, _ := ops.NewRQSpline(2, 1, true)
	grads := splineGrads(inv)
	for _, gr := range grads {
		op := gr.Op().(*ops.RQSplineGrad)
		fmt.Printf("%v of %v: shape %v\n", op, op.Spline(), gr.Shape())
	}
	// Output:
	// RQSplineGrad(WRT=0) of RQSpline(2,1,true): shape (1, 1)
	// RQSplineGrad(WRT=1) of RQSpline(2,1,true): shape (1, 7)
}

func ExampleRQSplineLogDetGrad() {
	il, _ := ops.NewRQSplineLogDet(2, 1, true)
	grads := splineGrads(il)
	for _, gr := range grads {
		op := gr.Op().(*ops.RQSplineLogDetGrad)
		fmt.Printf("%v of %v: shape %v\n", op, op.LogDet(), gr.Shape())
	}
	// Output:
	// RQSplineLogDetGrad(WRT=0) of RQSplineLogDet(2,1,true): shape (1, 1)
	// RQSplineLogDetGrad(WRT=1) of RQSplineLogDet(2,1,true): shape (1, 7)
}

func ExampleColumns() {
	c, err := ops.NewColumns(1, 3)
	if err != nil {
		log.Fatal(err)
	}
	x := tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]float64{1, 2, 3, 4, 5, 6}))
	y, err := c.Do(x)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(c, y.Shape(), y.Data())
	// Output: Columns[1:3] (2, 2) [2 3 5 6]
}

func ExampleNewColumns() {
	_, err := ops.NewColumns(2, 1)
	fmt.Println(err)
	// Output: ops.Columns: columns [2, 1), expected 0 <= lo < hi
}

func ExampleColumnsGrad() {
	g := gorgonia.NewGraph()
	x := gorgonia.NodeFromAny(g, tensor.New(tensor.WithShape(1, 3), tensor.WithBacking([]float64{1, 2, 3})), gorgonia.WithName("x"))
	c, _ := ops.NewColumns(1, 3)
	loss := gorgonia.Must(gorgonia.ApplyOp(ops.NewNegMean(), gorgonia.Must(gorgonia.ApplyOp(ops.NewLogScaleSum(ops.ScaleExp, 1), gorgonia.Must(gorgonia.ApplyOp(c, x))))))
	grads, err := gorgonia.Grad(loss, x)
	if err != nil {
		log.Fatal(err)
	}
	m := gorgonia.NewTapeMachine(g)
	defer m.Close()
	if err := m.RunAll(); err != nil {
		log.Fatal(err)
	}
	// loss = -x[2]: the gradient is zero outside the block.
	_, ok := grads[0].Op().(*ops.ColumnsGrad)
	fmt.Println(grads[0].Op(), ok, grads[0].Value().Data())
	// Output: ColumnsGrad[1:3] true [0 0 -1]
}

func ExampleConcat() {
	a := tensor.New(tensor.WithShape(2, 1), tensor.WithBacking([]float64{1, 2}))
	b := tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float64{3, 4, 5, 6}))
	y, err := ops.NewConcat().Do(a, b)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(y.Shape(), y.Data())
	// Output: (2, 3) [1 3 4 2 5 6]
}

func ExampleNewConcat() {
	_, err := ops.NewConcat().InferShape(tensor.Shape{2, 1}, tensor.Shape{3, 1})
	fmt.Println(err)
	// Output: Concat: 2 rows and 3 rows
}
