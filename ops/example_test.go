package ops_test

import (
	"fmt"
	"log"
	"math"

	"github.com/nflowgo/nflow/ops"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Every op can be run eagerly with Do on tensors; the examples below print
// with %.4f so that the float rounding of a platform does not show.

func ExampleDense() {
	// A masked 2x2 layer: output 0 sees only input 0, output 1 sees both.
	mask := []float64{
		1, 1,
		0, 1,
	}
	op, err := ops.NewDense(2, 2, mask, ops.ReLU)
	if err != nil {
		log.Fatal(err)
	}
	x := tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float64{1, 1, 2, -1}))
	w := tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float64{1, 2, 3, 4})) // W[1,0] = 3 is masked out
	b := tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{0.5, -0.5}))
	y, err := op.Do(x, w, b)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(op, y.Shape())
	fmt.Printf("%.4f\n", y.Data())
	// Output:
	// Dense2x2,relu (2, 2)
	// [1.5000 5.5000 2.5000 0.0000]
}

func ExampleNewDense() {
	_, err := ops.NewDense(2, 3, []float64{1, 0, 1}, ops.Identity)
	fmt.Println(err)
	// Output:
	// ops.Dense: mask has 3 entries, expected 6 (2 x 3)
}

func ExampleMask() {
	// The effective kernel W∘M of a masked layer.
	op := ops.NewMask([]float64{
		1, 1,
		0, 1,
	})
	w := tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float64{1, 2, 3, 4}))
	wm, err := op.Do(w)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(op, wm.Shape(), wm.Data())
	// Output:
	// Mask(4) (2, 2) [1 2 0 4]
}

func ExampleRepeatRows() {
	// One row h [1, K] repeated for each of the N rows of x (whose values are not read).
	h := tensor.New(tensor.WithShape(1, 3), tensor.WithBacking([]float64{1, 2, 3}))
	x := tensor.New(tensor.WithShape(2, 5), tensor.WithBacking(make([]float64, 10)))
	y, err := ops.NewRepeatRows().Do(h, x)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(y.Shape(), y.Data())
	// Output:
	// (2, 3) [1 2 3 1 2 3]
}

func ExampleColSumRow() {
	// The gradient of RepeatRows sums the incoming gradient over rows into one row.
	g := gorgonia.NewGraph()
	h := gorgonia.NodeFromAny(g, tensor.New(tensor.WithShape(1, 2), tensor.WithBacking([]float64{1, 2})), gorgonia.WithName("h"))
	x := gorgonia.NodeFromAny(g, tensor.New(tensor.WithShape(3, 1), tensor.WithBacking(make([]float64, 3))), gorgonia.WithName("x"))
	y, err := gorgonia.ApplyOp(ops.NewRepeatRows(), h, x)
	if err != nil {
		log.Fatal(err)
	}
	w := gorgonia.NodeFromAny(g, tensor.New(tensor.WithShape(3, 2), tensor.WithBacking([]float64{1, 10, 2, 20, 3, 30})), gorgonia.WithName("w"))
	grads, err := gorgonia.Backpropagate(gorgonia.Nodes{y}, gorgonia.Nodes{w}, gorgonia.Nodes{h})
	if err != nil {
		log.Fatal(err)
	}
	m := gorgonia.NewTapeMachine(g)
	defer m.Close()
	if err := m.RunAll(); err != nil {
		log.Fatal(err)
	}
	fmt.Println(grads[0].Op(), grads[0].Value().Data())
	// Output:
	// ColSumRow [6 60]
}

func ExampleAffineAR() {
	// h holds (shift, unconstrained scale) per feature: m = (1, -1), u = (0, log 2).
	v := tensor.New(tensor.WithShape(1, 2), tensor.WithBacking([]float64{1, 2}))
	h := tensor.New(tensor.WithShape(1, 4), tensor.WithBacking([]float64{1, 0, -1, math.Ln2}))

	fwd := ops.NewAffineAR(false, ops.ScaleExp) // y = v·exp(u) + m
	y, err := fwd.Do(v, h)
	if err != nil {
		log.Fatal(err)
	}
	inv := ops.NewAffineAR(true, ops.ScaleExp) // x = (y - m) / exp(u)
	x, err := inv.Do(y, h)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("y = %.4f\n", y.Data())
	fmt.Printf("x = %.4f\n", x.Data())
	// Output:
	// y = [2.0000 3.0000]
	// x = [1.0000 2.0000]
}

