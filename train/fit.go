package train

import (
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"time"

	"github.com/nflowgo/nflow/bijectors"
	"github.com/nflowgo/nflow/dist"
	"github.com/nflowgo/nflow/engine"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Config sets up Fit. Zero values take the defaults noted.
type Config struct {
	Epochs       int     // passes over the training data; default 10
	BatchSize    int     // default 32 (Keras's)
	LearningRate float64 // Adam's lr; default 1e-3
	// FinalLearningRate, when set, decays the learning rate from
	// LearningRate to it along a cosine over the whole run:
	// lr(t) = final + (lr - final)·(1 + cos(π t/T))/2 for step t of T.
	// 0 keeps the rate constant (Keras's default).
	FinalLearningRate float64
	Beta1, Beta2      float64 // default 0.9, 0.999
	Epsilon           float64 // default 1e-7 (Keras's)
	Seed              uint64  // seeds the shuffling
	NoShuffle         bool    // keep the data order (default: reshuffle every epoch)

	// ValidationSplit holds out this fraction of the rows, taken from the
	// end of the data before shuffling as Keras does, to compute a
	// validation loss after every epoch. 0 disables validation.
	ValidationSplit float64
	// Patience stops training after this many epochs without an
	// improvement of the monitored loss (the validation loss, or the
	// training loss without validation). 0 disables early stopping.
	Patience int
	// RestoreBest restores the parameters of the epoch with the best
	// monitored loss when training ends.
	RestoreBest bool

	// Context holds the conditioning inputs [N, C] of a conditional model
	// (dist.ContextSizeOf(model) = C > 0), row n pairing with data row n:
	// Fit then minimises the mean of -log p(x_n | c_n). The validation
	// split and the shuffling take the same rows of both. It must be nil
	// for an unconditional model.
	Context *tensor.Dense

	// Executor runs the training step: engine.Compiled (the default) or
	// engine.Tape, Gorgonia's TapeMachine, for debugging.
	Executor engine.Executor

	// Device trains on a GPU when it is the cuda device (a binary built
	// with the gpu tag): the data set is uploaded once, parameters and
	// Adam's moments stay on the device, and each epoch's losses come back
	// at its end. nil or the cpu device trains on the CPU.
	Device engine.Device
	// NoGraphs launches every kernel of every GPU step instead of
	// replaying the step captured as a CUDA graph (for timing the two).
	NoGraphs bool

	// Progress receives one line per epoch: epoch, loss, validation loss,
	// steps/s and time left. nil is silent.
	Progress io.Writer
}

// History is what Fit returns: the loss per epoch and how training went.
type History struct {
	Loss           []float64 // mean training NLL per epoch (nats)
	ValLoss        []float64 // validation NLL per epoch (empty without validation)
	Steps          int       // optimizer steps taken
	BestEpoch      int       // 1-based epoch with the best monitored loss
	StoppedEarly   bool      // early stopping ended training
	Seconds        float64   // wall time of the training steps
	StepsPerSecond float64
}

// NonFiniteError reports a loss or gradient that was NaN or infinite. The
// model's parameters have been restored to the last ones that gave a
// finite loss.
type NonFiniteError struct {
	Epoch, Step int // 1-based epoch; 1-based step within the epoch
	Loss        float64
}

func (e *NonFiniteError) Error() string {
	return fmt.Sprintf("train: non-finite loss or gradient (loss %g) at epoch %d, step %d; parameters restored to the last finite step", e.Loss, e.Epoch, e.Step)
}

func (c *Config) defaults() error {
	if c.LearningRate == 0 {
		c.LearningRate = 1e-3
	}
	if c.Epochs == 0 {
		c.Epochs = 10
	}
	if c.BatchSize == 0 {
		c.BatchSize = 32
	}
	switch {
	case c.Epochs < 0:
		return fmt.Errorf("train: epochs = %d, expected >= 1", c.Epochs)
	case c.BatchSize < 0:
		return fmt.Errorf("train: batch size = %d, expected >= 1", c.BatchSize)
	case !(c.LearningRate >= 0) || math.IsInf(c.LearningRate, 0):
		return fmt.Errorf("train: learning rate = %g, expected a finite positive number", c.LearningRate)
	case !(c.FinalLearningRate >= 0) || math.IsInf(c.FinalLearningRate, 0):
		return fmt.Errorf("train: final learning rate = %g, expected a finite non-negative number", c.FinalLearningRate)
	case !(c.ValidationSplit >= 0 && c.ValidationSplit < 1):
		return fmt.Errorf("train: validation split = %g, expected a fraction in [0, 1)", c.ValidationSplit)
	case c.Patience < 0:
		return fmt.Errorf("train: patience = %d, expected >= 0", c.Patience)
	case c.Beta1 < 0 || c.Beta1 >= 1 || c.Beta2 < 0 || c.Beta2 >= 1:
		return fmt.Errorf("train: beta1 = %g, beta2 = %g, expected values in [0, 1)", c.Beta1, c.Beta2)
	}
	return nil
}

// checkData validates the data set: [N, D] matching the model, finite.
func checkData(model dist.Distribution, data *tensor.Dense) error {
	if data == nil {
		return fmt.Errorf("train: data is nil")
	}
	s := data.Shape()
	if len(s) != 2 || s[1] != model.EventSize() {
		return fmt.Errorf("train: data shape %v, expected [N, %d]", s, model.EventSize())
	}
	if s[0] < 1 {
		return fmt.Errorf("train: data is empty, expected at least one row")
	}
	if data.Dtype() != model.DType() {
		return fmt.Errorf("train: data dtype %v, the model is %v", data.Dtype(), model.DType())
	}
	for i, v := range dist.Float64s(data) {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("train: data row %d column %d is %g, expected a finite number", i/s[1], i%s[1], v)
		}
	}
	return nil
}

