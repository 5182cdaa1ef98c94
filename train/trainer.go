package train

import (
	"fmt"
	"math"

	"github.com/nflowgo/nflow/dist"
	"github.com/nflowgo/nflow/engine"
	"gorgonia.org/tensor"
)

// Trainer takes Adam steps on minibatches: the machinery of Fit, exposed
// for custom training loops and benchmarks. It compiles one program per
// batch size on first use. With the compiled executor a step performs no
// heap allocation.
type Trainer struct {
	model    dist.Distribution
	exec     engine.Executor
	d        int
	cs       int // context size C of a conditional model, else 0
	steppers map[int]*stepper
	values   []*tensor.Dense
	lastGood []*tensor.Dense
	opt      *engine.Adam
	clip     float64 // Config.ClipNorm
}

// NewTrainer returns a trainer for model with cfg's optimizer settings and
// executor (the epoch, batch and validation fields are Fit's and ignored here).
func NewTrainer(model dist.Distribution, cfg Config) (*Trainer, error) {
	if model == nil {
		return nil, fmt.Errorf("train: model is nil")
	}
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	return newTrainer(model, cfg)
}

func newTrainer(model dist.Distribution, cfg Config) (*Trainer, error) {
	params := model.Params()
	if len(params) == 0 {
		return nil, fmt.Errorf("train: the model has no trainable parameters (%s)", dist.Brief(model))
	}
	t := &Trainer{model: model, exec: cfg.Executor, d: model.EventSize(), cs: dist.ContextSizeOf(model), steppers: map[int]*stepper{}, clip: cfg.ClipNorm}
	for _, p := range params {
		t.values = append(t.values, p.Value)
	}
	var err error
	if t.opt, err = engine.NewAdam(t.values, cfg.LearningRate, cfg.Beta1, cfg.Beta2, cfg.Epsilon); err != nil {
		return nil, err
	}
	t.lastGood = engine.CloneTensors(t.values)
	return t, nil
}

func (t *Trainer) stepperFor(rows int) (*stepper, error) {
	if st, ok := t.steppers[rows]; ok {
		return st, nil
	}
	st, err := newStepper(t.model, rows, t.d, t.exec)
	if err != nil {
		return nil, err
	}
	if t.opt.Steps() == 0 { // building the step may have masked kernels in place (bijectors.Graph.MaskedInPlace)
		engine.CopyTensors(t.lastGood, t.values)
	}
	t.steppers[rows] = st
	return st, nil
}

// step runs st on its filled batch. On a non-finite loss or gradient it
// restores the last good parameters and returns the loss (NaN for a bad
// gradient).
func (t *Trainer) step(st *stepper) (float64, error) {
	loss, err := st.step(t.opt, t.lastGood, t.values, t.clip)
	if err != nil {
		return 0, err
	}
	if math.IsNaN(loss) || math.IsInf(loss, 0) {
		engine.CopyTensors(t.values, t.lastGood)
	}
	return loss, nil
}

// Step takes one optimizer step on batch [B, D] and returns its mean NLL
// before the update. A non-finite loss or gradient returns a
// *NonFiniteError (Epoch 0, Step = the trainer's step count + 1) with the
// parameters restored to the last finite step. A conditional model is an
// error: use StepGiven.
func (t *Trainer) Step(batch *tensor.Dense) (float64, error) {
	if t.cs > 0 {
		return 0, fmt.Errorf("train: the model is conditional on a context of size %d; use StepGiven (%s)", t.cs, dist.Brief(t.model))
	}
	return t.stepOn(batch, nil)
}

// stepOn checks batch, copies it (and ctx, already checked) into the
// stepper of its size and steps.
func (t *Trainer) stepOn(batch, ctx *tensor.Dense) (float64, error) {
	if batch == nil || len(batch.Shape()) != 2 || batch.Shape()[1] != t.d || batch.Shape()[0] < 1 {
		return 0, fmt.Errorf("train: batch shape %v, expected [B, %d]", shapeOf(batch), t.d)
	}
	if batch.Dtype() != t.model.DType() {
		return 0, fmt.Errorf("train: batch dtype %v, the model is %v", batch.Dtype(), t.model.DType())
	}
	st, err := t.stepperFor(batch.Shape()[0])
	if err != nil {
		return 0, err
	}
	copyValues(st.xv, batch)
	if ctx != nil {
		copyValues(st.cv, ctx)
	}
	loss, err := t.step(st)
	if err == nil && (math.IsNaN(loss) || math.IsInf(loss, 0)) {
		err = &NonFiniteError{Step: t.opt.Steps() + 1, Loss: loss}
	}
	return loss, err
}

// Steps is the number of updates applied.
func (t *Trainer) Steps() int { return t.opt.Steps() }

func shapeOf(t *tensor.Dense) tensor.Shape {
	if t == nil {
		return nil
	}
	return t.Shape()
}

// copyValues copies src into dst, both of one dtype and size, without allocating.
func copyValues(dst, src *tensor.Dense) {
	if src.Dtype() == tensor.Float32 {
		copy(dst.Float32s(), src.Float32s())
	} else {
		copy(dst.Float64s(), src.Float64s())
	}
}
