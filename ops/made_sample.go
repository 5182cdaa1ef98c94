package ops

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"

	"github.com/nflowgo/nflow/kernels/cpu/gemm"
	"github.com/nflowgo/nflow/kernels/cpu/vec"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// MADESample is the sampling recursion of an affine MAF (the forward pass,
// an IAF's density) in one network pass's work. With (m, u) = MADE(y), the
// D-pass recursion is
//
//	y⁰ = x·σ(u(0)) + m(0),  yᵉ = x·σ(u(yᵉ⁻¹)) + m(yᵉ⁻¹)  (e = 1..D-1),
//
// and after pass e the features of degree ≤ e are final. A hidden unit of
// degree k reads only inputs of degree ≤ k, so it is final once pass k has
// run, and output e (feature of degree e) reads only hidden units of degree
// < e. Pass e therefore computes only the units of degree e-1 in each
// layer, then the two outputs of feature e, then y_e:
//
//	H_l[:, deg k] = act(b_l[deg k] + H_{l-1}[:, deg ≤ k] · W_l[deg ≤ k, deg k])
//	h[:, 2e-2 : 2e] = b_L[2e-2 : 2e] + H_L[:, deg < e] · W_L[deg < e, 2e-2 : 2e]
//	y_e = x_e·σ(h[:, 2e-1]) + h[:, 2e-2]
//
// Every block lies inside the MADE mask (all ones there), so the raw
// kernels are read, and every product is the D-pass path's with the
// masked-zero terms left out: the same sums in the same order (gemm keeps
// one fused multiply-add chain per element), so the result is identical.
// It needs the degrees sorted: inputs 1..D in order (left-to-right) and each
// hidden layer non-decreasing (TFP's 'equal' assignment).
//
// Inputs (x [N, D], W_0, b_0, …, W_L, b_L), output [N, 3D]: the final
// network output h (columns 0..2D-1: 2e shift, 2e+1 unconstrained scale of
// feature e), from which LogScaleSum gives the log-det, then y (columns
// 2D..3D-1), AffineAR's y of that h. Cost: one
// masked pass, 2·N·Σ_l nnz(M_l) flops, against D full passes. Not
// differentiable: training graphs keep the D-pass path.
//
// With Options.Inverse the recursion's map is AffineAR's inverse,
// y_e = (x_e - h[:, 2e-2])/σ(h[:, 2e-1]) (a flow whose conditioner
// parameterises the density direction), and with Options.InputBound B > 0
// the network reads B·tanh(y/B) instead of y (a bounded conditioner
// input), computed as the ConstAffine, Tanh, ConstAffine chain computes it.
type MADESample struct {
	base
	sizes []int   // D, H_1..H_L, 2D
	upTo  [][]int // upTo[l][k] = units of layer l (0: inputs) with degree ≤ k, k = 0..D
	Act   Activation
	Scale ScaleFn
	Opts  MADESampleOptions
	p     int         // network outputs per feature: 2 (shift, scale) or a spline's 3K-1
	sp    *splineSpec // the spline transform, nil for the affine one
	pool  sync.Pool   // *madeScratch: H_1..H_L and the narrow blocks of one call
}

// splineSpec is the per-feature transform of NewMADESplineSample.
type splineSpec struct {
	bins     int
	bound    float64
	softClip bool // RQSplineKnotsSoftClip's normalisation, else RQSplineKnots'
	inverse  bool // g⁻¹ (RQSpline's inverse), else g
}

// MADESampleOptions are the variants of the sampling recursion.
type MADESampleOptions struct {
	Inverse    bool    // y = (x - m)/σ instead of x·σ + m
	InputBound float64 // > 0: the network reads B·tanh(y/B)
}

type madeScratch struct {
	f32 [][]float32
	f64 [][]float64
}

// NewMADESample returns the op for a MADE with the given degrees: the input
// degrees, then one slice per hidden layer, as AutoregressiveNetwork's
// Degrees. It fails unless the inputs are 1..D in order and each hidden
// layer's degrees are non-decreasing in [0, D-1].
func NewMADESample(degrees [][]int, act Activation, scale ScaleFn, opts ...MADESampleOptions) (*MADESample, error) {
	if !scale.Valid() {
		return nil, fmt.Errorf("ops.MADESample: scale %v", scale)
	}
	var o MADESampleOptions
	if len(opts) > 0 {
		o = opts[0]
	}
	return newMADESample(degrees, act, scale, o, 2, nil)
}