// Fit trains model on data [N, D] by minimising the mean negative
// log-likelihood with Adam, and returns the loss history. The model's
// parameters are updated in place. A non-finite loss stops training with a
// *NonFiniteError and the last good parameters restored. A conditional
// model trains on the pairs (data row n, cfg.Context row n).
func Fit(model dist.Distribution, data *tensor.Dense, cfg Config) (*History, error) {
	if model == nil {
		return nil, fmt.Errorf("train: model is nil")
	}
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	if err := checkData(model, data); err != nil {
		return nil, err
	}
	cs := dist.ContextSizeOf(model)
	if err := checkContext(model, cfg.Context, data.Shape()[0]); err != nil {
		return nil, err
	}
	params := model.Params()
	if len(params) == 0 {
		return nil, fmt.Errorf("train: %v has no trainable parameters", model)
	}
	n, d := data.Shape()[0], data.Shape()[1]
	nVal := int(math.Round(cfg.ValidationSplit * float64(n)))
	nTrain := n - nVal
	if nTrain < 1 {
		return nil, fmt.Errorf("train: validation split %g leaves no training rows of %d", cfg.ValidationSplit, n)
	}
	rows := dist.Float64s(data)
	var val, valCtx *tensor.Dense
	var ctxRows []float64
	if cs > 0 {
		ctxRows = dist.Float64s(cfg.Context)
	}
	if nVal > 0 {
		val = bijectors.NewTensor(model.DType(), rows[nTrain*d:], nVal, d)
		if cs > 0 {
			valCtx = bijectors.NewTensor(model.DType(), ctxRows[nTrain*cs:], nVal, cs)
		}
	}
	batch := min(cfg.BatchSize, nTrain)

	if di, ok := model.(interface{ InitFromData(*tensor.Dense) error }); ok {
		first := bijectors.NewTensor(model.DType(), rows[:min(cfg.BatchSize, nTrain)*d], min(cfg.BatchSize, nTrain), d)
		if err := di.InitFromData(first); err != nil {
			return nil, err
		}
	}
	tr, err := newTrainer(model, cfg)
	if err != nil {
		return nil, err
	}
	var dev *deviceRun
	if cfg.Device != nil && cfg.Device.Name() != "cpu" {
		if cs > 0 {
			return nil, fmt.Errorf("train: conditional models train on the cpu only (device %s)", cfg.Device.Name())
		}
		if cfg.FinalLearningRate > 0 {
			return nil, fmt.Errorf("train: a learning-rate schedule runs on the cpu only (device %s)", cfg.Device.Name())
		}
		if dev, err = newDeviceRun(cfg.Device, model, cfg, rows, nTrain, d, batch); err != nil {
			return nil, err
		}
		defer dev.tr.Close()
	}
	var best []*tensor.Dense
	bestLoss, sinceBest := math.Inf(1), 0

	rng := rand.New(rand.NewPCG(cfg.Seed, 0x73687566))
	order := make([]int, nTrain)
	for i := range order {
		order[i] = i
	}
	stepsPerEpoch := (nTrain + batch - 1) / batch
	h := &History{}
	start := time.Now()
	for epoch := 1; epoch <= cfg.Epochs; epoch++ {
		if !cfg.NoShuffle {
			rng.Shuffle(nTrain, func(i, j int) { order[i], order[j] = order[j], order[i] })
		}
		sum := 0.0
		if dev != nil {
			var steps int
			if sum, steps, err = dev.epoch(order, epoch); err != nil {
				return h, err
			}
			h.Steps += steps
			if val != nil || cfg.RestoreBest { // the host needs this epoch's parameters
				if err := dev.tr.Sync(); err != nil {
					return nil, err
				}
			}
		}
		for s := 0; dev == nil && s < stepsPerEpoch; s++ {
			lo, hi := s*batch, min((s+1)*batch, nTrain)
			st, err := tr.stepperFor(hi - lo)
			if err != nil {
				return nil, err
			}
			st.fill(rows, order[lo:hi], d)
			if cs > 0 {
				fillRows(st.cv, ctxRows, order[lo:hi], cs)
			}
			if cfg.FinalLearningRate > 0 {
				tr.opt.LR = cosineRate(cfg.LearningRate, cfg.FinalLearningRate, h.Steps, cfg.Epochs*stepsPerEpoch)
			}
			loss, err := tr.step(st)
			if err != nil {
				return nil, err
			}
			if math.IsNaN(loss) || math.IsInf(loss, 0) {
				return h, &NonFiniteError{Epoch: epoch, Step: s + 1, Loss: loss}
			}
			sum += loss * float64(hi-lo)
			h.Steps++
		}
		h.Loss = append(h.Loss, sum/float64(nTrain))
		monitored := h.Loss[len(h.Loss)-1]
		if val != nil {
			vl, err := meanNLLGiven(model, val, valCtx)
			if err != nil {
				return nil, err
			}
			h.ValLoss = append(h.ValLoss, vl)
			monitored = vl
		}
		h.Seconds = time.Since(start).Seconds()
		h.StepsPerSecond = float64(h.Steps) / h.Seconds
		if cfg.Progress != nil {
			progressLine(cfg.Progress, h, epoch, cfg.Epochs)
		}
		if monitored < bestLoss {
			bestLoss, sinceBest, h.BestEpoch = monitored, 0, epoch
			if cfg.RestoreBest {
				best = snapshot(tr.values)
			}
		} else if sinceBest++; cfg.Patience > 0 && sinceBest >= cfg.Patience {
			h.StoppedEarly = true
			break
		}
	}
	if dev != nil && !cfg.RestoreBest {
		if err := dev.tr.Sync(); err != nil {
			return nil, err
		}
	}
	if cfg.RestoreBest && best != nil {
		copyInto(tr.values, best)
	}
	return h, nil
}