func ExampleLogScaleSum() {
	// Two rows of (m0, u0, m1, u1); only the scale columns u count.
	h := tensor.New(tensor.WithShape(2, 4), tensor.WithBacking([]float64{
		5, 0, 5, math.Ln2,
		5, 1, 5, 0.5,
	}))
	fldj, err := ops.NewLogScaleSum(ops.ScaleExp, 1).Do(h)
	if err != nil {
		log.Fatal(err)
	}
	ildj, err := ops.NewLogScaleSum(ops.ScaleExp, -1).Do(h)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("forward: %.4f\n", fldj.Data())
	fmt.Printf("inverse: %.4f\n", ildj.Data())
	// Output:
	// forward: [0.6931 1.5000]
	// inverse: [-0.6931 -1.5000]
}

func ExampleNormalLogProb() {
	op, err := ops.NewNormalLogProb([]float64{0, 0}, []float64{1, 1})
	if err != nil {
		log.Fatal(err)
	}
	x := tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float64{0, 0, 1, 1}))
	lp, err := op.Do(x)
	if err != nil {
		log.Fatal(err)
	}
	// log p(0) = -log 2π; log p(1, 1) = -log 2π - 1.
	fmt.Printf("%.4f\n", lp.Data())
	// Output:
	// [-1.8379 -2.8379]
}

func ExampleGather() {
	op, err := ops.NewGather([]int{2, 0, 1}) // y[i] = x[perm[i]]
	if err != nil {
		log.Fatal(err)
	}
	x := tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]float64{10, 20, 30, 40, 50, 60}))
	y, err := op.Do(x)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(op, y.Data())
	// Output:
	// Gather[2 0 1] [30 10 20 60 40 50]
}

func ExampleInversePermutation() {
	inv, err := ops.InversePermutation([]int{2, 0, 1})
	fmt.Println(inv, err)
	_, err = ops.InversePermutation([]int{0, 2, 0})
	fmt.Println(err)
	// Output:
	// [1 2 0] <nil>
	// permutation [0 2 0]: entry 2 is 0, expected each of 0..2 exactly once
}

func ExampleNegMean() {
	lp := tensor.New(tensor.WithShape(4), tensor.WithBacking([]float64{-1, -2, -3, -4}))
	loss, err := ops.NewNegMean().Do(lp)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(loss.Shape().IsScalar())
	fmt.Printf("%.4f\n", loss.Data())
	// Output:
	// true
	// 2.5000
}

func ExamplePointwise() {
	x := tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float64{0, 1, -1, 2}))
	y, err := ops.NewPointwise(ops.Exp).Do(x)
	if err != nil {
		log.Fatal(err)
	}
	// For exp, log|f'(x)| = x, so the log-det of a row is its sum.
	ldj, err := ops.NewPointwiseLDJ(ops.Exp).Do(x)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("y   = %.4f\n", y.Data())
	fmt.Printf("ldj = %.4f\n", ldj.Data())
	// Output:
	// y   = [1.0000 2.7183 0.3679 7.3891]
	// ldj = [1.0000 1.0000]
}

func ExampleConstAffine() {
	op := ops.NewConstAffine([]float64{2, 0.5}, []float64{1, 0}) // y = x·A + B per column
	x := tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float64{1, 2, 3, 4}))
	y, err := op.Do(x)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(op, y.Data())
	// Output:
	// ConstAffine(D=2) [3 1 7 2]
}

func ExampleConstRows() {
	// The log-det of Scale([2, 1]) is log 2 for every row, whatever the row holds.
	op := ops.NewConstRows(math.Ln2)
	x := tensor.New(tensor.WithShape(3, 2), tensor.WithBacking([]float64{1, 2, 3, 4, 5, 6}))
	ldj, err := op.Do(x)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%v %.4f\n", ldj.Shape(), ldj.Data())
	// Output:
	// (3) [0.6931 0.6931 0.6931]
}

func ExampleZerosLike() {
	x := tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]float32{1, 2, 3, 4, 5, 6}))
	z, err := ops.NewZerosLike().Do(x)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(z.Shape(), z.Dtype(), z.Data())
	// Output:
	// (2, 3) float32 [0 0 0 0 0 0]
}