// NewMADESplineSample returns the one-pass sampler of an autoregressive
// rational-quadratic spline flow (a MADE with 3·bins-1 outputs per
// feature): pass e computes feature e's raw spline parameters, normalises
// them (RQSplineKnotsSoftClip's rule when softClip, else RQSplineKnots')
// and applies the spline on [-bound, bound] (its inverse when inverse,
// the identity outside) to x_e, as RQSpline does: the D-pass path's values
// bit for bit. The output [N, (3K-1)·D + D] holds the final raw parameters
// (from which the knots op and RQSplineLogDet give the log-det), then y.
// inputBound > 0 feeds the network B·tanh(y/B), as NewMADESample's option.
func NewMADESplineSample(degrees [][]int, act Activation, bins int, bound float64, softClip, inverse bool, inputBound float64) (*MADESample, error) {
	if bins < 1 || bins > MaxSplineBins || !(bound > 0) || math.IsInf(bound, 0) {
		return nil, fmt.Errorf("ops.MADESample: %d bins on [-%v, %v], expected 1..%d bins and a finite bound > 0", bins, bound, bound, MaxSplineBins)
	}
	return newMADESample(degrees, act, ScaleSoftplus, MADESampleOptions{InputBound: inputBound}, SplineParams(bins),
		&splineSpec{bins: bins, bound: bound, softClip: softClip, inverse: inverse})
}

func newMADESample(degrees [][]int, act Activation, scale ScaleFn, opts MADESampleOptions, params int, sp *splineSpec) (*MADESample, error) {
	if len(degrees) < 2 {
		return nil, fmt.Errorf("ops.MADESample: %d degree slices, expected the inputs' and at least one hidden layer's", len(degrees))
	}
	d := len(degrees[0])
	for i, v := range degrees[0] {
		if v != i+1 {
			return nil, fmt.Errorf("ops.MADESample: input degrees %v, expected 1..%d in order", degrees[0], d)
		}
	}
	if !act.Valid() {
		return nil, fmt.Errorf("ops.MADESample: activation %v", act)
	}
	op := &MADESample{sizes: []int{d}, Act: act, Scale: scale, Opts: opts, p: params, sp: sp}
	if b := op.Opts.InputBound; b < 0 || math.IsNaN(b) || math.IsInf(b, 0) {
		return nil, fmt.Errorf("ops.MADESample: input bound %v, expected a finite B >= 0 (0: none)", b)
	}
	var key strings.Builder
	for l, deg := range degrees {
		up := make([]int, d+1)
		for i, v := range deg {
			if v < 0 || v > d || (i > 0 && v < deg[i-1]) || (l > 0 && v > d-1) {
				return nil, fmt.Errorf("ops.MADESample: layer %d degrees are not non-decreasing in [0, %d]", l, d-1)
			}
			up[v]++
		}
		for k := 1; k <= d; k++ {
			up[k] += up[k-1]
		}
		op.upTo = append(op.upTo, up)
		if l > 0 {
			op.sizes = append(op.sizes, len(deg))
		}
		fmt.Fprint(&key, up, ";")
	}
	op.sizes = append(op.sizes, params*d)
	dims := []int{2}
	for range degrees {
		dims = append(dims, 2, 1)
	}
	k := fmt.Sprintf("%v,%v,%s,%v,%g", act, scale, key.String(), op.Opts.Inverse, op.Opts.InputBound)
	if sp != nil {
		k += fmt.Sprintf(",spline %d %g %v %v", sp.bins, sp.bound, sp.softClip, sp.inverse)
	}
	op.base = newBase(fmt.Sprintf("MADESample(D=%d,%v)", d, op.sizes[1:len(op.sizes)-1]), k, 2, dims...)
	return op, nil
}