// cosineRate is the learning rate at step t of T decaying from lr to final.
func cosineRate(lr, final float64, t, total int) float64 {
	return final + (lr-final)*(1+math.Cos(math.Pi*float64(t)/float64(total)))/2
}

func progressLine(w io.Writer, h *History, epoch, epochs int) {
	left := time.Duration(float64(epochs-epoch) * h.Seconds / float64(epoch) * float64(time.Second)).Round(time.Second)
	line := fmt.Sprintf("epoch %*d/%d  loss %.4f", len(fmt.Sprint(epochs)), epoch, epochs, h.Loss[epoch-1])
	if len(h.ValLoss) > 0 {
		line += fmt.Sprintf("  val_loss %.4f", h.ValLoss[epoch-1])
	}
	fmt.Fprintf(w, "%s  %.0f steps/s  %v left\n", line, h.StepsPerSecond, left)
}

// MeanNLL returns the mean negative log-likelihood of data under model.
// A conditional model is an error: use MeanNLLGiven.
func MeanNLL(model dist.Distribution, data *tensor.Dense) (float64, error) {
	if err := checkData(model, data); err != nil {
		return 0, err
	}
	if c := dist.ContextSizeOf(model); c > 0 {
		return 0, fmt.Errorf("train: %v is conditional on a context of size %d; use MeanNLLGiven", model, c)
	}
	return meanNLLGiven(model, data, nil)
}

// stepper computes the loss and its gradients for one batch size and
// applies the optimizer.
type stepper struct {
	xv   *tensor.Dense // the batch, written by fill
	cv   *tensor.Dense // its context [B, C] (conditional models), else nil
	prog *engine.Program
	sh   *shards // a step split across CPUs (prog is nil), else nil
	g32  [][]float32
	g64  [][]float64
	tape *tapeStep
}

// tapeStep is the TapeMachine path, kept for debugging.
type tapeStep struct {
	x, c  *gorgonia.Node // c: nil without a context
	cost  *gorgonia.Node
	grads gorgonia.Nodes
	m     gorgonia.VM
}

