package ops

import (
	"fmt"

	"github.com/nflowgo/nflow/kernels/cpu/gemm"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// DenseAdd is the masked dense layer of Dense with a full additive matrix in
// place of the bias vector, fused with the activation:
//
//	y = act(x (W∘M) + a),  x [N, In], W [In, Out], a [N, Out], y [N, Out]
//
// It is the layer of a conditional MADE (TFP's AutoregressiveNetwork with
// conditional=True): a = c V + b is the unmasked projection of the
// conditioning input c [N, C] plus the bias, computed by a plain Dense(C,
// Out) op. Because a depends on the context only, a graph that applies the
// same network several times (MAF's D sampling passes) computes it once.
//
// M is a fixed 0/1 mask [In, Out] (nil: no mask). Gradients:
// gz = gy·act'(y), dx = gz (W∘M)ᵀ, dW = (xᵀ gz)∘M, da = gz.
// Cost: 2·N·In·Out flops forward, twice that backward; an unmasked layer
// runs on the vectorized gemm, as Dense does.
type DenseAdd struct {
	base
	In, Out int
	Act     Activation
	d       *Dense // the same layer with a vector bias: shares the masks and gradient ops
}

// NewDenseAdd returns the op for a layer of the given size. mask is nil or
// holds In·Out entries, row-major [In, Out], each 0 or 1.
func NewDenseAdd(in, out int, mask []float64, act Activation) (*DenseAdd, error) {
	d, err := NewDense(in, out, mask, act)
	if err != nil {
		return nil, fmt.Errorf("ops.DenseAdd: %w", err)
	}
	op := &DenseAdd{In: in, Out: out, Act: act, d: d}
	op.base = newBase(fmt.Sprintf("DenseAdd%dx%d,%v", in, out, act), maskKey(in, out, act, mask), 2, 2, 2, 2)
	return op, nil
}

// Mask returns the layer's mask (nil: none) as float64s.
func (op *DenseAdd) Mask() []float64 { return op.d.mask64 }

// InferShape checks x [N, In], W [In, Out] and a [N, Out] and returns [N, Out].
func (op *DenseAdd) InferShape(ds ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := shapesOf(op.name, 3, ds)
	if err != nil {
		return nil, err
	}
	if err := matrix(op.name, 0, s[0], op.In); err != nil {
		return nil, err
	}
	if !s[1].Eq(tensor.Shape{op.In, op.Out}) {
		return nil, fmt.Errorf("%s: W %v, expected [%d %d]", op.name, s[1], op.In, op.Out)
	}
	if !s[2].Eq(tensor.Shape{s[0][0], op.Out}) {
		return nil, fmt.Errorf("%s: a %v, expected [%d %d] (one row per row of x)", op.name, s[2], s[0][0], op.Out)
	}
	return tensor.Shape{s[0][0], op.Out}, nil
}

func (op *DenseAdd) Do(v ...gorgonia.Value) (gorgonia.Value, error) { return do(op, v) }
func (op *DenseAdd) Exec32(out []float32, ins [][]float32, s []tensor.Shape) {
	denseAddForward(out, ins[0], ins[1], ins[2], op.d.mask32, s[0][0], op.In, op.Out, op.Act, gemm.Sgemm)
}
func (op *DenseAdd) Exec64(out []float64, ins [][]float64, s []tensor.Shape) {
	denseAddForward(out, ins[0], ins[1], ins[2], op.d.mask64, s[0][0], op.In, op.Out, op.Act, gemm.Dgemm)
}

// denseAddForward is y = act(x (W∘M) + a): y = a, then y += x W on the
// vectorized gemm when there is no mask, or a masked loop.
func denseAddForward[T Float](y, x, w, a, m []T, n, in, out int, act Activation, mm gemmFunc[T]) {
	copy(y[:n*out], a[:n*out])
	if m == nil {
		mm(false, false, n, out, in, 1, x, in, w, out, 1, y, out)
		activate(act, y)
		return
	}
	for r := 0; r < n; r++ {
		yr := y[r*out : (r+1)*out]
		for i, xv := range x[r*in : (r+1)*in] {
			if xv == 0 {
				continue
			}
			wr, mr := w[i*out:(i+1)*out], m[i*out:(i+1)*out]
			for o, wv := range wr {
				yr[o] += xv * wv * mr[o]
			}
		}
	}
	activate(act, y)
}

func (op *DenseAdd) DiffWRT(int) []bool { return op.diffAll(3) }

// SymDiff returns dx, dW and da = gz; it reuses Dense's gradient ops.
func (op *DenseAdd) SymDiff(in gorgonia.Nodes, y, gy *gorgonia.Node) (gorgonia.Nodes, error) {
	gz, dx, dw, err := op.d.grads(in[0], in[1], y, gy)
	if err != nil {
		return nil, err
	}
	return gorgonia.Nodes{dx, dw, gz}, nil
}

// Layer returns the layer with a vector bias that shares this one's mask
// and gradient ops.
func (op *DenseAdd) Layer() *Dense { return op.d }
