package vi

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/nflowgo/nflow/dist"
	"gorgonia.org/tensor"
)

// Diagnostics summarises the importance weights w = p̃(x)/q(x) of S
// samples x of q.
type Diagnostics struct {
	Samples int
	// ELBO = mean log w, a lower bound on log Z; ELBOStdErr is its Monte
	// Carlo standard error sd(log w)/√S.
	ELBO, ELBOStdErr float64
	// ESSFraction is the effective sample size over S, (Σw)²/(S Σw²),
	// 1 for q = p.
	ESSFraction float64
	// LogZ is the importance-sampling estimate log(1/S Σ w) of the log
	// normalizing constant (0 for a normalized target); LogZ - ELBO
	// estimates KL(q‖p) and does not depend on knowing Z.
	LogZ float64
	// KHat is the Pareto k̂ of the weights' tail (ParetoKHat): below 0.7
	// the estimates can be trusted.
	KHat float64
}

func (d Diagnostics) String() string {
	return fmt.Sprintf("elbo %.4f ± %.4f  ess %.3f  log_z %.4f  khat %.3f  (%d samples)",
		d.ELBO, d.ELBOStdErr, d.ESSFraction, d.LogZ, d.KHat, d.Samples)
}

// Summarize returns the diagnostics of the log weights log w (at least 25,
// finite or -Inf).
func Summarize(logw []float64) (Diagnostics, error) {
	s := len(logw)
	k, err := ParetoKHat(logw)
	if err != nil {
		return Diagnostics{}, err
	}
	d := Diagnostics{Samples: s, KHat: k}
	m := math.Inf(-1)
	for _, v := range logw {
		d.ELBO += v
		m = math.Max(m, v)
	}
	d.ELBO /= float64(s)
	var s1, s2, v2 float64
	for _, v := range logw {
		w := math.Exp(v - m)
		s1 += w
		s2 += w * w
		v2 += (v - d.ELBO) * (v - d.ELBO)
	}
	d.ELBOStdErr = math.Sqrt(v2/float64(s-1)) / math.Sqrt(float64(s))
	d.ESSFraction = s1 * s1 / (s2 * float64(s))
	d.LogZ = m + math.Log(s1/float64(s))
	return d, nil
}

// LogWeights draws n samples x of q (one forward pass) and returns them
// ([n, D], q's dtype) with their log weights log p̃(x) - log q(x).
func LogWeights(q *dist.TransformedDistribution, target Target, n int, rng *rand.Rand) (*tensor.Dense, []float64, error) {
	if q == nil {
		return nil, nil, fmt.Errorf("vi: q is nil")
	}
	if err := checkTarget(target, q.EventSize()); err != nil {
		return nil, nil, err
	}
	if n < 1 {
		return nil, nil, fmt.Errorf("vi: %d samples, expected >= 1", n)
	}
	x, lq, err := q.SampleAndLogProb(n, rng)
	if err != nil {
		return nil, nil, err
	}
	logw := make([]float64, n)
	target.LogDensity(dist.Float64s(x), logw, nil)
	for i, v := range dist.Float64s(lq) {
		logw[i] -= v
	}
	return x, logw, nil
}

// Diagnose draws n samples of q (n >= 25) and returns the diagnostics of
// their importance weights toward target.
func Diagnose(q *dist.TransformedDistribution, target Target, n int, rng *rand.Rand) (Diagnostics, error) {
	_, logw, err := LogWeights(q, target, n, rng)
	if err != nil {
		return Diagnostics{}, err
	}
	for i, v := range logw {
		if math.IsNaN(v) || math.IsInf(v, 1) {
			return Diagnostics{}, fmt.Errorf("vi: log weight of sample %d is %g, expected a finite number", i, v)
		}
	}
	return Summarize(logw)
}
