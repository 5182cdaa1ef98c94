package ops

import (
	"fmt"
	"math"
	"unsafe"

	"github.com/nflowgo/nflow/kernels/cpu/vec"
)

// Activation is the nonlinearity of a Dense layer. Every supported
// activation has a derivative that is a function of its output y = act(z),
// so the backward pass needs only the layer's output.
type Activation int

const (
	Identity Activation = iota // y = z
	ReLU                       // y = max(z, 0); dy/dz = [y > 0]
	Tanh                       // y = tanh z; dy/dz = 1 - y²
	Sigmoid                    // y = 1/(1+e^-z); dy/dz = y(1-y)
	Softplus                   // y = log(1+e^z); dy/dz = 1 - e^-y
	ELU                        // y = z (z>0), e^z - 1 (z<=0); dy/dz = 1 (y>0), y+1
)

var activationNames = map[Activation]string{
	Identity: "identity", ReLU: "relu", Tanh: "tanh", Sigmoid: "sigmoid", Softplus: "softplus", ELU: "elu",
}

func (a Activation) String() string {
	if s, ok := activationNames[a]; ok {
		return s
	}
	return fmt.Sprintf("Activation(%d)", int(a))
}

// ParseActivation returns the activation with the given name
// (identity, linear, relu, tanh, sigmoid, softplus, elu).
func ParseActivation(name string) (Activation, error) {
	if name == "linear" || name == "" {
		return Identity, nil
	}
	for a, s := range activationNames {
		if s == name {
			return a, nil
		}
	}
	return 0, fmt.Errorf("unknown activation %q, expected one of identity, relu, tanh, sigmoid, softplus, elu", name)
}

// Valid reports whether a is a known activation.
func (a Activation) Valid() bool { _, ok := activationNames[a]; return ok }

func softplus(x float64) float64 {
	if x > 30 {
		return x
	}
	if x < -30 {
		return math.Exp(x)
	}
	return math.Log1p(math.Exp(x))
}

func sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

// activate applies a in place.
func activate[T Float](a Activation, y []T) {
	if f, ok := asFloat32(y); ok && a == ReLU {
		vec.ReLU32(f)
		return
	}
	switch a {
	case ReLU:
		for i, v := range y {
			if v < 0 {
				y[i] = 0
			}
		}
	case Tanh:
		for i, v := range y {
			y[i] = T(math.Tanh(float64(v)))
		}
	case Sigmoid:
		for i, v := range y {
			y[i] = T(sigmoid(float64(v)))
		}
	case Softplus:
		for i, v := range y {
			y[i] = T(softplus(float64(v)))
		}
	case ELU:
		for i, v := range y {
			if v <= 0 {
				y[i] = T(math.Expm1(float64(v)))
			}
		}
	}
}

// activationGrad writes gz = gy * act'(z), with act' computed from y.
func activationGrad[T Float](a Activation, gz, y, gy []T) {
	if f, ok := asFloat32(gz); ok && a == ReLU {
		fy, _ := asFloat32(y)
		fgy, _ := asFloat32(gy)
		vec.ReLUGrad32(f, fy, fgy)
		return
	}
	switch a {
	case Identity:
		copy(gz, gy)
	case ReLU:
		for i, v := range y {
			if v > 0 {
				gz[i] = gy[i]
			} else {
				gz[i] = 0
			}
		}
	case Tanh:
		for i, v := range y {
			gz[i] = gy[i] * (1 - v*v)
		}
	case Sigmoid:
		for i, v := range y {
			gz[i] = gy[i] * v * (1 - v)
		}
	case Softplus:
		for i, v := range y {
			gz[i] = gy[i] * T(-math.Expm1(-float64(v)))
		}
	case ELU:
		for i, v := range y {
			if v > 0 {
				gz[i] = gy[i]
			} else {
				gz[i] = gy[i] * (v + 1)
			}
		}
	}
}

// asFloat32 views a float32 slice of a generic kernel as []float32 (no
// copy), for the vectorized loops of kernels/cpu/vec.
func asFloat32[T Float](x []T) ([]float32, bool) {
	if !is32[T]() || len(x) == 0 {
		return nil, false
	}
	return as32(x), true
}

// as32 views x as []float32 (no copy); T must be float32.
func as32[T Float](x []T) []float32 {
	return unsafe.Slice((*float32)(unsafe.Pointer(unsafe.SliceData(x))), len(x))
}

// as64 views x as []float64 (no copy); T must be float64.
func as64[T Float](x []T) []float64 {
	return unsafe.Slice((*float64)(unsafe.Pointer(unsafe.SliceData(x))), len(x))
}