func newStepper(model dist.Distribution, rows, d int, exec engine.Executor) (*stepper, error) {
	switch exec {
	case engine.Tape, engine.Compiled, "":
	default:
		return nil, fmt.Errorf("train: executor %q, expected compiled or tape", exec)
	}
	if exec != engine.Tape {
		if st, err := newShardedStepper(model, rows, d); st != nil || err != nil {
			return st, err
		}
	}
	lg, err := newLossGraph(model, rows, d)
	if err != nil {
		return nil, err
	}
	cs := dist.ContextSizeOf(model)
	if exec == engine.Tape {
		g := lg.g
		st := &stepper{xv: bijectors.NewTensor(model.DType(), make([]float64, rows*d), rows, d),
			tape: &tapeStep{x: lg.ins[0], c: g.Context, cost: lg.cost, grads: lg.grads, m: gorgonia.NewTapeMachine(g.G)}}
		if cs > 0 {
			st.cv = bijectors.NewTensor(model.DType(), make([]float64, rows*cs), rows, cs)
		}
		return st, nil
	}
	prog, err := lg.compile()
	if err != nil {
		return nil, err
	}
	st := &stepper{xv: prog.Input(0), prog: prog}
	if cs > 0 {
		st.cv = prog.Input(1)
	}
	st.g32, st.g64 = gradBuffers(prog, len(lg.grads))
	return st, nil
}

// fill copies the rows idx of data into the batch input.
func (s *stepper) fill(data []float64, idx []int, d int) { fillRows(s.xv, data, idx, d) }

// fillRows copies the rows idx of data (d columns) into dst, in order.
func fillRows(dst *tensor.Dense, data []float64, idx []int, d int) {
	if b, ok := dst.Data().([]float32); ok {
		for r, i := range idx {
			for j := 0; j < d; j++ {
				b[r*d+j] = float32(data[i*d+j])
			}
		}
		return
	}
	b := dst.Float64s()
	for r, i := range idx {
		copy(b[r*d:(r+1)*d], data[i*d:(i+1)*d])
	}
}

// step computes the loss and gradients of the current batch and, when
// both are finite, saves the parameters into lastGood and updates them.
// A non-finite gradient is reported as a NaN loss. The compiled path does
// not allocate.
func (s *stepper) step(opt *engine.Adam, lastGood, values []*tensor.Dense) (float64, error) {
	if s.tape != nil {
		return s.tape.step(s.xv, s.cv, opt, lastGood, values)
	}
	loss := s.run()
	if !s.gradsFinite() {
		return math.NaN(), nil
	}
	if !math.IsNaN(loss) && !math.IsInf(loss, 0) {
		s.save(lastGood, values)
		switch {
		case s.sh != nil && s.g32 != nil:
			opt.SplitStep32(s.g32)
		case s.sh != nil:
			opt.SplitStep64(s.g64)
		case s.g32 != nil:
			opt.Step32(s.g32)
		default:
			opt.Step64(s.g64)
		}
	}
	return loss, nil
}

func (t *tapeStep) step(xv, cv *tensor.Dense, opt *engine.Adam, lastGood, values []*tensor.Dense) (float64, error) {
	defer t.m.Reset()
	if err := gorgonia.Let(t.x, xv); err != nil {
		return 0, err
	}
	if t.c != nil {
		if err := gorgonia.Let(t.c, cv); err != nil {
			return 0, err
		}
	}
	if err := t.m.RunAll(); err != nil {
		return 0, err
	}
	var loss float64
	switch v := t.cost.Value().(type) {
	case *gorgonia.F32:
		loss = float64(*v)
	case *gorgonia.F64:
		loss = float64(*v)
	}
	var g32 [][]float32
	var g64 [][]float64
	for _, g := range t.grads {
		switch v := g.Value().Data().(type) {
		case []float32:
			g32 = append(g32, v)
		case []float64:
			g64 = append(g64, v)
		}
	}
	if !engine.AllFinite32(g32) || !engine.AllFinite64(g64) {
		return math.NaN(), nil
	}
	if math.IsNaN(loss) || math.IsInf(loss, 0) {
		return loss, nil
	}
	copyInto(lastGood, values)
	if g32 != nil {
		opt.Step32(g32)
	} else {
		opt.Step64(g64)
	}
	return loss, nil
}

func snapshot(ts []*tensor.Dense) []*tensor.Dense {
	out := make([]*tensor.Dense, len(ts))
	for i, t := range ts {
		out[i] = t.Clone().(*tensor.Dense)
	}
	return out
}

// copyInto copies src's values into dst, tensor by tensor, without allocating.
func copyInto(dst, src []*tensor.Dense) {
	for i := range dst {
		if dst[i].Dtype() == tensor.Float32 {
			copy(dst[i].Float32s(), src[i].Float32s())
		} else {
			copy(dst[i].Float64s(), src[i].Float64s())
		}
	}
}
