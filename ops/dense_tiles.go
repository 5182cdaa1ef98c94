package ops

import (
	"fmt"
	"sync"
)

// denseTile is the width of the tiles a support is cut into: columns of W
// for the forward product and the weight gradient, rows of W for the input
// gradient. A multiple of the gemm microkernel's width (32 float32s).
const denseTile = 64

// tileRun is a run of consecutive tiles that read the same range of the
// other dimension: columns (or rows) [a, b) of W need rows (or columns)
// [lo, hi) of it; hi = lo when the run is all zeros. full reports that W's
// support is all ones on [lo, hi) × [a, b).
type tileRun struct {
	a, b, lo, hi int
	full         bool
}

// support is the nonzero structure of a kernel W [In, Out]: where a masked
// dense layer's products have work to do. MADE's masks with sorted degrees
// are block triangular, so about half of W's tiles are skipped.
type support struct {
	cols []tileRun // column runs: y[:, a:b] and dW[:, a:b] read rows [lo, hi)
	rows []tileRun // row runs: dx[:, a:b] reads columns [lo, hi)
	m32  []float32
	m64  []float64
	hash uint64
	// Multiply-adds per batch row: dense-equivalent, forward (and weight
	// gradient), input gradient.
	dense, fwd, gradX int
}

// newSupport cuts mask [in, out] into tiles and merges neighbours that read
// the same range.
func newSupport(in, out int, mask []float64) *support {
	s := &support{m64: append([]float64(nil), mask...), m32: toT[float32](mask), dense: in * out, hash: maskHash(mask)}
	nz := func(i, o int) bool { return mask[i*out+o] != 0 }
	s.cols = runs(out, in, func(o, i int) bool { return nz(i, o) })
	s.rows = runs(in, out, nz)
	for _, r := range s.cols {
		s.fwd += (r.b - r.a) * (r.hi - r.lo)
	}
	for _, r := range s.rows {
		s.gradX += (r.b - r.a) * (r.hi - r.lo)
	}
	return s
}

// runs tiles dimension n (of length n, the other of length m) and returns
// each tile's range [lo, hi) of the other dimension holding a nonzero
// (nz(j, i): entry j of this dimension, i of the other), merged into runs.
func runs(n, m int, nz func(j, i int) bool) []tileRun {
	var out []tileRun
	for a := 0; a < n; a += denseTile {
		b := min(a+denseTile, n)
		lo, hi := m, 0
		for j := a; j < b; j++ {
			for i := 0; i < m; i++ {
				if nz(j, i) {
					lo, hi = min(lo, i), max(hi, i+1)
				}
			}
		}
		if hi <= lo {
			lo, hi = 0, 0
		}
		full := true
		for j := a; j < b && full; j++ {
			for i := lo; i < hi; i++ {
				if !nz(j, i) {
					full = false
					break
				}
			}
		}
		if k := len(out) - 1; k >= 0 && out[k].lo == lo && out[k].hi == hi {
			out[k].b, out[k].full = b, out[k].full && full
			continue
		}
		out = append(out, tileRun{a: a, b: b, lo: lo, hi: hi, full: full})
	}
	return out
}

// NewDenseSupport returns the dense layer y = act(x W + b) for a kernel W
// known to be zero outside support (a 0/1 matrix [In, Out], such as a MADE
// mask): the CPU kernels skip W's all-zero tiles in the forward product,
// the input gradient and the weight gradient, and the weight gradient is
// masked, dW = (xᵀ gz)∘support, so an optimizer keeps W zero outside it.
// With W zero there the values are those of the dense product (the forward
// sums the same terms in the same order); the input gradient's sums start
// at the first nonzero tile, so they agree to rounding.
//
// Other devices run it as the plain Dense (Mask() is nil): a graph for
// them masks W with ops.Mask first, whose gradient masks dW.
func NewDenseSupport(in, out int, support []float64, act Activation) (*Dense, error) {
	op, err := NewDense(in, out, nil, act)
	if err != nil {
		return nil, err
	}
	if len(support) != in*out {
		return nil, fmt.Errorf("ops.Dense: support has %d entries, expected %d (%d x %d)", len(support), in*out, in, out)
	}
	op.support = newSupport(in, out, support)
	op.base = newBase(op.name, fmt.Sprintf("%s,support %x", op.key, op.support.hash), 2, 2, 2, 1)
	return op, nil
}

// Support returns the layer's support (nil: dense) as float64s.
func (op *Dense) Support() []float64 {
	if op.support == nil {
		return nil
	}
	return op.support.m64
}

// MultiplyAdds returns the multiply-adds per batch row of the layer's dense
// product and of the products its CPU kernels perform: the forward and the
// input gradient (the weight gradient covers the input gradient's tiles).
func (op *Dense) MultiplyAdds() (dense, forward, gradX int) {
	if op.support == nil {
		return op.In * op.Out, op.In * op.Out, op.In * op.Out
	}
	return op.support.dense, op.support.fwd, op.support.gradX
}

