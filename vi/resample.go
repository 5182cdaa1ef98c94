package vi

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/nflowgo/nflow/bijectors"
	"github.com/nflowgo/nflow/dist"
	"gorgonia.org/tensor"
)

// Resample returns m rows of x [S, D] drawn in proportion to the weights
// exp(logw) (sampling-importance resampling, Rubin 1988), by systematic
// resampling: one uniform u, the points (u + i)/m, i < m, against the
// cumulative normalized weights. Rows of large weight repeat; the result
// approaches p as S grows with m fixed. It has x's dtype.
func Resample(x *tensor.Dense, logw []float64, m int, rng *rand.Rand) (*tensor.Dense, error) {
	if x == nil || len(x.Shape()) != 2 || x.Shape()[0] != len(logw) {
		return nil, fmt.Errorf("vi: samples of shape %v for %d log weights, expected [%d, D]", shapeOf(x), len(logw), len(logw))
	}
	if m < 1 || rng == nil {
		return nil, fmt.Errorf("vi: %d draws (expected >= 1) from a random source %v", m, rng)
	}
	mx := math.Inf(-1)
	for i, v := range logw {
		if math.IsNaN(v) || math.IsInf(v, 1) {
			return nil, fmt.Errorf("vi: log weight %d is %g, expected a number below +Inf", i, v)
		}
		mx = math.Max(mx, v)
	}
	if math.IsInf(mx, -1) {
		return nil, fmt.Errorf("vi: every weight is zero")
	}
	var total float64
	for _, v := range logw {
		total += math.Exp(v - mx)
	}
	d := x.Shape()[1]
	rows := dist.Float64s(x)
	out := make([]float64, 0, m*d)
	u := rng.Float64()
	var cum float64
	i := 0
	for k := 0; k < m; k++ {
		target := (u + float64(k)) / float64(m) * total
		for i < len(logw)-1 && cum+math.Exp(logw[i]-mx) <= target {
			cum += math.Exp(logw[i] - mx)
			i++
		}
		out = append(out, rows[i*d:(i+1)*d]...)
	}
	return bijectors.NewTensor(x.Dtype(), out, m, d), nil
}

func shapeOf(t *tensor.Dense) tensor.Shape {
	if t == nil {
		return nil
	}
	return t.Shape()
}
