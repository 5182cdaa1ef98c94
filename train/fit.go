package train

import (
	"errors"
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
// *NonFiniteError, and an epoch whose loss diverges with a *DivergedError;
// both restore the best epoch's parameters when there was one, and return
// the History so far. Closing cfg.Stop ends training early with
// ErrStopped. A conditional model trains on the pairs (data row n,
// cfg.Context row n). Before anything is allocated, Fit checks that the
// training state (parameters, Adam's moments, gradients and the
// activations of a batch) fits in the available memory.
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
		return nil, fmt.Errorf("train: the model has no trainable parameters (%s)", dist.Brief(model))
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
	if cfg.Device == nil || cfg.Device.Name() == "cpu" {
		if err := checkMemory(model, batch); err != nil {
			return nil, err
		}
	}

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
	h := &History{}
	var dev *deviceRun
	if cfg.Device != nil && cfg.Device.Name() != "cpu" {
		if cs > 0 {
			return nil, fmt.Errorf("train: conditional models train on the cpu only (device %s)", cfg.Device.Name())
		}
		if cfg.FinalLearningRate > 0 {
			return nil, fmt.Errorf("train: a learning-rate schedule runs on the cpu only (device %s)", cfg.Device.Name())
		}
		if cfg.ClipNorm > 0 {
			return nil, fmt.Errorf("train: gradient clipping runs on the cpu only (device %s)", cfg.Device.Name())
		}
		if dev, err = newDeviceRun(cfg.Device, model, cfg, rows, nTrain, d, batch); err != nil {
			return nil, err
		}
		defer dev.tr.Close()
	}
	// best holds the parameters of the epoch with the best monitored loss
	// (h.BestEpoch > 0); first is the first step's loss, the reference
	// for divergence before an epoch is kept.
	best := engine.CloneTensors(tr.values)
	bestLoss, sinceBest, first := math.Inf(1), 0, math.Inf(1)
	lowestTrain := math.Inf(1) // the lowest training loss of an epoch, or the first step's
	restoreBest := func() int {
		if h.BestEpoch > 0 {
			engine.CopyTensors(tr.values, best)
		}
		return h.BestEpoch
	}
	// finish ends training with the host holding the final parameters.
	finish := func(err error) (*History, error) {
		if cfg.RestoreBest && h.BestEpoch > 0 {
			restoreBest()
		} else if dev != nil {
			if serr := dev.tr.Sync(); serr != nil {
				return nil, serr
			}
		}
		return h, err
	}

	rng := rand.New(rand.NewPCG(cfg.Seed, 0x73687566))
	order := make([]int, nTrain)
	for i := range order {
		order[i] = i
	}
	stepsPerEpoch := (nTrain + batch - 1) / batch
	start := time.Now()
	for epoch := 1; epoch <= cfg.Epochs; epoch++ {
		if !cfg.NoShuffle {
			rng.Shuffle(nTrain, func(i, j int) { order[i], order[j] = order[j], order[i] })
		}
		sum, synced, stop := 0.0, false, false
		if dev != nil {
			var steps int
			if sum, steps, err = dev.epoch(order, epoch); err != nil {
				var nf *NonFiniteError
				if errors.As(err, &nf) {
					nf.BestEpoch = restoreBest()
				}
				return h, err
			}
			h.Steps += steps
			if val != nil { // the host needs this epoch's parameters
				if err := dev.tr.Sync(); err != nil {
					return nil, err
				}
				synced = true
			}
			stop = stopRequested(cfg.Stop)
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
				return h, &NonFiniteError{Epoch: epoch, Step: s + 1, Loss: loss, BestEpoch: restoreBest()}
			}
			if h.Steps == 0 {
				first, lowestTrain = loss, loss
			}
			sum += loss * float64(hi-lo)
			h.Steps++
			if stop = stopRequested(cfg.Stop); stop && s+1 < stepsPerEpoch {
				return finish(ErrStopped) // mid-epoch: the epoch is not recorded
			}
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
		// The monitored loss against the best epoch's (the first step's
		// before one), and the training loss against the lowest so far.
		ref := bestLoss
		if h.BestEpoch == 0 {
			ref = first
		}
		trainLoss := h.Loss[len(h.Loss)-1]
		switch {
		case diverged(monitored, ref, cfg.DivergenceFactor):
			return h, &DivergedError{Epoch: epoch, Loss: monitored, Ref: ref, BestEpoch: restoreBest()}
		case val != nil && diverged(trainLoss, lowestTrain, cfg.DivergenceFactor):
			return h, &DivergedError{Epoch: epoch, Loss: trainLoss, Ref: lowestTrain, BestEpoch: restoreBest()}
		}
		lowestTrain = math.Min(lowestTrain, trainLoss)
		if monitored < bestLoss {
			if dev != nil && !synced {
				if err := dev.tr.Sync(); err != nil {
					return nil, err
				}
			}
			engine.CopyTensors(best, tr.values)
			bestLoss, sinceBest, h.BestEpoch = monitored, 0, epoch
		} else if sinceBest++; cfg.Patience > 0 && sinceBest >= cfg.Patience {
			h.StoppedEarly = true
			break
		}
		if stop {
			return finish(ErrStopped)
		}
	}
	return finish(nil)
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
		return 0, fmt.Errorf("train: the model is conditional on a context of size %d; use MeanNLLGiven (%s)", c, dist.Brief(model))
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
func (s *stepper) step(opt *engine.Adam, lastGood, values []*tensor.Dense, clip float64) (float64, error) {
	if s.tape != nil {
		return s.tape.step(s.xv, s.cv, opt, lastGood, values, clip)
	}
	loss := s.run()
	if !s.gradsFinite() {
		return math.NaN(), nil
	}
	if !math.IsNaN(loss) && !math.IsInf(loss, 0) {
		s.save(lastGood, values)
		clipGrads(s.g32, s.g64, clip)
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

func (t *tapeStep) step(xv, cv *tensor.Dense, opt *engine.Adam, lastGood, values []*tensor.Dense, clip float64) (float64, error) {
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
	engine.CopyTensors(lastGood, values)
	clipGrads(g32, g64, clip)
	if g32 != nil {
		opt.Step32(g32)
	} else {
		opt.Step64(g64)
	}
	return loss, nil
}