func (op *MADESample) InferShape(ds ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := shapesOf(op.name, len(op.inDims), ds)
	if err != nil {
		return nil, err
	}
	if err := matrix(op.name, 0, s[0], op.sizes[0]); err != nil {
		return nil, err
	}
	for l := 0; l+1 < len(op.sizes); l++ {
		w, b := s[1+2*l], s[2+2*l]
		if !w.Eq(tensor.Shape{op.sizes[l], op.sizes[l+1]}) || b.TotalSize() != op.sizes[l+1] {
			return nil, fmt.Errorf("%s: layer %d W %v and b %v, expected [%d %d] and [%d]", op.name, l, w, b, op.sizes[l], op.sizes[l+1], op.sizes[l+1])
		}
	}
	return tensor.Shape{s[0][0], (op.p + 1) * op.sizes[0]}, nil
}

func (op *MADESample) Do(v ...gorgonia.Value) (gorgonia.Value, error) { return do(op, v) }

func (op *MADESample) Exec32(out []float32, ins [][]float32, s []tensor.Shape) {
	sc := op.scratch(s[0][0])
	if sc.f32 == nil {
		sc.f32 = op.buffers32(s[0][0])
	}
	madeSample(op, out, ins, sc.f32, s[0][0], gemm.Sgemm)
	op.pool.Put(sc)
}

func (op *MADESample) Exec64(out []float64, ins [][]float64, s []tensor.Shape) {
	sc := op.scratch(s[0][0])
	if sc.f64 == nil {
		sc.f64 = op.buffers64(s[0][0])
	}
	madeSample(op, out, ins, sc.f64, s[0][0], gemm.Dgemm)
	op.pool.Put(sc)
}

// scratch takes a buffer set for n rows from the pool (concurrent calls on
// programs of one plan share the op), dropping one sized for other n.
func (op *MADESample) scratch(n int) *madeScratch {
	sc, _ := op.pool.Get().(*madeScratch)
	if sc == nil {
		return &madeScratch{}
	}
	if m := op.step(n) * op.sizes[1]; sc.f32 != nil && len(sc.f32[0]) != m || sc.f64 != nil && len(sc.f64[0]) != m {
		return &madeScratch{}
	}
	return sc
}

func (op *MADESample) buffers32(n int) [][]float32 {
	var bs [][]float32
	m := op.step(n)
	for _, w := range op.sizes[1 : len(op.sizes)-1] {
		bs = append(bs, make([]float32, m*w))
	}
	return append(bs, make([]float32, narrowCols*m), make([]float32, m*op.sizes[0]))
}

func (op *MADESample) buffers64(n int) [][]float64 {
	var bs [][]float64
	m := op.step(n)
	for _, w := range op.sizes[1 : len(op.sizes)-1] {
		bs = append(bs, make([]float64, m*w))
	}
	return append(bs, make([]float64, narrowCols*m), make([]float64, m*op.sizes[0]))
}

// step is the row block of madeSample for n rows: sampleRows for networks
// whose hidden layers are at most 256 wide, else all n. The hidden-unit
// buffers hold one block, reused by every block (they are scratch; only h
// and y are kept), so that they stay in L2.
func (op *MADESample) step(n int) int {
	if slices.Max(op.sizes[1:len(op.sizes)-1]) <= 256 {
		return min(n, sampleRows)
	}
	return n
}

// sampleRows is the row block of madeSample for networks whose hidden
// layers are at most 256 wide: the block's hidden units (one block's
// buffers, reused by each block) and the kernels stay in L2 through the D
// passes. Wider kernels are read once for all rows instead.
const sampleRows = 256

// madeSample runs the D passes into out [n, 3D] (h, then y); bufs holds
// H_1..H_L and the scratch of block's narrow blocks [narrowCols, step]
// for one block of step rows. Rows are independent, so narrow networks run
// a block of rows at a time.
func madeSample[T Float](op *MADESample, out []T, ins, bufs [][]T, n int, mm gemmFunc[T]) {
	step := op.step(n)
	d, L := op.sizes[0], len(op.sizes)-2
	rows := make([][]T, 0, 16)
	sub := make([][]T, len(ins))
	copy(sub, ins)
	for r0 := 0; r0 < n; r0 += step {
		m := min(step, n-r0)
		rows = rows[:0]
		for l := 0; l < L; l++ {
			rows = append(rows, bufs[l])
		}
		rows = append(rows, bufs[L], bufs[L+1])
		sub[0] = ins[0][r0*d:]
		madeSampleRows(op, out[r0*(op.p+1)*d:], sub, rows, m, mm)
	}
}

