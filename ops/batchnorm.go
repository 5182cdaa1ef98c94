package ops

import (
	"fmt"
	"math"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// BatchNormMode selects what a BatchNorm op computes.
type BatchNormMode int

const (
	// BatchNormTraining is the inverse (density) direction with the
	// statistics of the batch, differentiable through them; the kernel also
	// updates the running moments (inputs 1 and 2) in place.
	BatchNormTraining BatchNormMode = iota
	// BatchNormInverse is the inverse direction with the running moments.
	BatchNormInverse
	// BatchNormForward is the forward (sampling) direction with the running
	// moments: it undoes BatchNormInverse.
	BatchNormForward
)

var batchNormModes = map[BatchNormMode]string{BatchNormTraining: "training", BatchNormInverse: "inverse", BatchNormForward: "forward"}

func (m BatchNormMode) String() string {
	if s, ok := batchNormModes[m]; ok {
		return s
	}
	return fmt.Sprintf("BatchNormMode(%d)", int(m))
}

// BatchNorm is tfb.BatchNormalization's map (Ioffe & Szegedy, 2015; used
// as a bijector by Dinh et al., 2017), with γ = exp(λ):
//
//	inverse:  x[n,d] = (y[n,d] - μ_d)/σ_d · γ_d + β_d
//	forward:  y[n,d] = (x[n,d] - β_d)/γ_d · σ_d + μ_d
//
// σ_d = √(v_d + Epsilon). Inputs (v [N, D], mean [D], variance [D],
// λ [D], β [D]), output [N, D]. In BatchNormInverse and BatchNormForward
// μ and v are the running moments (inputs 1 and 2). In BatchNormTraining
// they are the batch's, μ_d = Σ_n y[n,d]/N and v_d = Σ_n (y[n,d]-μ_d)²/N
// (Keras's biased variance), and the kernel also updates the running
// moments in place as Keras does:
//
//	mean ← Momentum·mean + (1-Momentum)·μ,  variance ← Momentum·variance + (1-Momentum)·v
//
// so inputs 1 and 2 must be leaf nodes bound to the state tensors (the
// engine and Gorgonia's machines read such nodes in place). Gradients
// (BatchNormGrad) go to v, λ and β; in training mode through the batch
// statistics: with x̂ = (y-μ)/σ and ĝ = g·γ,
//
//	dy = (ĝ - mean_n ĝ - x̂·mean_n(ĝ·x̂))/σ,  dλ = Σ_n ĝ·x̂,  dβ = Σ_n g.
//
// Cost: about 5·N·D flops (8·N·D in training mode) and D square roots;
// the kernels walk the batch column by column and allocate nothing.
type BatchNorm struct {
	base
	Mode              BatchNormMode
	Epsilon, Momentum float64
}

// NewBatchNorm returns the op. epsilon must be positive and momentum in [0, 1].
func NewBatchNorm(mode BatchNormMode, epsilon, momentum float64) (*BatchNorm, error) {
	if _, ok := batchNormModes[mode]; !ok {
		return nil, fmt.Errorf("ops.BatchNorm: unknown mode %v", mode)
	}
	if !(epsilon > 0) || math.IsInf(epsilon, 0) {
		return nil, fmt.Errorf("ops.BatchNorm: epsilon %g, expected a finite positive number", epsilon)
	}
	if !(momentum >= 0 && momentum <= 1) {
		return nil, fmt.Errorf("ops.BatchNorm: momentum %g, expected a number in [0, 1]", momentum)
	}
	k := fmt.Sprintf("%v,%g,%g", mode, epsilon, momentum)
	return &BatchNorm{base: newBase("BatchNorm("+mode.String()+")", k, 2, 2, 1, 1, 1, 1),
		Mode: mode, Epsilon: epsilon, Momentum: momentum}, nil
}

// bnShapes checks (v [N, D], then n-2 vectors [D], then [N, D] gradients
// from input gradAt on).
func bnShapes(name string, ds []gorgonia.DimSizer, n, vecs int) ([]tensor.Shape, error) {
	s, err := shapesOf(name, n, ds)
	if err != nil {
		return nil, err
	}
	if err := matrix(name, 0, s[0], -1); err != nil {
		return nil, err
	}
	for i := 1; i <= vecs; i++ {
		if err := anVector(name, i, s[i], s[0][1]); err != nil {
			return nil, err
		}
	}
	for i := vecs + 1; i < n; i++ {
		if !s[i].Eq(s[0]) {
			return nil, fmt.Errorf("%s: input %d has shape %v, expected %v", name, i, s[i], s[0])
		}
	}
	return s, nil
}

func (op *BatchNorm) InferShape(ds ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := bnShapes(op.name, ds, 5, 4)
	if err != nil {
		return nil, err
	}
	return s[0].Clone(), nil
}
func (op *BatchNorm) Do(v ...gorgonia.Value) (gorgonia.Value, error) { return do(op, v) }
func (op *BatchNorm) Exec32(out []float32, ins [][]float32, _ []tensor.Shape) {
	batchNorm(op, out, ins)
}
func (op *BatchNorm) Exec64(out []float64, ins [][]float64, _ []tensor.Shape) {
	batchNorm(op, out, ins)
}

// bnMoments returns the mean and biased variance of column c of v [·, d].
func bnMoments[T Float](v []T, c, d int) (mean, variance float64) {
	n := 0
	for i := c; i < len(v); i += d {
		mean += float64(v[i])
		n++
	}
	mean /= float64(n)
	for i := c; i < len(v); i += d {
		e := float64(v[i]) - mean
		variance += e * e
	}
	return mean, variance / float64(n)
}

// bnStats returns μ_c, v_c, 1/σ_c and γ_c for column c in op's mode.
func bnStats[T Float](op *BatchNorm, ins [][]T, c, d int) (mu, variance, invSigma, gamma float64) {
	if op.Mode == BatchNormTraining {
		mu, variance = bnMoments(ins[0], c, d)
	} else {
		mu, variance = float64(ins[1][c]), float64(ins[2][c])
	}
	return mu, variance, 1 / math.Sqrt(variance+op.Epsilon), math.Exp(float64(ins[3][c]))
}

func batchNorm[T Float](op *BatchNorm, out []T, ins [][]T) {
	v, beta := ins[0], ins[4]
	d := len(beta)
	for c := 0; c < d; c++ {
		mu, variance, is, gamma := bnStats(op, ins, c, d)
		b := float64(beta[c])
		if op.Mode == BatchNormForward {
			a := 1 / (is * gamma)
			for i := c; i < len(v); i += d {
				out[i] = T((float64(v[i])-b)*a + mu)
			}
			continue
		}
		a := is * gamma
		for i := c; i < len(v); i += d {
			out[i] = T((float64(v[i])-mu)*a + b)
		}
		if op.Mode == BatchNormTraining {
			m := op.Momentum
			ins[1][c] = T(m*float64(ins[1][c]) + (1-m)*mu)
			ins[2][c] = T(m*float64(ins[2][c]) + (1-m)*variance)
		}
	}
}

func (op *BatchNorm) DiffWRT(int) []bool { return []bool{true, false, false, true, true} }

func (op *BatchNorm) SymDiff(in gorgonia.Nodes, _, g *gorgonia.Node) (gorgonia.Nodes, error) {
	out := make(gorgonia.Nodes, 5)
	for _, wrt := range []int{0, 3, 4} {
		k := fmt.Sprintf("%s,%d", op.key, wrt)
		dims := 1
		if wrt == 0 {
			dims = 2
		}
		gop := &BatchNormGrad{base: newBase(fmt.Sprintf("BatchNormGrad(%v,wrt=%d)", op.Mode, wrt), k, dims, 2, 1, 1, 1, 1, 2), bn: op, WRT: wrt}
		n, err := apply(gop, in[0], in[1], in[2], in[3], in[4], g)
		if err != nil {
			return nil, err
		}
		out[wrt] = n
	}
	return out, nil
}

// BatchNormGrad is the gradient of BatchNorm with respect to v (WRT 0,
// output [N, D]), λ (WRT 3, [D]) or β (WRT 4, [D]). Inputs (v, mean,
// variance, λ, β, g [N, D]); it never updates the running moments.
//
//	inverse: dy = g·γ/σ,  dλ = Σ_n g·γ·(y-μ)/σ,  dβ = Σ_n g
//	forward: dx = g·σ/γ,  dλ = -Σ_n g·(x-β)·σ/γ, dβ = -Σ_n g·σ/γ
//
// and BatchNorm's formulas in training mode. Cost: up to 10·N·D flops.
type BatchNormGrad struct {
	base
	bn  *BatchNorm
	WRT int
}

func (op *BatchNormGrad) InferShape(ds ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := bnShapes(op.name, ds, 6, 4)
	if err != nil {
		return nil, err
	}
	return s[op.WRT].Clone(), nil
}
func (op *BatchNormGrad) Do(v ...gorgonia.Value) (gorgonia.Value, error) { return do(op, v) }
func (op *BatchNormGrad) Exec32(out []float32, ins [][]float32, _ []tensor.Shape) {
	batchNormGrad(op, out, ins)
}
func (op *BatchNormGrad) Exec64(out []float64, ins [][]float64, _ []tensor.Shape) {
	batchNormGrad(op, out, ins)
}

func batchNormGrad[T Float](op *BatchNormGrad, out []T, ins [][]T) {
	v, beta, g := ins[0], ins[4], ins[5]
	d := len(beta)
	mode := op.bn.Mode
	for c := 0; c < d; c++ {
		mu, _, is, gamma := bnStats(op.bn, ins, c, d)
		b := float64(beta[c])
		var sg, sgx float64 // Σ g, Σ g·x̂ (x̂ = (y-μ)/σ inverse, (x-β) forward)
		for i := c; i < len(v); i += d {
			gi := float64(g[i])
			sg += gi
			if mode == BatchNormForward {
				sgx += gi * (float64(v[i]) - b)
			} else {
				sgx += gi * (float64(v[i]) - mu) * is
			}
		}
		switch {
		case op.WRT == 3 && mode == BatchNormForward:
			out[c] = T(-sgx / (is * gamma))
		case op.WRT == 3:
			out[c] = T(gamma * sgx)
		case op.WRT == 4 && mode == BatchNormForward:
			out[c] = T(-sg / (is * gamma))
		case op.WRT == 4:
			out[c] = T(sg)
		case mode == BatchNormForward:
			a := 1 / (is * gamma)
			for i := c; i < len(v); i += d {
				out[i] = T(float64(g[i]) * a)
			}
		case mode == BatchNormInverse:
			a := is * gamma
			for i := c; i < len(v); i += d {
				out[i] = T(float64(g[i]) * a)
			}
		default: // training: dy = γ/σ·(g - mean g - x̂·mean(g·x̂))
			n := float64(len(v) / d)
			mg, mgx := sg/n, sgx/n
			for i := c; i < len(v); i += d {
				xh := (float64(v[i]) - mu) * is
				out[i] = T(gamma * is * (float64(g[i]) - mg - xh*mgx))
			}
		}
	}
}

// BatchNormLogDet is tfb.BatchNormalization's log-det-Jacobian, the same
// for every row:
//
//	out[n] = Sign·(Σ_d λ_d - ½ Σ_d log(v_d + Epsilon))
//
// Inputs (v [N, D], variance [D], λ [D]), out [N]. With Sign +1 it is the
// inverse log-det (ILDJ), with -1 the forward one. Training uses the
// batch's biased variance of v (then a function of v, with gradient
// -Sign·Σ_n g[n]·(v[n,d]-μ_d)/(N·(var_d+ε))); otherwise the variance input,
// and v is read only for N. The gradient with respect to λ is Sign·Σ_n g[n]
// in every entry. Cost: N + D flops (3·N·D more in training).
type BatchNormLogDet struct {
	base
	Training bool
	Sign     float64
	Epsilon  float64
}

// NewBatchNormLogDet returns the op; epsilon must be positive.
func NewBatchNormLogDet(training bool, sign, epsilon float64) (*BatchNormLogDet, error) {
	if !(epsilon > 0) || math.IsInf(epsilon, 0) {
		return nil, fmt.Errorf("ops.BatchNormLogDet: epsilon %g, expected a finite positive number", epsilon)
	}
	k := fmt.Sprintf("%v,%g,%g", training, sign, epsilon)
	return &BatchNormLogDet{base: newBase("BatchNormLogDet("+k+")", k, 1, 2, 1, 1), Training: training, Sign: sign, Epsilon: epsilon}, nil
}

func (op *BatchNormLogDet) InferShape(ds ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := bnShapes(op.name, ds, 3, 2)
	if err != nil {
		return nil, err
	}
	return tensor.Shape{s[0][0]}, nil
}
func (op *BatchNormLogDet) Do(v ...gorgonia.Value) (gorgonia.Value, error) { return do(op, v) }
func (op *BatchNormLogDet) Exec32(out []float32, ins [][]float32, _ []tensor.Shape) {
	fill(out, float32(batchNormLogDet(op, ins)))
}
func (op *BatchNormLogDet) Exec64(out []float64, ins [][]float64, _ []tensor.Shape) {
	fill(out, batchNormLogDet(op, ins))
}

func batchNormLogDet[T Float](op *BatchNormLogDet, ins [][]T) float64 {
	lg := ins[2]
	d := len(lg)
	var s float64
	for c := 0; c < d; c++ {
		v := float64(ins[1][c])
		if op.Training {
			_, v = bnMoments(ins[0], c, d)
		}
		s += float64(lg[c]) - 0.5*math.Log(v+op.Epsilon)
	}
	return op.Sign * s
}

func (op *BatchNormLogDet) DiffWRT(int) []bool { return []bool{op.Training, false, true} }

func (op *BatchNormLogDet) SymDiff(in gorgonia.Nodes, _, g *gorgonia.Node) (gorgonia.Nodes, error) {
	out := make(gorgonia.Nodes, 3)
	for _, wrt := range []int{0, 2} {
		if wrt == 0 && !op.Training {
			continue
		}
		dims := 1
		if wrt == 0 {
			dims = 2
		}
		k := fmt.Sprintf("%s,%d", op.key, wrt)
		gop := &BatchNormLogDetGrad{base: newBase(fmt.Sprintf("BatchNormLogDetGrad(wrt=%d)", wrt), k, dims, 2, 1, 1, 1), ld: op, WRT: wrt}
		n, err := apply(gop, in[0], in[1], in[2], g)
		if err != nil {
			return nil, err
		}
		out[wrt] = n
	}
	return out, nil
}

// BatchNormLogDetGrad is the gradient of BatchNormLogDet with respect to v
// (WRT 0, training only, output [N, D]) or λ (WRT 2, [D]). Inputs (v,
// variance, λ, g [N]).
type BatchNormLogDetGrad struct {
	base
	ld  *BatchNormLogDet
	WRT int
}

func (op *BatchNormLogDetGrad) InferShape(ds ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, err := shapesOf(op.name, 4, ds)
	if err != nil {
		return nil, err
	}
	if len(s[3]) != 1 || s[3][0] != s[0][0] {
		return nil, fmt.Errorf("%s: gradient %v, expected [%d]", op.name, s[3], s[0][0])
	}
	return s[op.WRT].Clone(), nil
}
func (op *BatchNormLogDetGrad) Do(v ...gorgonia.Value) (gorgonia.Value, error) { return do(op, v) }
func (op *BatchNormLogDetGrad) Exec32(out []float32, ins [][]float32, _ []tensor.Shape) {
	batchNormLogDetGrad(op, out, ins)
}
func (op *BatchNormLogDetGrad) Exec64(out []float64, ins [][]float64, _ []tensor.Shape) {
	batchNormLogDetGrad(op, out, ins)
}

func batchNormLogDetGrad[T Float](op *BatchNormLogDetGrad, out []T, ins [][]T) {
	gs := op.ld.Sign * anSum(ins[3])
	if op.WRT == 2 {
		fill(out, T(gs))
		return
	}
	v := ins[0]
	d := len(ins[2])
	n := float64(len(v) / d)
	for c := 0; c < d; c++ {
		mu, variance := bnMoments(v, c, d)
		a := -gs / (n * (variance + op.ld.Epsilon))
		for i := c; i < len(v); i += d {
			out[i] = T(a * (float64(v[i]) - mu))
		}
	}
}