// forwardRows is the row block of supportForward for a layer of at most
// 256 outputs: its output block (at most 256 KB of float32) stays in L2
// between the product and its bias and activation pass.
const forwardRows = 256

// supportForward is y = act(x W + b) over the nonzero column runs:
// y[:, a:b] = act(x[:, lo:hi] · W[lo:hi, a:b] + b[a:b]), a block of rows at
// a time for narrow layers (the same sums: each element's order is gemm's,
// then the bias), each run by block.
func supportForward[T Float](s *support, y, x, w, b []T, n, in, out int, act Activation, mm gemmFunc[T]) {
	step := n
	if out <= 256 {
		step = forwardRows
	}
	for r0 := 0; r0 < n; r0 += step {
		r1 := min(r0+step, n)
		yb, xb := y[r0*out:r1*out], x[r0*in:]
		for _, c := range s.cols {
			m, k := r1-r0, c.hi-c.lo
			if k > 0 && c.b-c.a <= narrowCols && m >= 64 { // block's transposed path: scratch [cols, m]
				ct, pool := scratchOf[T]((c.b - c.a) * m)
				block(yb[c.a:], out, xb[c.lo:], in, k, w[c.lo*out+c.a:], out, b[c.a:c.b], *ct, m, act, mm)
				pool.Put(ct)
				continue
			}
			block(yb[c.a:], out, xb[c.lo:], in, k, w[c.lo*out+c.a:], out, b[c.a:c.b], nil, m, act, mm)
		}
	}
}

// narrow32 and narrow64 hold scratch for the transposed products of narrow
// runs (*[]float32, *[]float64): reused from step to step, so that steps
// stay allocation-free (a pool keeps its objects through a collection).
var narrow32, narrow64 sync.Pool

// scratchOf returns a slice of n elements from T's pool, and the pool to
// put it back in.
func scratchOf[T Float](n int) (*[]T, *sync.Pool) {
	pool := &narrow64
	if is32[T]() {
		pool = &narrow32
	}
	if p, ok := pool.Get().(*[]T); ok && cap(*p) >= n {
		*p = (*p)[:n]
		return p, pool
	}
	v := make([]T, n)
	return &v, pool
}

// supportGradX is dx = gz Wᵀ over the nonzero row runs:
// dx[:, a:b] = gz[:, lo:hi] · W[a:b, lo:hi]ᵀ, zero for an empty run.
func supportGradX[T Float](s *support, dx, gz, w []T, n, in, out int, mm gemmFunc[T]) {
	for _, r := range s.rows {
		if r.hi > r.lo {
			mm(false, true, n, r.b-r.a, r.hi-r.lo, 1, gz[r.lo:], out, w[r.a*out+r.lo:], out, 0, dx[r.a:], in)
			continue
		}
		for i := 0; i < n; i++ {
			clear(dx[i*in+r.a : i*in+r.b])
		}
	}
}

// supportGradW is dW = (xᵀ gz)∘support over the nonzero row runs:
// dW[a:b, lo:hi] = x[:, a:b]ᵀ · gz[:, lo:hi], masked where the run is not
// full; the rest of dW is zero. Row runs, not column runs: each row of W
// reads its own columns of x (packed once over all the runs) and gz is
// read in place, where column runs would pack a prefix of x again for
// every run.
func supportGradW[T Float](s *support, dw, x, gz, mask []T, n, in, out int, mm gemmFunc[T]) {
	for _, r := range s.rows {
		for i := r.a; i < r.b; i++ {
			clear(dw[i*out : i*out+r.lo])
			clear(dw[i*out+r.hi : (i+1)*out])
		}
		if r.hi <= r.lo {
			continue
		}
		if w := r.hi - r.lo; w <= narrowCols && r.b-r.a >= 64 {
			// A few columns of dW: dW[a:b, lo:hi]ᵀ = gz[:, lo:hi]ᵀ · x[:, a:b] (the
			// same sums), into scratch, then written back.
			rows := r.b - r.a
			ct, pool := scratchOf[T](w * rows)
			mm(true, false, w, rows, n, 1, gz[r.lo:], out, x[r.a:], in, 0, *ct, rows)
			for i := 0; i < rows; i++ {
				d := dw[(r.a+i)*out+r.lo : (r.a+i)*out+r.hi]
				for j := range d {
					d[j] = (*ct)[j*rows+i]
				}
			}
			pool.Put(ct)
		} else {
			mm(true, false, r.b-r.a, r.hi-r.lo, n, 1, x[r.a:], in, gz[r.lo:], out, 0, dw[r.a*out+r.lo:], out)
		}
		if r.full {
			continue
		}
		for i := r.a; i < r.b; i++ {
			row, mr := dw[i*out+r.lo:i*out+r.hi], mask[i*out+r.lo:i*out+r.hi]
			for o := range row {
				row[o] *= mr[o]
			}
		}
	}
}
