package dist

import (
	"math"

	"gorgonia.org/tensor"
)

// overflowToNegInf replaces by -Inf each NaN log-density lp[i] of a row
// x[i] that holds no NaN, in place, and returns lp.
//
// With finite parameters (training, Save and Load keep them so), a density
// graph computes NaN from a NaN-free row only when an intermediate value
// overflowed, as Inf - Inf or 0·Inf: the row lies so far from where the
// model has its mass (in float32 from about 1e19 on, the square of a
// coordinate) that its density underflows. -Inf is then the representable
// answer, as it is for a row with an infinite coordinate. A row that holds
// a NaN keeps its NaN.
func overflowToNegInf(lp, x *tensor.Dense) *tensor.Dense {
	d := x.Shape()[1]
	switch v := lp.Data().(type) {
	case []float32:
		xs := x.Data().([]float32)
		for i, l := range v {
			if l != l && !anyNaN32(xs[i*d:(i+1)*d]) {
				v[i] = float32(math.Inf(-1))
			}
		}
	case []float64:
		xs := x.Data().([]float64)
		for i, l := range v {
			if math.IsNaN(l) && !anyNaN64(xs[i*d:(i+1)*d]) {
				v[i] = math.Inf(-1)
			}
		}
	}
	return lp
}

func anyNaN32(v []float32) bool {
	for _, x := range v {
		if x != x {
			return true
		}
	}
	return false
}

func anyNaN64(v []float64) bool {
	for _, x := range v {
		if math.IsNaN(x) {
			return true
		}
	}
	return false
}