func ExampleActivation() {
	var names []string
	for a := ops.Identity; a.Valid(); a++ {
		names = append(names, a.String())
	}
	fmt.Println(names)
	a, err := ops.ParseActivation("linear") // Keras's name for identity
	fmt.Println(a, err)
	_, err = ops.ParseActivation("gelu")
	fmt.Println(err)
	// Output:
	// [identity relu tanh sigmoid softplus elu]
	// identity <nil>
	// unknown activation "gelu", expected one of identity, relu, tanh, sigmoid, softplus, elu
}

func ExampleScaleFn() {
	// σ(u) is the scale AffineAR multiplies by: run it on v = 1, m = 0.
	us := []float64{-10, 0, 10}
	for _, f := range []ops.ScaleFn{ops.ScaleSoftplus, ops.ScaleExp, ops.ScaleSoftClip} {
		v := []float64{1, 1, 1}
		h := []float64{0, us[0], 0, us[1], 0, us[2]}
		sigma := make([]float64, 3)
		ops.NewAffineAR(false, f).Exec64(sigma, [][]float64{v, h}, []tensor.Shape{{1, 3}, {1, 6}})
		fmt.Printf("%-8v σ(-10) = %.4f  σ(0) = %.4f  σ(10) = %.4f\n", f, sigma[0], sigma[1], sigma[2])
	}
	f, err := ops.ParseScaleFn("softclip")
	fmt.Println(f == ops.ScaleSoftClip, err)
	// Output:
	// softplus σ(-10) = 0.0011  σ(0) = 1.0010  σ(10) = 10.5424
	// exp      σ(-10) = 0.0000  σ(0) = 1.0000  σ(10) = 22026.4658
	// softclip σ(-10) = 0.0169  σ(0) = 1.0000  σ(10) = 59.3137
	// true <nil>
}

func ExampleFunc() {
	// f(x) and log|f'(x)| at x = 0.5 for each elementwise function.
	x := [][]float64{{0.5}}
	shape := []tensor.Shape{{1, 1}}
	y, ldj := make([]float64, 1), make([]float64, 1)
	for f := ops.Exp; f <= ops.SoftplusInv; f++ {
		ops.NewPointwise(f).Exec64(y, x, shape)
		ops.NewPointwiseLDJ(f).Exec64(ldj, x, shape)
		fmt.Printf("%-16v f = %7.4f  log|f'| = %7.4f\n", f, y[0], ldj[0])
	}
	// Output:
	// exp              f =  1.6487  log|f'| =  0.5000
	// log              f = -0.6931  log|f'| =  0.6931
	// sigmoid          f =  0.6225  log|f'| = -1.4482
	// logit            f =  0.0000  log|f'| =  1.3863
	// tanh             f =  0.4621  log|f'| = -0.2402
	// atanh            f =  0.5493  log|f'| =  0.2877
	// softplus         f =  0.9741  log|f'| = -0.4741
	// softplus_inverse f = -0.4328  log|f'| =  0.9328
}

func ExampleKernel() {
	// A kernel writes into a caller-owned buffer and allocates nothing:
	// this is how the compiled engine runs an op.
	var k ops.Kernel = ops.NewConstAffine([]float64{2, 0.5}, []float64{1, 0})
	x := []float64{1, 2, 3, 4}
	out := make([]float64, 4)
	k.Exec64(out, [][]float64{x}, []tensor.Shape{{2, 2}})
	fmt.Println(out)

	out32 := make([]float32, 4)
	k.Exec32(out32, [][]float32{{1, 2, 3, 4}}, []tensor.Shape{{2, 2}})
	fmt.Println(out32)
	// Output:
	// [3 1 7 2]
	// [3 1 7 2]
}

func ExampleFlowOp() {
	dense, err := ops.NewDense(3, 4, nil, ops.Tanh)
	if err != nil {
		log.Fatal(err)
	}
	gather, err := ops.NewGather([]int{1, 0})
	if err != nil {
		log.Fatal(err)
	}
	for _, op := range []ops.FlowOp{dense, gather, ops.NewNegMean()} {
		fmt.Printf("%-16v arity %d, type %v\n", op, op.Arity(), op.Type())
	}
	// InferShape gives the output shape for input shapes, as Gorgonia asks.
	s, err := dense.InferShape(tensor.Shape{5, 3}, tensor.Shape{3, 4}, tensor.Shape{4})
	fmt.Println(s, err)
	// Output:
	// Dense3x4,tanh    arity 3, type Matrix a → Matrix a → Vector a → Matrix a
	// Gather[1 0]      arity 1, type Matrix a → Matrix a
	// NegMean          arity 1, type Vector a → a
	// (5, 4) <nil>
}

