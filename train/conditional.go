package train

import (
	"fmt"
	"github.com/nflowgo/nflow/bijectors"
	"math"

	"github.com/nflowgo/nflow/dist"
	"gorgonia.org/tensor"
)

// checkContext validates the context of n data rows against model: nil for
// an unconditional model; for a conditional one (context size C > 0)
// [n, C], the model's dtype, finite.
func checkContext(model dist.Distribution, ctx *tensor.Dense, n int) error {
	cs := dist.ContextSizeOf(model)
	switch {
	case cs == 0 && ctx != nil:
		return fmt.Errorf("train: a context is given but the model is not conditional (%s)", dist.Brief(model))
	case cs == 0:
		return nil
	case ctx == nil:
		return fmt.Errorf("train: the model is conditional on a context of size %d: give one [N, %d] context row per data row (Config.Context) (%s)", cs, cs, dist.Brief(model))
	}
	s := ctx.Shape()
	if len(s) != 2 || s[0] != n || s[1] != cs {
		return fmt.Errorf("train: context shape %v, expected [%d, %d] (one row per data row)", s, n, cs)
	}
	if ctx.Dtype() != model.DType() {
		return fmt.Errorf("train: context dtype %v, the model is %v", ctx.Dtype(), model.DType())
	}
	for i, v := range dist.Float64s(ctx) {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("train: context row %d column %d is %g, expected a finite number", i/cs, i%cs, v)
		}
	}
	return nil
}

// MeanNLLGiven returns the mean conditional negative log-likelihood
// -(1/N) Σ_n log p(x_n | c_n) of data x [N, D] given the contexts c [N, C]
// under a conditional model. It is an error if model is not conditional
// (use MeanNLL) or if x or c is misshapen, of another dtype or not finite.
func MeanNLLGiven(model dist.Distribution, x, c *tensor.Dense) (float64, error) {
	if err := checkData(model, x); err != nil {
		return 0, err
	}
	if dist.ContextSizeOf(model) == 0 {
		return 0, fmt.Errorf("train: the model is not conditional; use MeanNLL (%s)", dist.Brief(model))
	}
	if err := checkContext(model, c, x.Shape()[0]); err != nil {
		return 0, err
	}
	return meanNLLGiven(model, x, c)
}

// StepGiven is Step for a conditional model: one optimizer step on the
// pairs (batch [B, D], ctx [B, C]), minimising -(1/B) Σ log p(x_b | c_b).
// It returns the batch's mean NLL before the update. With the compiled
// executor it allocates nothing after the first step of a batch size. It
// is an error if the model is not conditional (use Step).
func (t *Trainer) StepGiven(batch, ctx *tensor.Dense) (float64, error) {
	if t.cs == 0 {
		return 0, fmt.Errorf("train: the model is not conditional; use Step (%s)", dist.Brief(t.model))
	}
	if ctx == nil || batch == nil || len(batch.Shape()) != 2 {
		return 0, fmt.Errorf("train: batch %v and context %v, expected [B, %d] and [B, %d]", shapeOf(batch), shapeOf(ctx), t.d, t.cs)
	}
	s, b := ctx.Shape(), batch.Shape()
	if len(s) != 2 || s[1] != t.cs || s[0] != b[0] {
		return 0, fmt.Errorf("train: context shape %v for batch %v, expected [%d, %d]", s, b, b[0], t.cs)
	}
	if ctx.Dtype() != t.model.DType() {
		return 0, fmt.Errorf("train: context dtype %v, the model is %v", ctx.Dtype(), t.model.DType())
	}
	return t.stepOn(batch, ctx)
}

// meanNLLGiven evaluates -mean log p(data | ctx) in chunks of at most 4096
// rows; ctx nil is an unconditional model.
func meanNLLGiven(model dist.Distribution, data, ctx *tensor.Dense) (float64, error) {
	n, d := data.Shape()[0], data.Shape()[1]
	rows := dist.Float64s(data)
	var crows []float64
	cs := 0
	if ctx != nil {
		crows, cs = dist.Float64s(ctx), ctx.Shape()[1]
	}
	const chunk = 4096
	sum := 0.0
	for lo := 0; lo < n; lo += chunk {
		hi := min(lo+chunk, n)
		x := bijectors.NewTensor(model.DType(), rows[lo*d:hi*d], hi-lo, d)
		var lp *tensor.Dense
		var err error
		if ctx == nil {
			lp, err = dist.LogProb(model, x)
		} else {
			lp, err = dist.LogProbGiven(model, x, bijectors.NewTensor(model.DType(), crows[lo*cs:hi*cs], hi-lo, cs))
		}
		if err != nil {
			return 0, err
		}
		for _, v := range dist.Float64s(lp) {
			sum -= v
		}
	}
	return sum / float64(n), nil
}
