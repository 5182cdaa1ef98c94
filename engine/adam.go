package engine

import (
	"fmt"
	"math"

	"github.com/nflowgo/nflow/kernels/cpu/vec"

	"gorgonia.org/tensor"
)

// Adam is Kingma & Ba's optimizer with Keras's update rule, fused over all
// parameters:
//
//	m ← β1·m + (1-β1)·g
//	v ← β2·v + (1-β2)·g²
//	θ ← θ - lr·√(1-β2ᵗ)/(1-β1ᵗ) · m / (√v + ε)
//
// It updates the parameter tensors in place; moments have the parameters'
// dtype. Step32 and Step64 do not allocate.
type Adam struct {
	LR, Beta1, Beta2, Epsilon float64
	t                         int
	p32, m32, v32             [][]float32
	p64, m64, v64             [][]float64

	// A large update is split across two CPUs (Parallel), each taking half
	// of every parameter: the step's gradients and rate, and the halves.
	size         int
	g32          [][]float32
	g64          [][]float64
	lrT          float64
	half0, half1 func()
}

// parallelAdam is the least number of parameters whose update is split
// across CPUs: below it the handover costs more than the second CPU saves.
const parallelAdam = 1 << 18

// NewAdam returns Adam over params (all float32 or all float64) with
// Keras's defaults for the hyper-parameters left at zero: lr 1e-3, β1 0.9,
// β2 0.999, ε 1e-7.
func NewAdam(params []*tensor.Dense, lr, beta1, beta2, eps float64) (*Adam, error) {
	a := &Adam{}
	var err error
	if a.LR, a.Beta1, a.Beta2, a.Epsilon, err = adamDefaults(lr, beta1, beta2, eps); err != nil {
		return nil, err
	}
	for i, p := range params {
		switch v := p.Data().(type) {
		case []float32:
			a.p32 = append(a.p32, v)
			a.m32 = append(a.m32, make([]float32, len(v)))
			a.v32 = append(a.v32, make([]float32, len(v)))
		case []float64:
			a.p64 = append(a.p64, v)
			a.m64 = append(a.m64, make([]float64, len(v)))
			a.v64 = append(a.v64, make([]float64, len(v)))
		default:
			return nil, fmt.Errorf("engine.NewAdam: parameter %d has dtype %v, expected float32 or float64", i, p.Dtype())
		}
	}
	if len(a.p32) > 0 && len(a.p64) > 0 {
		return nil, fmt.Errorf("engine.NewAdam: parameters mix float32 and float64")
	}
	for _, p := range params {
		a.size += p.Shape().TotalSize()
	}
	a.half0, a.half1 = func() { a.update(0) }, func() { a.update(1) }
	return a, nil
}

// Steps is the number of updates applied.
func (a *Adam) Steps() int { return a.t }

func (a *Adam) rate() float64 {
	a.t++
	return a.LR * math.Sqrt(1-math.Pow(a.Beta2, float64(a.t))) / (1 - math.Pow(a.Beta1, float64(a.t)))
}

// Step32 applies one update from the gradients, one per parameter.
func (a *Adam) Step32(grads [][]float32) {
	a.g32, a.lrT = grads, a.rate()
	a.run()
	a.g32 = nil
}

// Step64 applies one update from the gradients, one per parameter.
func (a *Adam) Step64(grads [][]float64) {
	a.g64, a.lrT = grads, a.rate()
	a.run()
	a.g64 = nil
}

// SplitStep32 and SplitStep64 are Step32 and Step64 with the update split
// across two CPUs however few the parameters: for a caller whose second
// CPU has just finished its share of the step (a training step split
// across CPUs), so the handover is cheap.
func (a *Adam) SplitStep32(grads [][]float32) {
	a.g32, a.lrT = grads, a.rate()
	Parallel(a.half0, a.half1)
	a.g32 = nil
}

func (a *Adam) SplitStep64(grads [][]float64) {
	a.g64, a.lrT = grads, a.rate()
	Parallel(a.half0, a.half1)
	a.g64 = nil
}

func (a *Adam) run() {
	if a.size < parallelAdam {
		a.update(-1)
		return
	}
	Parallel(a.half0, a.half1)
}

// update applies the step to half part (0 or 1) of every parameter, or to
// all of them (part -1). The update is element-wise, so the halves give
// the whole update's values.
func (a *Adam) update(part int) {
	span := func(n int) (int, int) {
		switch part {
		case 0:
			return 0, n / 2
		case 1:
			return n / 2, n
		}
		return 0, n
	}
	for i, p := range a.p32 {
		lo, hi := span(len(p))
		vec.Adam32(p[lo:hi], a.g32[i][lo:hi], a.m32[i][lo:hi], a.v32[i][lo:hi], a.Beta1, a.Beta2, a.Epsilon, a.lrT)
	}
	for i, p := range a.p64 {
		lo, hi := span(len(p))
		vec.Adam(p[lo:hi], a.g64[i][lo:hi], a.m64[i][lo:hi], a.v64[i][lo:hi], a.Beta1, a.Beta2, a.Epsilon, a.lrT)
	}
}

// AllFinite32 reports whether every value in every slice is finite.
func AllFinite32(xs [][]float32) bool { return vec.AllFinite32(xs) }

// AllFinite64 reports whether every value in every slice is finite.
func AllFinite64(xs [][]float64) bool { return vec.AllFinite64(xs) }

// adamDefaults checks Adam's hyper-parameters and replaces zeros with
// Keras's defaults: lr 1e-3, β1 0.9, β2 0.999, ε 1e-7.
func adamDefaults(lr, beta1, beta2, eps float64) (float64, float64, float64, float64, error) {
	vals := [4]float64{lr, beta1, beta2, eps}
	for i, def := range [4]float64{1e-3, 0.9, 0.999, 1e-7} {
		if vals[i] < 0 || math.IsNaN(vals[i]) || math.IsInf(vals[i], 0) {
			return 0, 0, 0, 0, fmt.Errorf("engine: Adam hyper-parameter %g, expected a finite non-negative number", vals[i])
		}
		if vals[i] == 0 {
			vals[i] = def
		}
	}
	return vals[0], vals[1], vals[2], vals[3], nil
}