// meanOf is written once for both kernel element types.
func meanOf[T ops.Float](xs []T) T {
	var s T
	for _, x := range xs {
		s += x
	}
	return s / T(len(xs))
}

func ExampleFloat() {
	fmt.Println(meanOf([]float32{1, 2, 3, 4}), meanOf([]float64{0.5, 1}))
	// Output:
	// 2.5 0.75
}

// The gradient ops are not built directly: SymDiff emits them when
// gorgonia.Grad differentiates a graph of flow ops. In the examples below
// the loss is NegMean(NormalLogProb(y)) with a standard normal and one row,
// so its gradient with respect to y is y itself.

func ExampleNegMeanGrad() {
	g := gorgonia.NewGraph()
	lp := gorgonia.NodeFromAny(g, tensor.New(tensor.WithShape(4), tensor.WithBacking([]float64{-1, -2, -3, -4})), gorgonia.WithName("lp"))
	loss := gorgonia.Must(gorgonia.ApplyOp(ops.NewNegMean(), lp))
	grads, err := gorgonia.Grad(loss, lp)
	if err != nil {
		log.Fatal(err)
	}
	m := gorgonia.NewTapeMachine(g)
	defer m.Close()
	if err := m.RunAll(); err != nil {
		log.Fatal(err)
	}
	_, ok := grads[0].Op().(*ops.NegMeanGrad)
	fmt.Println(grads[0].Op(), ok)
	fmt.Printf("%.4f\n", grads[0].Value().Data()) // -1/N each
	// Output:
	// NegMeanGrad true
	// [-0.2500 -0.2500 -0.2500 -0.2500]
}

func ExampleNormalLogProbGrad() {
	nlp, err := ops.NewNormalLogProb([]float64{0, 1}, []float64{1, 2})
	if err != nil {
		log.Fatal(err)
	}
	g := gorgonia.NewGraph()
	x := gorgonia.NodeFromAny(g, tensor.New(tensor.WithShape(1, 2), tensor.WithBacking([]float64{1, 2})), gorgonia.WithName("x"))
	lp := gorgonia.Must(gorgonia.ApplyOp(nlp, x))
	loss := gorgonia.Must(gorgonia.ApplyOp(ops.NewNegMean(), lp))
	grads, err := gorgonia.Grad(loss, x)
	if err != nil {
		log.Fatal(err)
	}
	m := gorgonia.NewTapeMachine(g)
	defer m.Close()
	if err := m.RunAll(); err != nil {
		log.Fatal(err)
	}
	_, ok := grads[0].Op().(*ops.NormalLogProbGrad)
	fmt.Println(grads[0].Op(), ok)
	fmt.Printf("%.4f\n", grads[0].Value().Data()) // (x-μ)/s²
	// Output:
	// NormalLogProbGrad true
	// [1.0000 0.2500]
}

func ExampleLogScaleSumGrad() {
	g := gorgonia.NewGraph()
	h := gorgonia.NodeFromAny(g, tensor.New(tensor.WithShape(1, 4), tensor.WithBacking([]float64{5, 1, 5, 2})), gorgonia.WithName("h"))
	fldj := gorgonia.Must(gorgonia.ApplyOp(ops.NewLogScaleSum(ops.ScaleExp, 1), h))
	loss := gorgonia.Must(gorgonia.ApplyOp(ops.NewNegMean(), fldj))
	grads, err := gorgonia.Grad(loss, h)
	if err != nil {
		log.Fatal(err)
	}
	m := gorgonia.NewTapeMachine(g)
	defer m.Close()
	if err := m.RunAll(); err != nil {
		log.Fatal(err)
	}
	_, ok := grads[0].Op().(*ops.LogScaleSumGrad)
	fmt.Println(grads[0].Op(), ok)
	// Zero in the shift columns; -(log σ)'(u) = -1 in the scale columns.
	fmt.Printf("%.4f\n", grads[0].Value().Data())
	// Output:
	// LogScaleSumGrad true
	// [0.0000 -1.0000 0.0000 -1.0000]
}

