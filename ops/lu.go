package ops

import (
	"fmt"
	"math"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// LUMatvec is the invertible linear map of tfb.ScaleMatvecLU (Glow's
// invertible 1×1 convolution on vectors), W = Pᵀ·L·U, applied to each row:
//
//	forward: y = W x = Pᵀ L U x
//	inverse: x = W⁻¹ y = U⁻¹ L⁻¹ P y   (a forward, then a back substitution)
//
// Inputs (v [N, D], lower [D, D], upper [D, D]), output [N, D].
//
//   - P is the fixed permutation Perm, (P v)_i = v[Perm[i]]: tf.linalg.lu's
//     convention P·W = L·U, so y[Perm[i]] = (L U x)_i.
//   - L is unit lower triangular: the strictly lower triangle of lower,
//     with ones on the diagonal.
//   - U is upper triangular: the strictly upper triangle of upper, with
//     diagonal u_ii = upper[i,i] (DiagSign nil: TFP's raw parametrisation)
//     or u_ii = DiagSign[i]·exp(upper[i,i]) (Glow's log-|diag|
//     parametrisation, which keeps U invertible while training).
//
// Entries outside those triangles are not read and get zero gradient, so
// TFP's packed lower_upper matrix can be passed as both lower and upper.
// Gradients (LUMatvecGrad), with M = Σ_n (P g_n) x_nᵀ forward and
// M = Σ_n g_n x_nᵀ inverse (x the inverse's output):
//
//	forward: dv = Uᵀ Lᵀ P g,   dL = tril₋₁(M Uᵀ),  dU = triu(Lᵀ M)
//	inverse: dv = Pᵀ L⁻ᵀ U⁻ᵀ g, dL = -tril₋₁(L⁻ᵀ U⁻ᵀ M Uᵀ), dU = -triu(U⁻ᵀ M)
//
// and dU_ii times u_ii in the log-|diag| parametrisation. Cost: about
// 2·N·D² flops each way (D² exps more with DiagSign); the gradients with
// respect to lower and upper add D³.
type LUMatvec struct {
	base
	Perm     []int
	DiagSign []float64 // nil: raw diagonal
	Inverse  bool
}

// NewLUMatvec returns the op for the permutation perm of 0..D-1 and the
// diagonal parametrisation diagSign (nil: raw; else D entries, each +1 or
// -1), in the given direction.
func NewLUMatvec(perm []int, diagSign []float64, inverse bool) (*LUMatvec, error) {
	if _, err := InversePermutation(perm); err != nil {
		return nil, fmt.Errorf("ops.LUMatvec: %w", err)
	}
	if err := checkDiagSign(len(perm), diagSign); err != nil {
		return nil, fmt.Errorf("ops.LUMatvec: %w", err)
	}
	k := fmt.Sprintf("%v,%v,%v", perm, diagSign, inverse)
	op := &LUMatvec{Perm: append([]int(nil), perm...), Inverse: inverse}
	if diagSign != nil {
		op.DiagSign = append([]float64(nil), diagSign...)
	}
	op.base = newBase(fmt.Sprintf("LUMatvec(D=%d,inverse=%v)", len(perm), inverse), k, 2, 2, 2, 2)
	return op, nil
}

func checkDiagSign(d int, sign []float64) error {
	if sign == nil {
		return nil
	}
	if len(sign) != d {
		return fmt.Errorf("diagonal signs have %d entries, expected %d", len(sign), d)
	}
	for i, s := range sign {
		if s != 1 && s != -1 {
			return fmt.Errorf("diagonal sign %d is %g, expected +1 or -1", i, s)
		}
	}
	return nil
}

// luDiag is u_ii.
func luDiag[T Float](upper []T, i, d int, sign []float64) float64 {
	u := float64(upper[i*d+i])
	if sign == nil {
		return u
	}
	return sign[i] * math.Exp(u)
}

// luShapes checks (v [N, D], lower [D, D], upper [D, D]), then the extra
// [N, D] inputs of the gradients.
func luShapes(name string, d int, ds []gorgonia.DimSizer, n int) ([]tensor.Shape, error) {
	s, err := shapesOf(name, n, ds)
	if err != nil {
		return nil, err
	}
	if err := matrix(name, 0, s[0], d); err != nil {
		return nil, err
	}
	for i := 1; i < 3; i++ {
		if !s[i].Eq(tensor.Shape{d, d}) {
			return nil, fmt.Errorf("%s: input %d has shape %v, expected [%d %d]", name, i, s[i], d, d)
		}
	}
	for i := 3; i < n; i++ {
		if !s[i].Eq(s[0]) {
			return nil, fmt.Errorf("%s: input %d has shape %v, expected %v", name, i, s[i], s[0])
		}
	}
	return s, nil
}

func (op *LUMatvec) InferShape(ds ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := luShapes(op.name, len(op.Perm), ds, 3)
	if err != nil {
		return nil, err
	}
	return s[0].Clone(), nil
}
func (op *LUMatvec) Do(v ...gorgonia.Value) (gorgonia.Value, error) { return do(op, v) }
func (op *LUMatvec) Exec32(out []float32, ins [][]float32, _ []tensor.Shape) {
	luMatvec(out, ins[0], ins[1], ins[2], op.Perm, op.DiagSign, op.Inverse)
}
func (op *LUMatvec) Exec64(out []float64, ins [][]float64, _ []tensor.Shape) {
	luMatvec(out, ins[0], ins[1], ins[2], op.Perm, op.DiagSign, op.Inverse)
}

func luMatvec[T Float](out, v, lower, upper []T, perm []int, sign []float64, inverse bool) {
	d := len(perm)
	for r := 0; r < len(v)/d; r++ {
		x, o := v[r*d:(r+1)*d], out[r*d:(r+1)*d]
		if inverse {
			// L w = P y (forward substitution), then U x = w in place.
			for i := 0; i < d; i++ {
				acc := float64(x[perm[i]])
				for j := 0; j < i; j++ {
					acc -= float64(lower[i*d+j]) * float64(o[j])
				}
				o[i] = T(acc)
			}
			for i := d - 1; i >= 0; i-- {
				acc := float64(o[i])
				for j := i + 1; j < d; j++ {
					acc -= float64(upper[i*d+j]) * float64(o[j])
				}
				o[i] = T(acc / luDiag(upper, i, d, sign))
			}
			continue
		}
		// t = U x stored at o[perm[i]], then z = L t in place (bottom up).
		for i := 0; i < d; i++ {
			acc := luDiag(upper, i, d, sign) * float64(x[i])
			for j := i + 1; j < d; j++ {
				acc += float64(upper[i*d+j]) * float64(x[j])
			}
			o[perm[i]] = T(acc)
		}
		for i := d - 1; i > 0; i-- {
			acc := float64(o[perm[i]])
			for j := 0; j < i; j++ {
				acc += float64(lower[i*d+j]) * float64(o[perm[j]])
			}
			o[perm[i]] = T(acc)
		}
	}
}

func (op *LUMatvec) DiffWRT(int) []bool { return op.diffAll(3) }

func (op *LUMatvec) SymDiff(in gorgonia.Nodes, y, g *gorgonia.Node) (gorgonia.Nodes, error) {
	out := make(gorgonia.Nodes, 3)
	for wrt := range out {
		k := fmt.Sprintf("%s,%d", op.key, wrt)
		gop := &LUMatvecGrad{base: newBase(fmt.Sprintf("LUMatvecGrad(inverse=%v,wrt=%d)", op.Inverse, wrt), k, 2, 2, 2, 2, 2, 2), lu: op, WRT: wrt}
		n, err := apply(gop, in[0], in[1], in[2], y, g)
		if err != nil {
			return nil, err
		}
		out[wrt] = n
	}
	return out, nil
}

// LUMatvecGrad is the gradient of LUMatvec with respect to v (WRT 0,
// output [N, D]), lower (WRT 1, [D, D], zero outside the strictly lower
// triangle) or upper (WRT 2, [D, D], zero below the diagonal). Inputs (v,
// lower, upper, out, g): out is the LUMatvec's output, g [N, D] the
// incoming gradient. The formulas are LUMatvec's. Cost: 2·N·D² flops,
// plus D³ for WRT 1 and 2.
type LUMatvecGrad struct {
	base
	lu  *LUMatvec
	WRT int
}

func (op *LUMatvecGrad) InferShape(ds ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := luShapes(op.name, len(op.lu.Perm), ds, 5)
	if err != nil {
		return nil, err
	}
	return s[op.WRT].Clone(), nil
}
func (op *LUMatvecGrad) Do(v ...gorgonia.Value) (gorgonia.Value, error) { return do(op, v) }
func (op *LUMatvecGrad) Exec32(out []float32, ins [][]float32, _ []tensor.Shape) {
	luMatvecGrad(op, out, ins)
}
func (op *LUMatvecGrad) Exec64(out []float64, ins [][]float64, _ []tensor.Shape) {
	luMatvecGrad(op, out, ins)
}

func luMatvecGrad[T Float](op *LUMatvecGrad, out []T, ins [][]T) {
	v, lower, upper, y, g := ins[0], ins[1], ins[2], ins[3], ins[4]
	perm, sign, inverse := op.lu.Perm, op.lu.DiagSign, op.lu.Inverse
	d := len(perm)
	if op.WRT == 0 {
		luGradV(out, g, lower, upper, perm, sign, inverse)
		return
	}
	// M = Σ_n (P g_n) x_nᵀ (forward) or Σ_n g_n x_nᵀ (inverse, x the output).
	clear(out)
	for r := 0; r < len(g)/d; r++ {
		gr := g[r*d : (r+1)*d]
		xr := v[r*d : (r+1)*d]
		if inverse {
			xr = y[r*d : (r+1)*d]
		}
		for i := 0; i < d; i++ {
			gi := gr[i]
			if !inverse {
				gi = gr[perm[i]]
			}
			if gi == 0 {
				continue
			}
			mi := out[i*d : (i+1)*d]
			for k, xk := range xr {
				mi[k] += gi * xk
			}
		}
	}
	if inverse {
		luSolveUT(out, upper, d, sign) // Z = U⁻ᵀ M
	}
	if op.WRT == 2 {
		if !inverse { // Lᵀ M, rows ascending in place
			for i := 0; i < d; i++ {
				for k := i; k < d; k++ {
					acc := float64(out[i*d+k])
					for j := i + 1; j < d; j++ {
						acc += float64(lower[j*d+i]) * float64(out[j*d+k])
					}
					out[i*d+k] = T(acc)
				}
			}
		}
		for i := 0; i < d; i++ {
			for k := 0; k < d; k++ {
				switch {
				case k < i:
					out[i*d+k] = 0
				case inverse:
					out[i*d+k] = -out[i*d+k]
				}
			}
			if sign != nil {
				out[i*d+i] = T(float64(out[i*d+i]) * luDiag(upper, i, d, sign))
			}
		}
		return
	}
	// Strictly lower part of (·) Uᵀ, row by row in place.
	for i := 0; i < d; i++ {
		for j := 0; j < i; j++ {
			acc := luDiag(upper, j, d, sign) * float64(out[i*d+j])
			for k := j + 1; k < d; k++ {
				acc += float64(out[i*d+k]) * float64(upper[j*d+k])
			}
			out[i*d+j] = T(acc)
		}
		clear(out[i*d+i : (i+1)*d])
	}
	if !inverse {
		return
	}
	// -L⁻ᵀ R: Lᵀ Q = R, rows descending; only the strictly lower part is needed.
	for i := d - 1; i >= 0; i-- {
		for c := 0; c < i; c++ {
			acc := float64(out[i*d+c])
			for j := i + 1; j < d; j++ {
				acc -= float64(lower[j*d+i]) * float64(out[j*d+c])
			}
			out[i*d+c] = T(acc)
		}
	}
	for i := range out {
		out[i] = -out[i]
	}
}

// luSolveUT overwrites m [D, D] with U⁻ᵀ m (Uᵀ is lower triangular:
// forward substitution, rows ascending).
func luSolveUT[T Float](m, upper []T, d int, sign []float64) {
	for i := 0; i < d; i++ {
		u := luDiag(upper, i, d, sign)
		for k := 0; k < d; k++ {
			acc := float64(m[i*d+k])
			for j := 0; j < i; j++ {
				acc -= float64(upper[j*d+i]) * float64(m[j*d+k])
			}
			m[i*d+k] = T(acc / u)
		}
	}
}

// luGradV is dv = Uᵀ Lᵀ P g (forward) or Pᵀ L⁻ᵀ U⁻ᵀ g (inverse), row by row.
func luGradV[T Float](out, g, lower, upper []T, perm []int, sign []float64, inverse bool) {
	d := len(perm)
	for r := 0; r < len(g)/d; r++ {
		gr, o := g[r*d:(r+1)*d], out[r*d:(r+1)*d]
		if inverse {
			// Uᵀ w = g (forward substitution), stored at o[perm[i]];
			// then Lᵀ z = w in place (back substitution): dv[perm[i]] = z_i.
			for i := 0; i < d; i++ {
				acc := float64(gr[i])
				for j := 0; j < i; j++ {
					acc -= float64(upper[j*d+i]) * float64(o[perm[j]])
				}
				o[perm[i]] = T(acc / luDiag(upper, i, d, sign))
			}
			for i := d - 1; i >= 0; i-- {
				acc := float64(o[perm[i]])
				for j := i + 1; j < d; j++ {
					acc -= float64(lower[j*d+i]) * float64(o[perm[j]])
				}
				o[perm[i]] = T(acc)
			}
			continue
		}
		// b = Lᵀ P g, then dv = Uᵀ b in place (top entries last).
		for i := 0; i < d; i++ {
			acc := float64(gr[perm[i]])
			for j := i + 1; j < d; j++ {
				acc += float64(lower[j*d+i]) * float64(gr[perm[j]])
			}
			o[i] = T(acc)
		}
		for k := d - 1; k >= 0; k-- {
			acc := luDiag(upper, k, d, sign) * float64(o[k])
			for i := 0; i < k; i++ {
				acc += float64(upper[i*d+k]) * float64(o[i])
			}
			o[k] = T(acc)
		}
	}
}

// LULogDet is the log-det-Jacobian of LUMatvec, the same for every row:
//
//	out[n] = Sign·Σ_i log|u_ii|,  inputs (v [N, D], upper [D, D]), out [N]
//
// with log|u_ii| = log|upper[i,i]| (raw) or upper[i,i] (LogDiag). v is
// read only for N. Sign +1 is the forward log-det, -1 the inverse one.
// Its gradient with respect to upper (LULogDetGrad) is zero off the
// diagonal and Sign·Σ_n g[n] times 1/upper[i,i] (raw) or 1 (LogDiag) on
// it. Cost: N + D flops (D logs when raw).
type LULogDet struct {
	base
	Sign    float64
	LogDiag bool
}

// NewLULogDet returns the op with the given sign (+1 or -1) and diagonal parametrisation.
func NewLULogDet(sign float64, logDiag bool) *LULogDet {
	k := fmt.Sprintf("%g,%v", sign, logDiag)
	return &LULogDet{base: newBase("LULogDet("+k+")", k, 1, 2, 2), Sign: sign, LogDiag: logDiag}
}

func (op *LULogDet) InferShape(ds ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := shapesOf(op.name, 2, ds)
	if err != nil {
		return nil, err
	}
	if err := matrix(op.name, 0, s[0], -1); err != nil {
		return nil, err
	}
	if d := s[0][1]; !s[1].Eq(tensor.Shape{d, d}) {
		return nil, fmt.Errorf("%s: input 1 has shape %v, expected [%d %d]", op.name, s[1], d, d)
	}
	return tensor.Shape{s[0][0]}, nil
}
func (op *LULogDet) Do(v ...gorgonia.Value) (gorgonia.Value, error) { return do(op, v) }
func (op *LULogDet) Exec32(out []float32, ins [][]float32, s []tensor.Shape) {
	fill(out, float32(op.Sign*luLogAbsDet(ins[1], s[0][1], op.LogDiag)))
}
func (op *LULogDet) Exec64(out []float64, ins [][]float64, s []tensor.Shape) {
	fill(out, op.Sign*luLogAbsDet(ins[1], s[0][1], op.LogDiag))
}

func luLogAbsDet[T Float](upper []T, d int, logDiag bool) float64 {
	var s float64
	for i := 0; i < d; i++ {
		u := float64(upper[i*d+i])
		if logDiag {
			s += u
		} else {
			s += math.Log(math.Abs(u))
		}
	}
	return s
}

func (op *LULogDet) DiffWRT(int) []bool { return []bool{false, true} }

func (op *LULogDet) SymDiff(in gorgonia.Nodes, _, g *gorgonia.Node) (gorgonia.Nodes, error) {
	n, err := apply(&LULogDetGrad{base: newBase("LULogDetGrad", op.key, 2, 2, 1), ld: op}, in[1], g)
	return gorgonia.Nodes{nil, n}, err
}

// LULogDetGrad is the gradient of LULogDet with respect to upper: inputs
// (upper [D, D], g [N]), output [D, D].
type LULogDetGrad struct {
	base
	ld *LULogDet
}

func (op *LULogDetGrad) InferShape(ds ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := shapesOf(op.name, 2, ds)
	if err != nil {
		return nil, err
	}
	return s[0].Clone(), nil
}
func (op *LULogDetGrad) Do(v ...gorgonia.Value) (gorgonia.Value, error) { return do(op, v) }
func (op *LULogDetGrad) Exec32(out []float32, ins [][]float32, s []tensor.Shape) {
	luLogDetGrad(out, ins[0], ins[1], s[0][0], op.ld.Sign, op.ld.LogDiag)
}
func (op *LULogDetGrad) Exec64(out []float64, ins [][]float64, s []tensor.Shape) {
	luLogDetGrad(out, ins[0], ins[1], s[0][0], op.ld.Sign, op.ld.LogDiag)
}

func luLogDetGrad[T Float](out, upper, g []T, d int, sign float64, logDiag bool) {
	clear(out)
	gs := sign * anSum(g)
	for i := 0; i < d; i++ {
		if logDiag {
			out[i*d+i] = T(gs)
		} else {
			out[i*d+i] = T(gs / float64(upper[i*d+i]))
		}
	}
}
