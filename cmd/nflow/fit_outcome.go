package main

import (
	"errors"
	"fmt"
	"io"
	"math"

	"github.com/nflowgo/nflow/flows"
	"github.com/nflowgo/nflow/plot"
	"github.com/nflowgo/nflow/train"
)

// exitStatus is an error that ends nflow with its own status (a signal's),
// its message already printed.
type exitStatus struct{ code int }

func (e *exitStatus) Error() string { return fmt.Sprintf("exit status %d", e.code) }

func runFit(o *fitOptions, stdout, log io.Writer) error {
	// Find a bad output before training rather than after.
	if _, err := checkOutputs([]fileFlag{{flag: "-data", path: o.data}, {flag: "-context", path: o.context}},
		[]fileFlag{{flag: "-out", path: o.out}, {flag: "-loss", path: o.loss}}); err != nil {
		return err
	}
	in := catchInterrupts(log)
	defer in.release()
	f, err := fit(o, log, in.stop)
	if err != nil {
		return err
	}
	h := f.history
	var de *train.DivergedError
	var nf *train.NonFiniteError
	switch {
	case errors.Is(f.ended, train.ErrStopped):
		sig := in.received()
		if h.BestEpoch == 0 {
			fmt.Fprintf(log, "nflow fit: %s during epoch 1, before any epoch ended: nothing saved, %s left as it was\n", signalName(sig), o.out)
			return &exitStatus{signalStatus(sig)}
		}
		if err := save(o, f, log); err != nil {
			return err
		}
		fmt.Fprintf(log, "nflow fit: %s after %d epochs: saved the best epoch so far, %d (%s), to %s\n",
			signalName(sig), len(h.Loss), h.BestEpoch, monitoredLoss(f), o.out)
		summary(stdout, f, "interrupted by "+signalName(sig))
		return &exitStatus{signalStatus(sig)}
	case errors.As(f.ended, &de) || errors.As(f.ended, &nf):
		what := divergence(f.ended)
		if h.BestEpoch == 0 {
			return fmt.Errorf("%s, before any epoch was good: nothing saved, %s left as it was; try a smaller -lr (now %g)", what, o.out, o.cfg.LearningRate)
		}
		if err := save(o, f, log); err != nil {
			return err
		}
		fmt.Fprintf(log, "nflow fit: %s: saved the best epoch, %d (%s), to %s; a smaller -lr (now %g) may train further\n",
			what, h.BestEpoch, monitoredLoss(f), o.out, o.cfg.LearningRate)
		summary(stdout, f, "diverged")
		return nil
	}
	if err := save(o, f, log); err != nil {
		return err
	}
	if sig := in.received(); sig != nil { // after the last step: the whole fit was saved
		fmt.Fprintf(log, "nflow fit: %s after training ended: saved the whole fit to %s\n", signalName(sig), o.out)
		summary(stdout, f, "interrupted by "+signalName(sig)+" after the last epoch")
		return &exitStatus{signalStatus(sig)}
	}
	stop := "ran all epochs"
	if h.StoppedEarly {
		stop = "stopped early"
	}
	summary(stdout, f, stop)
	return nil
}

// divergence says how training diverged, without the library's prefix.
func divergence(err error) string {
	var de *train.DivergedError
	if errors.As(err, &de) {
		return fmt.Sprintf("training diverged at epoch %d: loss %.4g against %.4g", de.Epoch, de.Loss, de.Ref)
	}
	var nf *train.NonFiniteError
	errors.As(err, &nf)
	return fmt.Sprintf("training diverged: the loss became %v at epoch %d, step %d", nf.Loss, nf.Epoch, nf.Step)
}

// monitoredLoss describes the best epoch's loss: the validation NLL, or
// the training NLL without validation.
func monitoredLoss(f *fitted) string {
	if f.nVal > 0 {
		return fmt.Sprintf("validation NLL %.4f", f.valNLL)
	}
	return fmt.Sprintf("train NLL %.4f", f.trainNLL)
}

// save writes the model and, when asked for and there are epochs, the loss
// curve.
func save(o *fitOptions, f *fitted, log io.Writer) error {
	if err := flows.SaveFile(o.out, f.spec, f.model); err != nil {
		return err
	}
	fmt.Fprintf(log, "wrote %s\n", o.out)
	train, val := finiteEpochs(f.history)
	if o.loss != "" && len(train) > 0 {
		title := fmt.Sprintf("%s on %s", f.spec.Kind, o.data)
		if err := plot.Loss(o.loss, title, train, val); err != nil {
			return err
		}
		fmt.Fprintf(log, "wrote %s\n", o.loss)
	}
	return nil
}

// finiteEpochs returns the training and validation losses of the epochs
// before the first with a non-finite loss (a diverged last epoch), which a
// loss curve cannot draw.
func finiteEpochs(h *train.History) (train, val []float64) {
	n := len(h.Loss)
	for i := 0; i < n; i++ {
		if math.IsInf(h.Loss[i], 0) || math.IsNaN(h.Loss[i]) ||
			i < len(h.ValLoss) && (math.IsInf(h.ValLoss[i], 0) || math.IsNaN(h.ValLoss[i])) {
			n = i
			break
		}
	}
	return h.Loss[:n], h.ValLoss[:min(n, len(h.ValLoss))]
}

// summary prints the final lines of a fit to stdout.
func summary(stdout io.Writer, f *fitted, how string) {
	h := f.history
	fmt.Fprintf(stdout, "epochs %d (%s), best epoch %d\n", len(h.Loss), how, h.BestEpoch)
	fmt.Fprintf(stdout, "train NLL %.6f (%d points)\n", f.trainNLL, f.nTrain)
	if f.nVal > 0 {
		fmt.Fprintf(stdout, "validation NLL %.6f (%d points)\n", f.valNLL, f.nVal)
	}
}