func ExampleAffineARGrad() {
	std, err := ops.NewNormalLogProb([]float64{0, 0}, []float64{1, 1})
	if err != nil {
		log.Fatal(err)
	}
	g := gorgonia.NewGraph()
	v := gorgonia.NodeFromAny(g, tensor.New(tensor.WithShape(1, 2), tensor.WithBacking([]float64{1, 2})), gorgonia.WithName("v"))
	h := gorgonia.NodeFromAny(g, tensor.New(tensor.WithShape(1, 4), tensor.WithBacking([]float64{0.5, 0, -1, math.Ln2})), gorgonia.WithName("h"))
	y := gorgonia.Must(gorgonia.ApplyOp(ops.NewAffineAR(false, ops.ScaleExp), v, h)) // y = (1.5, 3)
	loss := gorgonia.Must(gorgonia.ApplyOp(ops.NewNegMean(), gorgonia.Must(gorgonia.ApplyOp(std, y))))
	grads, err := gorgonia.Grad(loss, v, h)
	if err != nil {
		log.Fatal(err)
	}
	m := gorgonia.NewTapeMachine(g)
	defer m.Close()
	if err := m.RunAll(); err != nil {
		log.Fatal(err)
	}
	for _, gr := range grads {
		op := gr.Op().(*ops.AffineARGrad)
		fmt.Printf("WRT %d: %.4f\n", op.WRT, gr.Value().Data())
	}
	// Output:
	// WRT 0: [1.5000 6.0000]
	// WRT 1: [1.5000 1.5000 3.0000 12.0000]
}

func ExampleDenseGradX() {
	dense, err := ops.NewDense(2, 2, []float64{1, 1, 0, 1}, ops.Identity)
	if err != nil {
		log.Fatal(err)
	}
	std, err := ops.NewNormalLogProb([]float64{0, 0}, []float64{1, 1})
	if err != nil {
		log.Fatal(err)
	}
	g := gorgonia.NewGraph()
	x := gorgonia.NodeFromAny(g, tensor.New(tensor.WithShape(1, 2), tensor.WithBacking([]float64{1, 1})), gorgonia.WithName("x"))
	w := gorgonia.NodeFromAny(g, tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float64{1, 2, 3, 4})), gorgonia.WithName("W"))
	b := gorgonia.NodeFromAny(g, tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{0.5, -0.5})), gorgonia.WithName("b"))
	y := gorgonia.Must(gorgonia.ApplyOp(dense, x, w, b)) // y = (1.5, 5.5)
	loss := gorgonia.Must(gorgonia.ApplyOp(ops.NewNegMean(), gorgonia.Must(gorgonia.ApplyOp(std, y))))
	grads, err := gorgonia.Grad(loss, x)
	if err != nil {
		log.Fatal(err)
	}
	m := gorgonia.NewTapeMachine(g)
	defer m.Close()
	if err := m.RunAll(); err != nil {
		log.Fatal(err)
	}
	_, ok := grads[0].Op().(*ops.DenseGradX)
	fmt.Println(grads[0].Op(), ok)
	fmt.Printf("%.4f\n", grads[0].Value().Data()) // dx = y (W∘M)ᵀ
	// Output:
	// DenseGradX true
	// [12.5000 22.0000]
}

