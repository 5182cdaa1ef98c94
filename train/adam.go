package train

import (
	"math"

	"gorgonia.org/tensor"
)

// Adam is Kingma & Ba's optimizer with Keras's update rule:
//
//	m ← β1·m + (1-β1)·g
//	v ← β2·v + (1-β2)·g²
//	θ ← θ - lr·√(1-β2ᵗ)/(1-β1ᵗ) · m / (√v + ε)
//
// Moments are kept in float64 whatever the parameters' dtype.
type Adam struct {
	LR, Beta1, Beta2, Epsilon float64
	t                         int
	m, v                      [][]float64
}

// NewAdam returns Adam with Keras's defaults for the fields left at zero
// (lr 1e-3, β1 0.9, β2 0.999, ε 1e-7) for parameters of the given sizes.
func NewAdam(lr, beta1, beta2, eps float64, sizes []int) *Adam {
	a := &Adam{LR: lr, Beta1: beta1, Beta2: beta2, Epsilon: eps}
	if a.LR == 0 {
		a.LR = 1e-3
	}
	if a.Beta1 == 0 {
		a.Beta1 = 0.9
	}
	if a.Beta2 == 0 {
		a.Beta2 = 0.999
	}
	if a.Epsilon == 0 {
		a.Epsilon = 1e-7
	}
	for _, s := range sizes {
		a.m = append(a.m, make([]float64, s))
		a.v = append(a.v, make([]float64, s))
	}
	return a
}

// Step applies one update to each parameter in place from its gradient;
// params[i] and grads[i] have the same size and dtype (float32 or float64).
func (a *Adam) Step(params, grads []*tensor.Dense) {
	a.t++
	lrT := a.LR * math.Sqrt(1-math.Pow(a.Beta2, float64(a.t))) / (1 - math.Pow(a.Beta1, float64(a.t)))
	for i, p := range params {
		switch pv := p.Data().(type) {
		case []float32:
			adamUpdate(pv, grads[i].Float32s(), a.m[i], a.v[i], a.Beta1, a.Beta2, a.Epsilon, lrT)
		case []float64:
			adamUpdate(pv, grads[i].Float64s(), a.m[i], a.v[i], a.Beta1, a.Beta2, a.Epsilon, lrT)
		}
	}
}

func adamUpdate[T float32 | float64](p, g []T, m, v []float64, b1, b2, eps, lrT float64) {
	for j, gj := range g {
		gf := float64(gj)
		m[j] = b1*m[j] + (1-b1)*gf
		v[j] = b2*v[j] + (1-b2)*gf*gf
		p[j] = T(float64(p[j]) - lrT*m[j]/(math.Sqrt(v[j])+eps))
	}
}
