package bijectors

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/nflowgo/nflow/ops"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// ScaleMatvecLU is tfb.ScaleMatvecLU: the invertible linear map y = W x
// with W given by its LU decomposition, P·W = L·U, as tf.linalg.lu returns
// it (W = Pᵀ L U):
//
//	forward (sampling): y = Pᵀ L U x      (two triangular products)
//	inverse (density):  x = U⁻¹ L⁻¹ P y   (two triangular solves)
//	FLDJ = Σ_i log|u_ii| = -ILDJ          (the same for every row)
//
// P is a fixed permutation ((P v)_i = v[perm[i]]), L unit lower
// triangular and U upper triangular; L and U are one trainable [D, D]
// parameter, TFP's packed lower_upper (the strictly lower triangle is L,
// the rest U). With logDiag the diagonal of that parameter holds log|u_ii|
// instead, and the signs of u_ii are fixed at construction: Glow's
// parametrisation (Kingma & Dhariwal, 2018), under which training cannot
// make U singular. Without it, the diagonal is TFP's raw u_ii.
//
// It is Glow's invertible 1×1 convolution on vectors. Cost: about 2·N·D²
// flops each way; the gradients with respect to the factors add D³.
type ScaleMatvecLU struct {
	LU *Param // [D, D]: lower_upper, with log|u_ii| on the diagonal when logDiag

	perm []int
	sign []float64 // signs of u_ii (logDiag), nil (raw)
	d    int
}

// NewScaleMatvecLU returns the bijector for TFP's packed LU factors
// lowerUpper (D·D values, row-major; its diagonal is U's and must be
// finite and non-zero) and permutation perm of 0..D-1, as
// tf.linalg.lu(W) returns them. logDiag selects Glow's log-|diag|
// parametrisation (see ScaleMatvecLU). dt is the parameter dtype.
func NewScaleMatvecLU(lowerUpper []float64, perm []int, logDiag bool, dt tensor.Dtype) (*ScaleMatvecLU, error) {
	d := len(perm)
	if _, err := ops.InversePermutation(perm); err != nil {
		return nil, fmt.Errorf("ScaleMatvecLU: %w", err)
	}
	if len(lowerUpper) != d*d {
		return nil, fmt.Errorf("ScaleMatvecLU: lower_upper has %d entries, expected %d (%d x %d)", len(lowerUpper), d*d, d, d)
	}
	if dt != tensor.Float32 && dt != tensor.Float64 {
		return nil, fmt.Errorf("ScaleMatvecLU: dtype %v, expected float32 or float64", dt)
	}
	lu := append([]float64(nil), lowerUpper...)
	for i, v := range lu {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("ScaleMatvecLU: lower_upper[%d, %d] = %g, expected finite values", i/d, i%d, v)
		}
	}
	var sign []float64
	if logDiag {
		sign = make([]float64, d)
	}
	for i := 0; i < d; i++ {
		u := lu[i*d+i]
		if u == 0 {
			return nil, fmt.Errorf("ScaleMatvecLU: lower_upper[%d, %d] = 0, expected a non-zero diagonal (U invertible)", i, i)
		}
		if logDiag {
			sign[i] = math.Copysign(1, u)
			lu[i*d+i] = math.Log(math.Abs(u))
		}
	}
	return &ScaleMatvecLU{LU: &Param{Name: "lu/lower_upper", Value: NewTensor(dt, lu, d, d)},
		perm: append([]int(nil), perm...), sign: sign, d: d}, nil
}

// RandomOrthogonalLU returns the LU factors (TFP's packed lower_upper,
// row-major [D, D], and the permutation) of a random orthogonal matrix
// drawn with rng: the Q of the Gram–Schmidt orthonormalisation of a matrix
// of standard normal draws (Haar-distributed), factored with partial
// pivoting so that P·Q = L·U. This is Glow's initialisation of the 1×1
// convolution: the map starts as a rotation, log-det 0. Cost: O(D³).
func RandomOrthogonalLU(d int, rng *rand.Rand) (lowerUpper []float64, perm []int, err error) {
	if d < 1 {
		return nil, nil, fmt.Errorf("RandomOrthogonalLU: size %d, expected >= 1", d)
	}
	if rng == nil {
		return nil, nil, fmt.Errorf("RandomOrthogonalLU: random source is nil")
	}
	for try := 0; try < 10; try++ {
		a := make([]float64, d*d)
		for i := range a {
			a[i] = rng.NormFloat64()
		}
		if q, ok := orthonormalColumns(a, d); ok {
			lu, p := luPartialPivot(q, d)
			return lu, p, nil
		}
	}
	return nil, nil, fmt.Errorf("RandomOrthogonalLU: no full-rank draw in 10 tries")
}