func ExampleDenseGradW() {
	dense, err := ops.NewDense(2, 2, []float64{1, 1, 0, 1}, ops.Identity)
	if err != nil {
		log.Fatal(err)
	}
	std, err := ops.NewNormalLogProb([]float64{0, 0}, []float64{1, 1})
	if err != nil {
		log.Fatal(err)
	}
	g := gorgonia.NewGraph()
	x := gorgonia.NodeFromAny(g, tensor.New(tensor.WithShape(1, 2), tensor.WithBacking([]float64{1, 1})), gorgonia.WithName("x"))
	w := gorgonia.NodeFromAny(g, tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float64{1, 2, 3, 4})), gorgonia.WithName("W"))
	b := gorgonia.NodeFromAny(g, tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{0.5, -0.5})), gorgonia.WithName("b"))
	y := gorgonia.Must(gorgonia.ApplyOp(dense, x, w, b)) // y = (1.5, 5.5)
	loss := gorgonia.Must(gorgonia.ApplyOp(ops.NewNegMean(), gorgonia.Must(gorgonia.ApplyOp(std, y))))
	grads, err := gorgonia.Grad(loss, w)
	if err != nil {
		log.Fatal(err)
	}
	m := gorgonia.NewTapeMachine(g)
	defer m.Close()
	if err := m.RunAll(); err != nil {
		log.Fatal(err)
	}
	_, ok := grads[0].Op().(*ops.DenseGradW)
	fmt.Println(grads[0].Op(), ok)
	// dW = (xᵀ y)∘M: the masked-out entry W[1,0] gets no gradient.
	fmt.Printf("%.4f\n", grads[0].Value().Data())
	// Output:
	// DenseGradW true
	// [1.5000 5.5000 0.0000 5.5000]
}

func ExampleColSum() {
	dense, err := ops.NewDense(2, 2, nil, ops.Identity)
	if err != nil {
		log.Fatal(err)
	}
	std, err := ops.NewNormalLogProb([]float64{0, 0}, []float64{1, 1})
	if err != nil {
		log.Fatal(err)
	}
	g := gorgonia.NewGraph()
	// Two rows: the bias gradient sums the rows' gradients (and NegMean divides by 2).
	x := gorgonia.NodeFromAny(g, tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float64{1, 0, 0, 1})), gorgonia.WithName("x"))
	w := gorgonia.NodeFromAny(g, tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float64{1, 0, 0, 1})), gorgonia.WithName("W"))
	b := gorgonia.NodeFromAny(g, tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{1, 2})), gorgonia.WithName("b"))
	y := gorgonia.Must(gorgonia.ApplyOp(dense, x, w, b)) // y = [[2 2] [1 3]]
	loss := gorgonia.Must(gorgonia.ApplyOp(ops.NewNegMean(), gorgonia.Must(gorgonia.ApplyOp(std, y))))
	grads, err := gorgonia.Grad(loss, b)
	if err != nil {
		log.Fatal(err)
	}
	m := gorgonia.NewTapeMachine(g)
	defer m.Close()
	if err := m.RunAll(); err != nil {
		log.Fatal(err)
	}
	_, ok := grads[0].Op().(*ops.ColSum)
	fmt.Println(grads[0].Op(), ok)
	fmt.Printf("%.4f\n", grads[0].Value().Data()) // (Σ_n y[n]) / 2
	// Output:
	// ColSum true
	// [1.5000 2.5000]
}

func ExampleActGrad() {
	dense, err := ops.NewDense(2, 2, nil, ops.Tanh)
	if err != nil {
		log.Fatal(err)
	}
	std, err := ops.NewNormalLogProb([]float64{0, 0}, []float64{1, 1})
	if err != nil {
		log.Fatal(err)
	}
	g := gorgonia.NewGraph()
	x := gorgonia.NodeFromAny(g, tensor.New(tensor.WithShape(1, 2), tensor.WithBacking([]float64{0.5, -0.5})), gorgonia.WithName("x"))
	w := gorgonia.NodeFromAny(g, tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float64{1, 0, 0, 1})), gorgonia.WithName("W"))
	b := gorgonia.NodeFromAny(g, tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{0, 0})), gorgonia.WithName("b"))
	y := gorgonia.Must(gorgonia.ApplyOp(dense, x, w, b)) // y = tanh(x)
	loss := gorgonia.Must(gorgonia.ApplyOp(ops.NewNegMean(), gorgonia.Must(gorgonia.ApplyOp(std, y))))
	if _, err := gorgonia.Grad(loss, x, w, b); err != nil {
		log.Fatal(err)
	}
	m := gorgonia.NewTapeMachine(g)
	defer m.Close()
	if err := m.RunAll(); err != nil {
		log.Fatal(err)
	}
	// The Dense gradients share one ActGrad node: gz = gy·(1 - y²).
	for _, n := range g.AllNodes() {
		if op, ok := n.Op().(*ops.ActGrad); ok {
			fmt.Printf("%v (%v): %.4f\n", op, op.Act, n.Value().Data())
		}
	}
	// Output:
	// ActGrad,tanh (tanh): [0.3634 -0.3634]
}