// madeSampleRows is madeSample on n rows.
func madeSampleRows[T Float](op *MADESample, out []T, ins, bufs [][]T, n int, mm gemmFunc[T]) {
	d, x := op.sizes[0], ins[0]
	L := len(op.sizes) - 2 // hidden layers
	P := op.p
	ld, y := (P+1)*d, out[P*d:] // out's rows: h (P·D), then y (D)
	bound := op.Opts.InputBound
	yb := bufs[L+1]                   // B·tanh(y/B), [n, D], when bound > 0
	layer := func(l int) ([]T, int) { // input of layer l and its leading dimension
		switch {
		case l > 0:
			return bufs[l-1], op.sizes[l]
		case bound > 0:
			return yb, d
		}
		return y, ld
	}
	for e := 1; e <= d; e++ {
		k := e - 1
		for l := 0; l < L; l++ {
			lo, hi := op.upTo[l+1][max(k-1, 0)], op.upTo[l+1][k]
			if k == 0 {
				lo = 0
			}
			if hi == lo {
				continue
			}
			in, inW := layer(l)
			outW := op.sizes[l+1]
			block(bufs[l][lo:], outW, in, inW, op.upTo[l][k], ins[1+2*l][lo:], outW, ins[2+2*l][lo:hi], bufs[L], n, op.Act, mm)
		}
		in, inW := layer(L)
		f := e - 1
		block(out[P*f:], ld, in, inW, op.upTo[L][k], ins[1+2*L][P*f:], P*d, ins[2+2*L][P*f:P*f+P], bufs[L], n, Identity, mm)
		if op.sp != nil {
			splineFeature(op, out, x, yb, n, f)
			continue
		}
		var buf [scaleChunk]float64
		for r0 := 0; r0 < n; r0 += scaleChunk {
			b := buf[:min(scaleChunk, n-r0)]
			for i := range b {
				b[i] = float64(out[(r0+i)*ld+2*f+1])
			}
			batchScales[T](op.Scale, b)
			for i, s := range b {
				row := out[(r0+i)*ld:]
				xv, m := float64(x[(r0+i)*d+f]), float64(row[2*f])
				if op.Opts.Inverse {
					row[2*d+f] = T((xv - m) / s)
				} else {
					row[2*d+f] = T(xv*s + m)
				}
				if bound > 0 {
					yb[(r0+i)*d+f] = boundInput(row[2*d+f], bound)
				}
			}
		}
	}
}

// boundInput is the bounded conditioner input B·tanh(v/B) as bijectors'
// conditionerInput computes it: ConstAffine(1/B), Tanh, ConstAffine(B),
// each rounded to T.
func boundInput[T Float](v T, bound float64) T {
	u := T(float64(v)*(1/bound) + 0)
	u = T(math.Tanh(float64(u)))
	return T(float64(u)*bound + 0)
}

// splineFeature sets y_f = g(x_f) (or g⁻¹) for the n rows of out, with
// g's knots normalised from row's raw parameters of feature f, as the
// knots op and RQSpline compute them (κ rounded to T, then loaded), and
// the bounded conditioner input of y_f when there is one.
func splineFeature[T Float](op *MADESample, out, x, yb []T, n, f int) {
	d, P, sp := op.sizes[0], op.p, op.sp
	ld, bound := (P+1)*d, op.Opts.InputBound
	var kap [3*MaxSplineBins + 1]T
	kn, pt := rqKnots{}, rqPoint{}
	q := SplineKnotParams(sp.bins)
	for r := 0; r < n; r++ {
		row := out[r*ld:]
		xv := x[r*d+f]
		yv := xv // the identity outside [-bound, bound], as RQSpline
		if v := float64(xv); !(v < -sp.bound || v > sp.bound) {
			if sp.softClip {
				softClipKnots(kap[:q], row[P*f:P*f+P], sp.bins, sp.bound)
			} else {
				normalizeKnots(kap[:q], row[P*f:P*f+P], sp.bins, sp.bound)
			}
			loadKnots(&kn, kap[:q], sp.bins, sp.bound)
			if sp.inverse {
				yv = T(kn.inverse(&pt, v, 0))
			} else {
				kn.forward(&pt, v, 0)
				yv = T(pt.y)
			}
		}
		row[P*d+f] = yv
		if bound > 0 {
			yb[r*d+f] = boundInput(yv, bound)
		}
	}
}

