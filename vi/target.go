package vi

import (
	"fmt"
	"math"
)

// Target is an unnormalized log-density log p̃(x) on R^D, evaluated a
// batch at a time.
type Target interface {
	// Dim is D.
	Dim() int
	// LogDensity writes log p̃(x_n) for the n = len(logp) rows of x
	// [n, D] (row-major) into logp and, when grad is non-nil,
	// ∇_x log p̃(x_n) into grad [n, D]. It must not keep x, logp or grad.
	LogDensity(x, logp, grad []float64)
}

// TargetFunc is a Target written as a Go function with a hand-written
// gradient. Fn has LogDensity's contract; check its gradient with
// CheckGradient.
type TargetFunc struct {
	D  int
	Fn func(x, logp, grad []float64)
}

// Dim returns D.
func (t TargetFunc) Dim() int { return t.D }

// LogDensity calls Fn.
func (t TargetFunc) LogDensity(x, logp, grad []float64) { t.Fn(x, logp, grad) }

// checkTarget validates a target before fitting: positive dimension d
// matching want (when want > 0).
func checkTarget(t Target, want int) error {
	if t == nil {
		return fmt.Errorf("vi: target is nil")
	}
	if f, ok := t.(TargetFunc); ok && f.Fn == nil {
		return fmt.Errorf("vi: TargetFunc.Fn is nil")
	}
	if d := t.Dim(); d < 1 || (want > 0 && d != want) {
		return fmt.Errorf("vi: target dimension %d, expected %d (the flow's event size)", d, want)
	}
	return nil
}

// EvalTarget returns log p̃ ([n]) and, when withGrad, the gradient
// ([n, D]) of t at the rows of x [n, D]. It checks the shapes.
func EvalTarget(t Target, x []float64, withGrad bool) (logp, grad []float64, err error) {
	if err := checkTarget(t, 0); err != nil {
		return nil, nil, err
	}
	d := t.Dim()
	if len(x) == 0 || len(x)%d != 0 {
		return nil, nil, fmt.Errorf("vi: %d values of x, expected a positive multiple of D = %d", len(x), d)
	}
	logp = make([]float64, len(x)/d)
	if withGrad {
		grad = make([]float64, len(x))
	}
	t.LogDensity(x, logp, grad)
	return logp, grad, nil
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

var nan = math.NaN()
