package vi

import (
	"fmt"
	"math"

	"github.com/nflowgo/nflow/ops"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// mixtureSample writes x[n] = μ_k + exp(s_k) ⊙ z[n], k = ⌊v[n]·K⌋, for
// u = (z, v) [N, D+1].
func mixtureSample[T float32 | float64](x, u, loc, ls []T, k, d int) {
	n := len(x) / d
	for i := 0; i < n; i++ {
		c := component(float64(u[i*(d+1)+d]), k)
		for j := 0; j < d; j++ {
			x[i*d+j] = loc[c*d+j] + T(math.Exp(float64(ls[c*d+j])))*u[i*(d+1)+j]
		}
	}
}

func component(v float64, k int) int { return min(k-1, max(0, int(v*float64(k)))) }

// mixtureSampleOp is GaussianMixture's sampling map: inputs (u [N, D+1],
// loc [K, D], log_scale [K, D]), output x [N, D]. Gradients: ∂x/∂μ_k = 1
// and ∂x/∂s_k = σ_k z on the rows of component k; none for u.
type mixtureSampleOp struct {
	opBase
	k, d int
}

func (op *mixtureSampleOp) InferShape(ds ...gorgonia.DimSizer) (tensor.Shape, error) {
	return inferFrom(op.name, 3, ds, func(s []tensor.Shape) (tensor.Shape, error) {
		if len(s[0]) != 2 || s[0][1] != op.d+1 {
			return nil, fmt.Errorf("%s: noise %v, expected [N, %d]", op.name, s[0], op.d+1)
		}
		return tensor.Shape{s[0][0], op.d}, nil
	})
}
func (op *mixtureSampleOp) Do(v ...gorgonia.Value) (gorgonia.Value, error) {
	return ops.Do(op, v)
}
func (op *mixtureSampleOp) Exec32(out []float32, ins [][]float32, _ []tensor.Shape) {
	mixtureSample(out, ins[0], ins[1], ins[2], op.k, op.d)
}
func (op *mixtureSampleOp) Exec64(out []float64, ins [][]float64, _ []tensor.Shape) {
	mixtureSample(out, ins[0], ins[1], ins[2], op.k, op.d)
}
func (op *mixtureSampleOp) DiffWRT(int) []bool { return []bool{false, true, true} }
func (op *mixtureSampleOp) SymDiff(in gorgonia.Nodes, _, g *gorgonia.Node) (gorgonia.Nodes, error) {
	out := gorgonia.Nodes{nil, nil, nil}
	for w := 1; w <= 2; w++ {
		gop := &mixtureGradOp{opBase: opBase{name: fmt.Sprintf("MixtureSampleGrad%d", w), inDims: []int{2, 2, 2, 2}, outDims: 2}, k: op.k, d: op.d, wrt: w}
		var err error
		if out[w], err = gorgonia.ApplyOp(gop, in[0], in[1], in[2], g); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// logSoftmax writes log π = a - log Σ exp(a) into dst.
func logSoftmax[T float32 | float64](dst []float64, a []T) {
	m := math.Inf(-1)
	for _, v := range a {
		m = math.Max(m, float64(v))
	}
	var s float64
	for _, v := range a {
		s += math.Exp(float64(v) - m)
	}
	for i, v := range a {
		dst[i] = float64(v) - m - math.Log(s)
	}
}

// mixtureLogProb writes log q₀(x_n) = log Σ_k π_k Π_d N(x_nd; μ_kd, σ_kd²)
// into out and the responsibilities r_nk (softmax_k of the component
// terms) into r [N, K]; lpi [K] is scratch.
func mixtureLogProb[T float32 | float64](out, x, loc, ls, logits []T, k, d int, r, lpi []float64) {
	n := len(x) / d
	logSoftmax(lpi, logits)
	c0 := -float64(d) * 0.5 * math.Log(2*math.Pi)
	for i := 0; i < n; i++ {
		m := math.Inf(-1)
		for c := 0; c < k; c++ {
			s := c0 + lpi[c]
			for j := 0; j < d; j++ {
				lsj := float64(ls[c*d+j])
				z := (float64(x[i*d+j]) - float64(loc[c*d+j])) * math.Exp(-lsj)
				s -= z*z/2 + lsj
			}
			r[i*k+c] = s
			m = math.Max(m, s)
		}
		var sum float64
		for c := 0; c < k; c++ {
			r[i*k+c] = math.Exp(r[i*k+c] - m)
			sum += r[i*k+c]
		}
		out[i] = T(m + math.Log(sum))
		for c := 0; c < k; c++ {
			r[i*k+c] /= sum
		}
	}
}

// mixtureLogProbOp is log q₀(x) ([N]) of GaussianMixture: inputs (x [N,
// D], loc [K, D], log_scale [K, D], logits [1, K]). With
// responsibilities r_nk and z = (x - μ_k)/σ_k:
//
//	∂/∂x = -Σ_k r_k z/σ_k,  ∂/∂μ_k = r_k z/σ_k,  ∂/∂s_k = r_k (z² - 1),  ∂/∂a_k = r_k - π_k.
type mixtureLogProbOp struct {
	opBase
	k, d   int
	r, lpi []float64 // the last run's responsibilities [N, K], and scratch
}

func (op *mixtureLogProbOp) buffers(n int) {
	if len(op.r) != n*op.k {
		op.r, op.lpi = make([]float64, n*op.k), make([]float64, op.k)
	}
}

func (op *mixtureLogProbOp) InferShape(ds ...gorgonia.DimSizer) (tensor.Shape, error) {
	return inferFrom(op.name, 4, ds, func(s []tensor.Shape) (tensor.Shape, error) {
		if len(s[0]) != 2 || s[0][1] != op.d {
			return nil, fmt.Errorf("%s: input %v, expected [N, %d]", op.name, s[0], op.d)
		}
		return tensor.Shape{s[0][0]}, nil
	})
}
func (op *mixtureLogProbOp) Do(v ...gorgonia.Value) (gorgonia.Value, error) {
	return ops.Do(op, v)
}
func (op *mixtureLogProbOp) Exec32(out []float32, ins [][]float32, _ []tensor.Shape) {
	op.buffers(len(out))
	mixtureLogProb(out, ins[0], ins[1], ins[2], ins[3], op.k, op.d, op.r, op.lpi)
}
func (op *mixtureLogProbOp) Exec64(out []float64, ins [][]float64, _ []tensor.Shape) {
	op.buffers(len(out))
	mixtureLogProb(out, ins[0], ins[1], ins[2], ins[3], op.k, op.d, op.r, op.lpi)
}
func (op *mixtureLogProbOp) DiffWRT(int) []bool { return []bool{true, true, true, true} }
func (op *mixtureLogProbOp) SymDiff(in gorgonia.Nodes, _, g *gorgonia.Node) (gorgonia.Nodes, error) {
	out := make(gorgonia.Nodes, 4)
	for w := 0; w < 4; w++ {
		gop := &mixtureGradOp{opBase: opBase{name: fmt.Sprintf("MixtureLogProbGrad%d", w), inDims: []int{2, 2, 2, 2, 1}, outDims: 2}, k: op.k, d: op.d, wrt: w, lp: op}
		var err error
		if out[w], err = gorgonia.ApplyOp(gop, in[0], in[1], in[2], in[3], g); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// mixtureGradOp is one input's gradient of mixtureLogProbOp (logProb:
// inputs x, loc, log_scale, logits, g) or of mixtureSampleOp (inputs u,
// loc, log_scale, g), shaped as input wrt (0: x, 1: loc, 2: log_scale,
// 3: logits).
type mixtureGradOp struct {
	opBase
	k, d int
	wrt  int
	lp   *mixtureLogProbOp // the log-density op whose responsibilities it reads; nil for the sampling map
	buf  []float64
}

func (op *mixtureGradOp) InferShape(ds ...gorgonia.DimSizer) (tensor.Shape, error) {
	return inferFrom(op.name, len(op.inDims), ds, func(s []tensor.Shape) (tensor.Shape, error) { return s[op.wrt].Clone(), nil })
}
func (op *mixtureGradOp) Do(v ...gorgonia.Value) (gorgonia.Value, error) {
	return ops.Do(op, v)
}
func (op *mixtureGradOp) Exec32(out []float32, ins [][]float32, _ []tensor.Shape) {
	mixtureGrad(op, out, ins)
}
func (op *mixtureGradOp) Exec64(out []float64, ins [][]float64, _ []tensor.Shape) {
	mixtureGrad(op, out, ins)
}
func (op *mixtureGradOp) DiffWRT(int) []bool { return make([]bool, len(op.inDims)) }
func (op *mixtureGradOp) SymDiff(gorgonia.Nodes, *gorgonia.Node, *gorgonia.Node) (gorgonia.Nodes, error) {
	return nil, fmt.Errorf("%s: second derivatives are not implemented", op.name)
}

func mixtureGrad[T float32 | float64](op *mixtureGradOp, out []T, ins [][]T) {
	x, loc, ls, g := ins[0], ins[1], ins[2], ins[len(ins)-1]
	d := op.d
	if len(op.buf) != len(out) {
		op.buf = make([]float64, len(out))
	}
	acc := op.buf
	clear(acc)
	if op.lp == nil { // sampling map: x = μ_k + σ_k z, g [N, D]
		n := len(x) / (d + 1)
		for i := 0; i < n; i++ {
			c := component(float64(x[i*(d+1)+d]), op.k)
			for j := 0; j < d; j++ {
				gij := float64(g[i*d+j])
				if op.wrt == 1 {
					acc[c*d+j] += gij
				} else {
					acc[c*d+j] += gij * math.Exp(float64(ls[c*d+j])) * float64(x[i*(d+1)+j])
				}
			}
		}
	} else {
		k := op.k
		r := op.lp.r
		if op.wrt == 3 { // Σ_n g_n (r_nk - π_k)
			pi := op.lp.lpi
			logSoftmax(pi, ins[3])
			var sg float64
			for i, gi := range g {
				sg += float64(gi)
				for c := 0; c < k; c++ {
					acc[c] += float64(gi) * r[i*k+c]
				}
			}
			for c := 0; c < k; c++ {
				acc[c] -= sg * math.Exp(pi[c])
			}
		} else {
			for i, gi := range g {
				for c := 0; c < k; c++ {
					gr := float64(gi) * r[i*k+c]
					for j := 0; j < d; j++ {
						inv := math.Exp(-float64(ls[c*d+j]))
						z := (float64(x[i*d+j]) - float64(loc[c*d+j])) * inv
						switch op.wrt {
						case 0:
							acc[i*d+j] -= gr * z * inv
						case 1:
							acc[c*d+j] += gr * z * inv
						case 2:
							acc[c*d+j] += gr * (z*z - 1)
						}
					}
				}
			}
		}
	}
	for i, v := range acc {
		out[i] = T(v)
	}
}

// rowWeightOp is the weight w_n = K π_{k_n} of row n of a stratified batch:
// inputs (u [N, D+1], logits [1, K]), output [N]. Its gradient with
// respect to the logits is ∂w_n/∂a_j = K π_{k_n} (δ_{k_n j} - π_j).
type rowWeightOp struct {
	opBase
	k, d int
	pi   []float64
}

func (op *rowWeightOp) InferShape(ds ...gorgonia.DimSizer) (tensor.Shape, error) {
	return inferFrom(op.name, 2, ds, func(s []tensor.Shape) (tensor.Shape, error) { return tensor.Shape{s[0][0]}, nil })
}
func (op *rowWeightOp) Do(v ...gorgonia.Value) (gorgonia.Value, error) {
	return ops.Do(op, v)
}
func (op *rowWeightOp) Exec32(out []float32, ins [][]float32, _ []tensor.Shape) {
	rowWeights(op, out, ins)
}
func (op *rowWeightOp) Exec64(out []float64, ins [][]float64, _ []tensor.Shape) {
	rowWeights(op, out, ins)
}

func (op *rowWeightOp) softmax(a any) []float64 {
	if len(op.pi) != op.k {
		op.pi = make([]float64, op.k)
	}
	switch v := a.(type) {
	case []float32:
		logSoftmax(op.pi, v)
	case []float64:
		logSoftmax(op.pi, v)
	}
	for c := range op.pi {
		op.pi[c] = math.Exp(op.pi[c])
	}
	return op.pi
}

func rowWeights[T float32 | float64](op *rowWeightOp, out []T, ins [][]T) {
	pi := op.softmax(ins[1])
	for n := range out {
		out[n] = T(float64(op.k) * pi[component(float64(ins[0][n*(op.d+1)+op.d]), op.k)])
	}
}

func (op *rowWeightOp) DiffWRT(int) []bool { return []bool{false, true} }
func (op *rowWeightOp) SymDiff(in gorgonia.Nodes, _, g *gorgonia.Node) (gorgonia.Nodes, error) {
	gop := &rowWeightGradOp{opBase: opBase{name: "MixtureRowWeightGrad", inDims: []int{2, 2, 1}, outDims: 2}, fwd: op}
	n, err := gorgonia.ApplyOp(gop, in[0], in[1], g)
	return gorgonia.Nodes{nil, n}, err
}

// rowWeightGradOp is Σ_n g_n ∂w_n/∂a: inputs (u, logits, g [N]), output [1, K].
type rowWeightGradOp struct {
	opBase
	fwd *rowWeightOp
}

func (op *rowWeightGradOp) InferShape(ds ...gorgonia.DimSizer) (tensor.Shape, error) {
	return inferFrom(op.name, 3, ds, func(s []tensor.Shape) (tensor.Shape, error) { return s[1].Clone(), nil })
}
func (op *rowWeightGradOp) Do(v ...gorgonia.Value) (gorgonia.Value, error) {
	return ops.Do(op, v)
}
func (op *rowWeightGradOp) Exec32(out []float32, ins [][]float32, _ []tensor.Shape) {
	rowWeightGrad(op, out, ins)
}
func (op *rowWeightGradOp) Exec64(out []float64, ins [][]float64, _ []tensor.Shape) {
	rowWeightGrad(op, out, ins)
}

func rowWeightGrad[T float32 | float64](op *rowWeightGradOp, out []T, ins [][]T) {
	k, d := op.fwd.k, op.fwd.d
	pi := op.fwd.softmax(ins[1])
	var acc [256]float64
	a := acc[:k]
	if k > len(acc) {
		a = make([]float64, k)
	}
	for n, g := range ins[2] {
		c := component(float64(ins[0][n*(d+1)+d]), k)
		w := float64(k) * pi[c] * float64(g)
		a[c] += w
		for j := range a {
			a[j] -= w * pi[j]
		}
	}
	for j := range out {
		out[j] = T(a[j])
	}
}

func (op *rowWeightGradOp) DiffWRT(int) []bool { return []bool{false, false, false} }
func (op *rowWeightGradOp) SymDiff(gorgonia.Nodes, *gorgonia.Node, *gorgonia.Node) (gorgonia.Nodes, error) {
	return nil, fmt.Errorf("%s: second derivatives are not implemented", op.name)
}
