package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/nflowgo/nflow/dist"
	"github.com/nflowgo/nflow/train"
	"gorgonia.org/tensor"
)

// fitLab trains model as train.Fit does. A training that diverges after a
// good epoch goes on with that epoch's parameters, which Fit restored, and
// says so on log; one that diverges before any good epoch is an error.
func fitLab(model dist.Distribution, x *tensor.Dense, cfg train.Config, log io.Writer) (*train.History, int, error) {
	h, err := train.Fit(model, x, cfg)
	var de *train.DivergedError
	var nf *train.NonFiniteError
	if !errors.As(err, &de) && !errors.As(err, &nf) {
		return h, 0, err
	}
	if h.BestEpoch == 0 {
		return nil, 0, fmt.Errorf("%w; no epoch was good, try a smaller -lr or -lr-final", err)
	}
	at := len(h.Loss)
	if nf != nil {
		at = nf.Epoch
	}
	fmt.Fprintf(log, "%v: the lab goes on with the best epoch, %d\n", err, h.BestEpoch)
	return h, at, nil
}
