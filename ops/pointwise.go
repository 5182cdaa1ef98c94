package ops

import (
	"fmt"
	"math"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Func is an elementwise bijective function used by the elementwise
// bijectors. Each comes with its derivative f', its log-det term log|f'(x)|
// and that term's derivative.
type Func int

const (
	Exp         Func = iota // e^x; log f' = x
	Log                     // log x; log f' = -log x
	SigmoidFn               // 1/(1+e^-x); log f' = -softplus(-x) - softplus(x)
	Logit                   // log(x/(1-x)); log f' = -log x - log(1-x)
	TanhFn                  // tanh x; log f' = 2(log 2 - x - softplus(-2x))
	Atanh                   // atanh x; log f' = -log(1-x²)
	SoftplusFn              // log(1+e^x); log f' = -softplus(-x)
	SoftplusInv             // log(e^x - 1); log f' = -log(-expm1(-x))
)

var funcNames = map[Func]string{Exp: "exp", Log: "log", SigmoidFn: "sigmoid", Logit: "logit",
	TanhFn: "tanh", Atanh: "atanh", SoftplusFn: "softplus", SoftplusInv: "softplus_inverse"}

func (f Func) String() string { return funcNames[f] }

// eval returns f(x), f'(x), log|f'(x)| and d/dx log|f'(x)|.
func (f Func) eval(x float64) (y, dy, ldj, dldj float64) {
	switch f {
	case Exp:
		y = math.Exp(x)
		return y, y, x, 1
	case Log:
		return math.Log(x), 1 / x, -math.Log(x), -1 / x
	case SigmoidFn:
		s := sigmoid(x)
		return s, s * (1 - s), -softplus(-x) - softplus(x), 1 - 2*s
	case Logit:
		return math.Log(x) - math.Log1p(-x), 1 / (x * (1 - x)), -math.Log(x) - math.Log1p(-x), -1/x + 1/(1-x)
	case TanhFn:
		t := math.Tanh(x)
		return t, 1 - t*t, 2 * (math.Ln2 - x - softplus(-2*x)), -2 * t
	case Atanh:
		return math.Atanh(x), 1 / (1 - x*x), -math.Log1p(-x * x), 2 * x / (1 - x*x)
	case SoftplusFn:
		s := sigmoid(x)
		return softplus(x), s, -softplus(-x), 1 - s
	case SoftplusInv:
		em := math.Expm1(x)
		return math.Log(em), 1 / -math.Expm1(-x), -math.Log(-math.Expm1(-x)), -1 / em
	}
	panic(fmt.Sprintf("ops: unknown Func %d", int(f)))
}

// pointwiseMode selects what a Pointwise op computes from f.
type pointwiseMode int

const (
	pwValue   pointwiseMode = iota // y = f(x)
	pwGrad                         // (x, g) -> g·f'(x)
	pwLDJ                          // x [N,D] -> [N]: Σ_d log|f'(x)|
	pwLDJGrad                      // (x, g[N]) -> g·(log|f'|)'(x)
)

// Pointwise applies an elementwise Func: y = f(x) (NewPointwise), its
// log-det row sum Σ_d log|f'(x[n,d])| (NewPointwiseLDJ), or the gradients
// of those, which SymDiff emits.
type Pointwise struct {
	base
	Fn   Func
	mode pointwiseMode
}

func newPointwise(f Func, m pointwiseMode) *Pointwise {
	names := [...]string{"Pointwise", "PointwiseGrad", "PointwiseLDJ", "PointwiseLDJGrad"}
	outDims, in := 2, []int{2}
	switch m {
	case pwGrad:
		in = []int{2, 2}
	case pwLDJ:
		outDims = 1
	case pwLDJGrad:
		in = []int{2, 1}
	}
	return &Pointwise{base: newBase(names[m]+"("+f.String()+")", f.String(), outDims, in...), Fn: f, mode: m}
}

// NewPointwise returns y = f(x) elementwise on [N, D].
func NewPointwise(f Func) *Pointwise { return newPointwise(f, pwValue) }

// NewPointwiseLDJ returns out[n] = Σ_d log|f'(x[n,d])|, x [N, D], out [N].
func NewPointwiseLDJ(f Func) *Pointwise { return newPointwise(f, pwLDJ) }

func (op *Pointwise) InferShape(ds ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := shapesOf(op.name, op.Arity(), ds)
	if err != nil {
		return nil, err
	}
	if err := matrix(op.name, 0, s[0], -1); err != nil {
		return nil, err
	}
	if op.mode == pwLDJ {
		return tensor.Shape{s[0][0]}, nil
	}
	return s[0].Clone(), nil
}
func (op *Pointwise) Do(v ...gorgonia.Value) (gorgonia.Value, error) { return do(op, v) }
func (op *Pointwise) Exec32(out []float32, ins [][]float32, s []tensor.Shape) {
	pointwise(op, out, ins, s[0][1])
}
func (op *Pointwise) Exec64(out []float64, ins [][]float64, s []tensor.Shape) {
	pointwise(op, out, ins, s[0][1])
}

func pointwise[T Float](op *Pointwise, out []T, ins [][]T, d int) {
	x := ins[0]
	switch op.mode {
	case pwValue:
		for i, v := range x {
			y, _, _, _ := op.Fn.eval(float64(v))
			out[i] = T(y)
		}
	case pwGrad:
		for i, v := range x {
			_, dy, _, _ := op.Fn.eval(float64(v))
			out[i] = T(float64(ins[1][i]) * dy)
		}
	case pwLDJ:
		for r := range out {
			var acc float64
			for _, v := range x[r*d : (r+1)*d] {
				_, _, l, _ := op.Fn.eval(float64(v))
				acc += l
			}
			out[r] = T(acc)
		}
	case pwLDJGrad:
		for i, v := range x {
			_, _, _, dl := op.Fn.eval(float64(v))
			out[i] = T(float64(ins[1][i/d]) * dl)
		}
	}
}

func (op *Pointwise) DiffWRT(n int) []bool {
	r := make([]bool, n)
	r[0] = op.mode == pwValue || op.mode == pwLDJ
	return r
}

func (op *Pointwise) SymDiff(in gorgonia.Nodes, _, g *gorgonia.Node) (gorgonia.Nodes, error) {
	switch op.mode {
	case pwValue:
		n, err := apply(newPointwise(op.Fn, pwGrad), in[0], g)
		return gorgonia.Nodes{n}, err
	case pwLDJ:
		n, err := apply(newPointwise(op.Fn, pwLDJGrad), in[0], g)
		return gorgonia.Nodes{n}, err
	}
	return op.base.SymDiff(in, nil, g)
}

// ConstAffine is y[n,d] = x[n,d]·A_d + B_d with fixed A and B (the Shift,
// Scale and ScaleMatvecDiag bijectors). Its gradient is ConstAffine{A, 0}.
type ConstAffine struct {
	base
	A, B []float64
}

// NewConstAffine returns the op; A and B have the event size D (B may be nil for 0).
func NewConstAffine(a, b []float64) *ConstAffine {
	if b == nil {
		b = make([]float64, len(a))
	}
	k := fmt.Sprintf("%v,%v", a, b)
	return &ConstAffine{base: newBase(fmt.Sprintf("ConstAffine(D=%d)", len(a)), k, 2, 2), A: append([]float64(nil), a...), B: append([]float64(nil), b...)}
}

func (op *ConstAffine) InferShape(ds ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := shapesOf(op.name, 1, ds)
	if err != nil {
		return nil, err
	}
	if err := matrix(op.name, 0, s[0], len(op.A)); err != nil {
		return nil, err
	}
	return s[0].Clone(), nil
}
func (op *ConstAffine) Do(v ...gorgonia.Value) (gorgonia.Value, error) { return do(op, v) }
func (op *ConstAffine) Exec32(out []float32, ins [][]float32, _ []tensor.Shape) {
	constAffine(out, ins[0], op.A, op.B)
}
func (op *ConstAffine) Exec64(out []float64, ins [][]float64, _ []tensor.Shape) {
	constAffine(out, ins[0], op.A, op.B)
}

func constAffine[T Float](out, x []T, a, b []float64) {
	d := len(a)
	for i, v := range x {
		out[i] = T(float64(v)*a[i%d] + b[i%d])
	}
}

func (op *ConstAffine) DiffWRT(int) []bool { return []bool{true} }

func (op *ConstAffine) SymDiff(_ gorgonia.Nodes, _, g *gorgonia.Node) (gorgonia.Nodes, error) {
	n, err := apply(NewConstAffine(op.A, nil), g)
	return gorgonia.Nodes{n}, err
}

// ConstRows is out[n] = Value for every row n of x [N, D]: the constant
// log-det-Jacobian of a linear bijector (0 for a permutation). It has no
// gradient with respect to x.
type ConstRows struct {
	base
	Value float64
}

// NewConstRows returns the op.
func NewConstRows(v float64) *ConstRows {
	k := fmt.Sprint(v)
	return &ConstRows{base: newBase("ConstRows("+k+")", k, 1, 2), Value: v}
}

func (op *ConstRows) InferShape(ds ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := shapesOf(op.name, 1, ds)
	if err != nil {
		return nil, err
	}
	if err := matrix(op.name, 0, s[0], -1); err != nil {
		return nil, err
	}
	return tensor.Shape{s[0][0]}, nil
}
func (op *ConstRows) Do(v ...gorgonia.Value) (gorgonia.Value, error) { return do(op, v) }
func (op *ConstRows) Exec32(out []float32, _ [][]float32, _ []tensor.Shape) {
	fill(out, float32(op.Value))
}
func (op *ConstRows) Exec64(out []float64, _ [][]float64, _ []tensor.Shape) { fill(out, op.Value) }

// SymDiff gives a zero gradient: ConstRows does not depend on x's values.
func (op *ConstRows) SymDiff(in gorgonia.Nodes, _, _ *gorgonia.Node) (gorgonia.Nodes, error) {
	return gorgonia.Nodes{nil}, nil
}

// ZerosLike is a matrix of zeros shaped like its input, which it does not read.
type ZerosLike struct{ base }

// NewZerosLike returns the op.
func NewZerosLike() *ZerosLike { return &ZerosLike{base: newBase("ZerosLike", "", 2, 2)} }

func (op *ZerosLike) InferShape(ds ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := shapesOf(op.name, 1, ds)
	if err != nil {
		return nil, err
	}
	return s[0].Clone(), nil
}
func (op *ZerosLike) Do(v ...gorgonia.Value) (gorgonia.Value, error)        { return do(op, v) }
func (op *ZerosLike) Exec32(out []float32, _ [][]float32, _ []tensor.Shape) { clear(out) }
func (op *ZerosLike) Exec64(out []float64, _ [][]float64, _ []tensor.Shape) { clear(out) }
