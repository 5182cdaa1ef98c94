package ops

import (
	"fmt"
	"hash/fnv"

	"github.com/nflowgo/nflow/kernels/cpu/gemm"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Dense is the masked dense layer with fused bias and activation:
//
//	y = act(x (W∘M) + b),  x [N, In], W [In, Out], b [Out], y [N, Out]
//
// M is a fixed 0/1 mask of shape [In, Out] (nil: no mask). Gradients:
// gz = gy·act'(y), dx = gz (W∘M)ᵀ, dW = (xᵀ gz)∘M, db = Σ_n gz.
// Cost: 2·N·In·Out flops forward, twice that backward.
type Dense struct {
	base
	In, Out int
	Act     Activation
	mask64  []float64
	mask32  []float32
	support *support // NewDenseSupport: W's nonzero tiles (nil: dense)
}

// NewDense returns the op for a layer of the given size. mask is nil or
// holds In·Out entries, row-major [In, Out], each 0 or 1.
func NewDense(in, out int, mask []float64, act Activation) (*Dense, error) {
	if in < 1 || out < 1 {
		return nil, fmt.Errorf("ops.Dense: size %dx%d, expected positive sizes", in, out)
	}
	if mask != nil && len(mask) != in*out {
		return nil, fmt.Errorf("ops.Dense: mask has %d entries, expected %d (%d x %d)", len(mask), in*out, in, out)
	}
	if !act.Valid() {
		return nil, fmt.Errorf("ops.Dense: unknown activation %v", act)
	}
	op := &Dense{In: in, Out: out, Act: act}
	if mask != nil {
		op.mask64 = append([]float64(nil), mask...)
		op.mask32 = toT[float32](mask)
	}
	op.base = newBase(fmt.Sprintf("Dense%dx%d,%v", in, out, act), maskKey(in, out, act, mask), 2, 2, 2, 1)
	return op, nil
}

func maskKey(in, out int, act Activation, mask []float64) string {
	return fmt.Sprintf("%d,%d,%v,%v,%x", in, out, act, mask != nil, maskHash(mask))
}

// maskHash is the FNV-1a hash of mask's zero pattern (a byte 1 for each
// nonzero entry, 0 for each zero).
func maskHash(mask []float64) uint64 {
	h := fnv.New64a()
	for _, m := range mask {
		if m != 0 {
			h.Write([]byte{1})
		} else {
			h.Write([]byte{0})
		}
	}
	return h.Sum64()
}

// Mask returns the layer's mask (nil: none) as float64s.
func (op *Dense) Mask() []float64 { return op.mask64 }

func (op *Dense) InferShape(ds ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := shapesOf(op.name, 3, ds)
	if err != nil {
		return nil, err
	}
	if err := matrix(op.name, 0, s[0], op.In); err != nil {
		return nil, err
	}
	if !s[1].Eq(tensor.Shape{op.In, op.Out}) || s[2].TotalSize() != op.Out {
		return nil, fmt.Errorf("%s: W %v and b %v, expected [%d %d] and [%d]", op.name, s[1], s[2], op.In, op.Out, op.Out)
	}
	return tensor.Shape{s[0][0], op.Out}, nil
}

func (op *Dense) Do(v ...gorgonia.Value) (gorgonia.Value, error) { return do(op, v) }
func (op *Dense) Exec32(out []float32, ins [][]float32, s []tensor.Shape) {
	if op.support != nil {
		supportForward(op.support, out, ins[0], ins[1], ins[2], s[0][0], op.In, op.Out, op.Act, gemm.Sgemm)
		return
	}
	denseForward(out, ins[0], ins[1], ins[2], op.mask32, s[0][0], op.In, op.Out, op.Act, gemm.Sgemm)
}
func (op *Dense) Exec64(out []float64, ins [][]float64, s []tensor.Shape) {
	if op.support != nil {
		supportForward(op.support, out, ins[0], ins[1], ins[2], s[0][0], op.In, op.Out, op.Act, gemm.Dgemm)
		return
	}
	denseForward(out, ins[0], ins[1], ins[2], op.mask64, s[0][0], op.In, op.Out, op.Act, gemm.Dgemm)
}

// gemmFunc is gemm.Sgemm or gemm.Dgemm: C = alpha·op(A)·op(B) + beta·C, row-major.
type gemmFunc[T Float] func(transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int)

func denseForward[T Float](y, x, w, b, m []T, n, in, out int, act Activation, mm gemmFunc[T]) {
	if m == nil { // y = act(x W + b) on the vectorized gemm, bias and activation in its epilogue
		productBiasAct(act, n, out, in, x, in, w, out, y, out, b, mm)
		return
	}
	for r := 0; r < n; r++ {
		yr := y[r*out : (r+1)*out]
		copy(yr, b)
		xr := x[r*in : (r+1)*in]
		for i, xv := range xr {
			if xv == 0 {
				continue
			}
			wr := w[i*out : (i+1)*out]
			if m == nil {
				for o, wv := range wr {
					yr[o] += xv * wv
				}
			} else {
				mr := m[i*out : (i+1)*out]
				for o, wv := range wr {
					yr[o] += xv * wv * mr[o]
				}
			}
		}
	}
	activate(act, y)
}

func (op *Dense) DiffWRT(int) []bool { return op.diffAll(3) }

func (op *Dense) SymDiff(in gorgonia.Nodes, y, gy *gorgonia.Node) (gorgonia.Nodes, error) {
	gz, dx, dw, err := op.grads(in[0], in[1], y, gy)
	if err != nil {
		return nil, err
	}
	db, err := apply(&ColSum{base: newBase("ColSum", "", 1, 2)}, gz)
	if err != nil {
		return nil, err
	}
	return gorgonia.Nodes{dx, dw, db}, nil
}

// grads adds the gradients of y = act(x W + ·) for the incoming gy:
// gz = gy·act'(y), dx = gz (W∘M)ᵀ and dW = (xᵀ gz)∘M.
func (op *Dense) grads(x, w, y, gy *gorgonia.Node) (gz, dx, dw *gorgonia.Node, err error) {
	gz = gy
	if op.Act != Identity {
		if gz, err = apply(&ActGrad{base: newBase("ActGrad,"+op.Act.String(), op.Act.String(), 2, 2, 2), Act: op.Act}, y, gy); err != nil {
			return nil, nil, nil, err
		}
	}
	if dx, err = apply(&DenseGradX{base: newBase("DenseGradX", op.key, 2, 2, 2), d: op}, gz, w); err != nil {
		return nil, nil, nil, err
	}
	dw, err = apply(&DenseGradW{base: newBase("DenseGradW", op.key, 2, 2, 2), d: op}, x, gz)
	return gz, dx, dw, err
}

// ActGrad is gz = gy·act'(z) with act' computed from the output y: inputs (y, gy).
type ActGrad struct {
	base
	Act Activation
}

func (op *ActGrad) InferShape(ds ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := shapesOf(op.name, 2, ds)
	if err != nil {
		return nil, err
	}
	if !s[0].Eq(s[1]) {
		return nil, fmt.Errorf("%s: shapes %v and %v differ", op.name, s[0], s[1])
	}
	return s[0].Clone(), nil
}
func (op *ActGrad) Do(v ...gorgonia.Value) (gorgonia.Value, error) { return do(op, v) }
func (op *ActGrad) Exec32(out []float32, ins [][]float32, _ []tensor.Shape) {
	activationGrad(op.Act, out, ins[0], ins[1])
}
func (op *ActGrad) Exec64(out []float64, ins [][]float64, _ []tensor.Shape) {
	activationGrad(op.Act, out, ins[0], ins[1])
}

// DenseGradX is dx = gz (W∘M)ᵀ: inputs (gz [N, Out], W [In, Out]), output [N, In].
type DenseGradX struct {
	base
	d *Dense
}

func (op *DenseGradX) InferShape(ds ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := shapesOf(op.name, 2, ds)
	if err != nil {
		return nil, err
	}
	if err := matrix(op.name, 0, s[0], op.d.Out); err != nil {
		return nil, err
	}
	return tensor.Shape{s[0][0], op.d.In}, nil
}
func (op *DenseGradX) Do(v ...gorgonia.Value) (gorgonia.Value, error) { return do(op, v) }
func (op *DenseGradX) Exec32(out []float32, ins [][]float32, s []tensor.Shape) {
	if op.d.support != nil {
		supportGradX(op.d.support, out, ins[0], ins[1], s[0][0], op.d.In, op.d.Out, gemm.Sgemm)
		return
	}
	denseGradX(out, ins[0], ins[1], op.d.mask32, s[0][0], op.d.In, op.d.Out, gemm.Sgemm)
}
func (op *DenseGradX) Exec64(out []float64, ins [][]float64, s []tensor.Shape) {
	if op.d.support != nil {
		supportGradX(op.d.support, out, ins[0], ins[1], s[0][0], op.d.In, op.d.Out, gemm.Dgemm)
		return
	}
	denseGradX(out, ins[0], ins[1], op.d.mask64, s[0][0], op.d.In, op.d.Out, gemm.Dgemm)
}

func denseGradX[T Float](dx, gz, w, m []T, n, in, out int, mm gemmFunc[T]) {
	if m == nil { // dx = gz Wᵀ
		mm(false, true, n, in, out, 1, gz, out, w, out, 0, dx, in)
		return
	}
	for r := 0; r < n; r++ {
		gr := gz[r*out : (r+1)*out]
		for i := 0; i < in; i++ {
			wr := w[i*out : (i+1)*out]
			var s T
			if m == nil {
				for o, g := range gr {
					s += g * wr[o]
				}
			} else {
				mr := m[i*out : (i+1)*out]
				for o, g := range gr {
					s += g * wr[o] * mr[o]
				}
			}
			dx[r*in+i] = s
		}
	}
}

// DenseGradW is dW = (xᵀ gz)∘M: inputs (x [N, In], gz [N, Out]), output [In, Out].
type DenseGradW struct {
	base
	d *Dense
}

func (op *DenseGradW) InferShape(ds ...gorgonia.DimSizer) (tensor.Shape, error) {
	if _, err := shapesOf(op.name, 2, ds); err != nil {
		return nil, err
	}
	return tensor.Shape{op.d.In, op.d.Out}, nil
}
func (op *DenseGradW) Do(v ...gorgonia.Value) (gorgonia.Value, error) { return do(op, v) }
func (op *DenseGradW) Exec32(out []float32, ins [][]float32, s []tensor.Shape) {
	if op.d.support != nil {
		supportGradW(op.d.support, out, ins[0], ins[1], op.d.support.m32, s[0][0], op.d.In, op.d.Out, gemm.Sgemm)
		return
	}
	denseGradW(out, ins[0], ins[1], op.d.mask32, s[0][0], op.d.In, op.d.Out, gemm.Sgemm)
}
func (op *DenseGradW) Exec64(out []float64, ins [][]float64, s []tensor.Shape) {
	if op.d.support != nil {
		supportGradW(op.d.support, out, ins[0], ins[1], op.d.support.m64, s[0][0], op.d.In, op.d.Out, gemm.Dgemm)
		return
	}
	denseGradW(out, ins[0], ins[1], op.d.mask64, s[0][0], op.d.In, op.d.Out, gemm.Dgemm)
}

func denseGradW[T Float](dw, x, gz, m []T, n, in, out int, mm gemmFunc[T]) {
	if m == nil { // dW = xᵀ gz
		mm(true, false, in, out, n, 1, x, in, gz, out, 0, dw, out)
		return
	}
	clear(dw)
	for r := 0; r < n; r++ {
		gr := gz[r*out : (r+1)*out]
		for i, xv := range x[r*in : (r+1)*in] {
			if xv == 0 {
				continue
			}
			wr := dw[i*out : (i+1)*out]
			for o, g := range gr {
				wr[o] += xv * g
			}
		}
	}
	if m != nil {
		for i := range dw {
			dw[i] *= m[i]
		}
	}
}

// ColSum is the column sum Σ_n g[n, :] of a matrix: the bias gradient.
type ColSum struct{ base }

func (op *ColSum) InferShape(ds ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := shapesOf(op.name, 1, ds)
	if err != nil {
		return nil, err
	}
	if err := matrix(op.name, 0, s[0], -1); err != nil {
		return nil, err
	}
	return tensor.Shape{s[0][1]}, nil
}
func (op *ColSum) Do(v ...gorgonia.Value) (gorgonia.Value, error) { return do(op, v) }
func (op *ColSum) Exec32(out []float32, ins [][]float32, s []tensor.Shape) {
	colSum(out, ins[0], s[0][0], s[0][1])
}
func (op *ColSum) Exec64(out []float64, ins [][]float64, s []tensor.Shape) {
	colSum(out, ins[0], s[0][0], s[0][1])
}
