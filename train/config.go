package train

import (
	"fmt"
	"io"
	"math"

	"github.com/nflowgo/nflow/engine"
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
	// ClipNorm, when > 0, rescales each step's gradient to a global L2
	// norm (over all parameters) of at most ClipNorm before Adam's update,
	// as torch.nn.utils.clip_grad_norm_. 0 leaves gradients alone.
	ClipNorm  float64
	Seed      uint64 // seeds the shuffling
	NoShuffle bool   // keep the data order (default: reshuffle every epoch)

	// ValidationSplit holds out this fraction of the rows, taken from the
	// end of the data before shuffling as Keras does, to compute a
	// validation loss after every epoch. 0 disables validation.
	ValidationSplit float64
	// Patience stops training after this many epochs without an
	// improvement of the monitored loss (the validation loss, or the
	// training loss without validation). 0 disables early stopping.
	Patience int
	// RestoreBest restores the parameters of the epoch with the best
	// monitored loss when training ends (also when it is stopped).
	// Whatever its value, a training that diverges (DivergedError) or
	// meets a non-finite loss (NonFiniteError) restores the best epoch's
	// parameters when there was one.
	RestoreBest bool
	// DivergenceFactor stops training with a *DivergedError after an epoch
	// whose monitored loss is not finite or exceeds
	// ref + DivergenceFactor·max(1, |ref|), ref being the best monitored
	// loss so far or, before the first epoch ends, the first step's loss
	// (on a GPU, the first epoch is compared with nothing); with
	// validation, the epoch's training loss is held to the same bound
	// against the lowest training loss so far. 0 takes
	// DefaultDivergenceFactor; a negative value checks finiteness only.
	DivergenceFactor float64
	// Stop, when closed, ends training at the end of the step in progress
	// (of the epoch in progress on a GPU): Fit returns ErrStopped. nil
	// never stops.
	Stop <-chan struct{}

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
// model's parameters have been restored to those of the best epoch so far
// (Fit, BestEpoch > 0) or else to the last ones that gave a finite loss.
type NonFiniteError struct {
	Epoch, Step int // 1-based epoch; 1-based step within the epoch
	Loss        float64
	BestEpoch   int // the epoch whose parameters Fit restored, 0 for the last finite step's
}

func (e *NonFiniteError) Error() string {
	restored := "the last finite step"
	if e.BestEpoch > 0 {
		restored = fmt.Sprintf("the best epoch, %d", e.BestEpoch)
	}
	return fmt.Sprintf("train: non-finite loss or gradient (loss %g) at epoch %d, step %d; parameters restored to %s", e.Loss, e.Epoch, e.Step, restored)
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
	if c.DivergenceFactor == 0 {
		c.DivergenceFactor = DefaultDivergenceFactor
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
	case !(c.ClipNorm >= 0) || math.IsInf(c.ClipNorm, 0):
		return fmt.Errorf("train: clip norm = %g, expected 0 (none) or a finite positive number", c.ClipNorm)
	case !(c.ValidationSplit >= 0 && c.ValidationSplit < 1):
		return fmt.Errorf("train: validation split = %g, expected a fraction in [0, 1)", c.ValidationSplit)
	case c.Patience < 0:
		return fmt.Errorf("train: patience = %d, expected >= 0", c.Patience)
	case c.Beta1 < 0 || c.Beta1 >= 1 || c.Beta2 < 0 || c.Beta2 >= 1:
		return fmt.Errorf("train: beta1 = %g, beta2 = %g, expected values in [0, 1)", c.Beta1, c.Beta2)
	}
	return nil
}
