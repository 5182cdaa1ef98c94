package vi

import (
	"fmt"
	"math"
)

// GradientCheck is the result of CheckGradient: the worst coordinate of a
// target's gradient against central finite differences.
type GradientCheck struct {
	Row, Col int     // the worst coordinate: row of x and column (dimension)
	Analytic float64 // the target's gradient there
	Numeric  float64 // (log p̃(x + h e) - log p̃(x - h e)) / 2h there
	// Error is |Analytic - Numeric| / max(1, |Numeric|) at the worst
	// coordinate: absolute for small derivatives, relative for large ones.
	Error float64
}

func (c GradientCheck) String() string {
	return fmt.Sprintf("worst coordinate row %d, column %d: gradient %.10g, finite difference %.10g (error %.3g)",
		c.Row, c.Col, c.Analytic, c.Numeric, c.Error)
}

// CheckGradient compares t's gradient at the rows of x [n, D] with the
// central finite difference of step h (0 picks 1e-5·max(1, |x|)), column
// by column (2D batch evaluations, since rows are independent), and
// returns the worst coordinate. The truncation error of the difference is
// O(h²·|∂³ log p̃|), its rounding error O(ε/h), so Error ≲ 1e-6 means the
// gradient is right. A non-finite log-density or gradient is an error
// naming the row.
func CheckGradient(t Target, x []float64, h float64) (GradientCheck, error) {
	logp, grad, err := EvalTarget(t, x, true)
	if err != nil {
		return GradientCheck{}, err
	}
	if h < 0 || math.IsNaN(h) || math.IsInf(h, 0) {
		return GradientCheck{}, fmt.Errorf("vi: finite-difference step %g, expected h >= 0", h)
	}
	d, n := t.Dim(), len(logp)
	for i := range logp {
		if !finite(logp[i]) {
			return GradientCheck{}, fmt.Errorf("vi: log density of row %d is %g, expected a finite number", i, logp[i])
		}
	}
	for i, g := range grad {
		if !finite(g) {
			return GradientCheck{}, fmt.Errorf("vi: gradient of row %d, column %d is %g, expected a finite number", i/d, i%d, g)
		}
	}
	xp, xm := append([]float64(nil), x...), append([]float64(nil), x...)
	lp, lm := make([]float64, n), make([]float64, n)
	step := make([]float64, n)
	worst := GradientCheck{Error: -1}
	for j := 0; j < d; j++ {
		for i := 0; i < n; i++ {
			step[i] = h
			if h == 0 {
				step[i] = 1e-5 * math.Max(1, math.Abs(x[i*d+j]))
			}
			xp[i*d+j] = x[i*d+j] + step[i]
			xm[i*d+j] = x[i*d+j] - step[i]
		}
		t.LogDensity(xp, lp, nil)
		t.LogDensity(xm, lm, nil)
		for i := 0; i < n; i++ {
			xp[i*d+j], xm[i*d+j] = x[i*d+j], x[i*d+j]
			num := (lp[i] - lm[i]) / (2 * step[i])
			an := grad[i*d+j]
			e := math.Abs(an-num) / math.Max(1, math.Abs(num))
			if math.IsNaN(e) {
				e = math.Inf(1)
			}
			if e > worst.Error {
				worst = GradientCheck{Row: i, Col: j, Analytic: an, Numeric: num, Error: e}
			}
		}
	}
	return worst, nil
}