// orthonormalColumns replaces the columns of a [d, d] by modified
// Gram–Schmidt; false if a column is (numerically) dependent.
func orthonormalColumns(a []float64, d int) ([]float64, bool) {
	for j := 0; j < d; j++ {
		for i := 0; i < j; i++ {
			var dot float64
			for r := 0; r < d; r++ {
				dot += a[r*d+i] * a[r*d+j]
			}
			for r := 0; r < d; r++ {
				a[r*d+j] -= dot * a[r*d+i]
			}
		}
		var norm float64
		for r := 0; r < d; r++ {
			norm += a[r*d+j] * a[r*d+j]
		}
		norm = math.Sqrt(norm)
		if !(norm > 1e-8) {
			return nil, false
		}
		for r := 0; r < d; r++ {
			a[r*d+j] /= norm
		}
	}
	return a, true
}

// luPartialPivot factors the invertible a [d, d] as P·a = L·U (Doolittle
// with partial pivoting), returning TFP's packed factors and perm with
// (P·a)[i] = a[perm[i]].
func luPartialPivot(a []float64, d int) ([]float64, []int) {
	lu := append([]float64(nil), a...)
	perm := make([]int, d)
	for i := range perm {
		perm[i] = i
	}
	for k := 0; k < d; k++ {
		p := k
		for i := k + 1; i < d; i++ {
			if math.Abs(lu[i*d+k]) > math.Abs(lu[p*d+k]) {
				p = i
			}
		}
		if p != k {
			for j := 0; j < d; j++ {
				lu[k*d+j], lu[p*d+j] = lu[p*d+j], lu[k*d+j]
			}
			perm[k], perm[p] = perm[p], perm[k]
		}
		for i := k + 1; i < d; i++ {
			lu[i*d+k] /= lu[k*d+k]
			for j := k + 1; j < d; j++ {
				lu[i*d+j] -= lu[i*d+k] * lu[k*d+j]
			}
		}
	}
	return lu, perm
}

func (b *ScaleMatvecLU) String() string {
	if b.sign != nil {
		return fmt.Sprintf("ScaleMatvecLU(D=%d, log_diag)", b.d)
	}
	return fmt.Sprintf("ScaleMatvecLU(D=%d)", b.d)
}
func (b *ScaleMatvecLU) EventSize() int   { return b.d }
func (b *ScaleMatvecLU) Params() []*Param { return []*Param{b.LU} }

// Permutation returns perm: (P v)_i = v[perm[i]].
func (b *ScaleMatvecLU) Permutation() []int { return append([]int(nil), b.perm...) }

// LogDiag reports whether the parameter's diagonal holds log|u_ii|.
func (b *ScaleMatvecLU) LogDiag() bool { return b.sign != nil }

// DiagSigns returns the fixed signs of u_ii under LogDiag, nil otherwise.
func (b *ScaleMatvecLU) DiagSigns() []float64 { return append([]float64(nil), b.sign...) }

// LowerUpper returns the current factors in TFP's packed form (the
// diagonal is u_ii whichever the parametrisation), row-major [D, D].
func (b *ScaleMatvecLU) LowerUpper() []float64 {
	lu := floatsOfDense(b.LU.Value)
	if b.sign != nil {
		for i := 0; i < b.d; i++ {
			lu[i*b.d+i] = b.sign[i] * math.Exp(lu[i*b.d+i])
		}
	}
	return lu
}

// Matrix returns W = Pᵀ L U, row-major [D, D]: Forward(x) = x Wᵀ row by
// row. Cost: D³.
func (b *ScaleMatvecLU) Matrix() []float64 {
	d, lu := b.d, b.LowerUpper()
	w := make([]float64, d*d)
	for i := 0; i < d; i++ {
		for k := 0; k < d; k++ {
			s := lu[i*d+k] // j = i: L's unit diagonal times U[i, k] (zero for k < i)
			if k < i {
				s = 0
			}
			for j := 0; j < min(i, k+1); j++ {
				s += lu[i*d+j] * lu[j*d+k]
			}
			w[b.perm[i]*d+k] = s
		}
	}
	return w
}

func (b *ScaleMatvecLU) ForwardNode(g *Graph, x *gorgonia.Node) (*gorgonia.Node, *gorgonia.Node, error) {
	return b.nodes(g, x, false)
}

func (b *ScaleMatvecLU) InverseNode(g *Graph, y *gorgonia.Node) (*gorgonia.Node, *gorgonia.Node, error) {
	return b.nodes(g, y, true)
}

func (b *ScaleMatvecLU) nodes(g *Graph, v *gorgonia.Node, inverse bool) (*gorgonia.Node, *gorgonia.Node, error) {
	lu, err := g.Param(b.LU)
	if err != nil {
		return nil, nil, err
	}
	op, err := ops.NewLUMatvec(b.perm, b.sign, inverse)
	if err != nil {
		return nil, nil, err
	}
	out, err := Apply(op, v, lu, lu) // the packed factors serve as both L and U
	if err != nil {
		return nil, nil, err
	}
	sign := 1.0
	if inverse {
		sign = -1
	}
	ldj, err := Apply(ops.NewLULogDet(sign, b.sign != nil), v, lu)
	return out, ldj, err
}