// narrowCols is the widest block that block computes transposed: gemm's
// vector lanes hold 16 (float32) or 8 (float64) columns, so a block of a
// few columns and many rows leaves most lanes idle.
const narrowCols = 24

// block computes C[:, 0:len(b)] = act(b + A[:, 0:k]·W[0:k, 0:len(b)]) for
// n rows, C, A and W with leading dimensions ldc, lda and ldw: the dense
// layer's own steps (the product with beta 0, then bias and activation in
// one pass) restricted to one block. A narrow block of many rows is
// computed transposed into ct [cols, n], Cᵀ = W[0:k, :]ᵀ·A[:, 0:k]ᵀ, then
// biased, activated and written back: the same sums in the same order
// (gemm's k blocks, then the bias), so the same values.
func block[T Float](c []T, ldc int, a []T, lda, k int, w []T, ldw int, b, ct []T, n int, act Activation, mm gemmFunc[T]) {
	cols := len(b)
	if k == 0 {
		for r := 0; r < n; r++ {
			copy(c[r*ldc:r*ldc+cols], b)
			activate(act, c[r*ldc:r*ldc+cols])
		}
		return
	}
	if cols > narrowCols || n < 64 {
		productBiasAct(act, n, cols, k, a, lda, w, ldw, c, ldc, b, mm)
		return
	}
	ct = ct[:cols*n]
	mm(true, true, cols, n, k, 1, w, ldw, a, lda, 0, ct, n)
	for j, bj := range b {
		row := ct[j*n : (j+1)*n]
		for r := range row {
			row[r] += bj
		}
	}
	activate(act, ct)
	for r := 0; r < n; r++ {
		cr := c[r*ldc : r*ldc+cols]
		for j := range cr {
			cr[j] = ct[j*n+r]
		}
	}
}

// productBiasAct computes C = act(A·W + b) for C [m, n], A [m, k] and
// W [k, n] with leading dimensions ldc, lda and ldw: in float32 with ReLU
// or the identity through gemm.SgemmBias, which adds the bias and applies
// act to each tile of C as it stores it; otherwise the product (beta 0),
// then biasAct. The values are the same either way.
func productBiasAct[T Float](act Activation, m, n, k int, a []T, lda int, w []T, ldw int, c []T, ldc int, b []T, mm gemmFunc[T]) {
	if is32[T]() && (act == ReLU || act == Identity) {
		gemm.SgemmBias(false, false, m, n, k, as32(a), lda, as32(w), ldw, as32(c), ldc, as32(b), act == ReLU)
		return
	}
	mm(false, false, m, n, k, 1, a, lda, w, ldw, 0, c, ldc)
	biasAct(act, c, ldc, m, b)
}

// biasAct sets each row of the rows×len(b) block c (leading dimension ldc)
// to act(c + b): the epilogue of a product written with beta = 0, one pass
// over the block. c + b is rounded once, as gemm's beta = 1 update of rows
// filled with b rounds it (for k within one of gemm's k blocks).
func biasAct[T Float](act Activation, c []T, ldc, rows int, b []T) {
	if f, ok := asFloat32(c); ok && (act == ReLU || act == Identity) {
		fb, _ := asFloat32(b)
		vec.BiasReLU32(f, ldc, rows, fb, act == ReLU)
		return
	}
	for r := 0; r < rows; r++ {
		row := c[r*ldc : r*ldc+len(b)]
		for j := range row {
			row[j] += b[j]
		}
		activate(act, row)
	}
}
