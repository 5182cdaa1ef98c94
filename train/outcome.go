package train

import (
	"errors"
	"fmt"
	"math"
)

// DefaultDivergenceFactor is Config.DivergenceFactor's default: an epoch
// whose monitored loss exceeds ref + 100·max(1, |ref|) has diverged.
const DefaultDivergenceFactor = 100

// ErrStopped is returned by Fit when Config.Stop was closed: training
// ended at the end of the step in progress (of the epoch on a GPU), with
// the History of the epochs completed and, under RestoreBest, the best
// epoch's parameters restored (History.BestEpoch; 0 if no epoch completed).
var ErrStopped = errors.New("train: stopped by Config.Stop")

// DivergedError reports an epoch whose monitored loss (the validation
// loss, or the training loss without validation) was not finite or grew
// far beyond the best so far: training stopped there. The model holds the
// parameters of the best epoch when there was one (BestEpoch > 0); without
// one it holds the diverged parameters and should not be used.
type DivergedError struct {
	Epoch     int     // 1-based epoch whose loss diverged
	Loss      float64 // its monitored loss
	Ref       float64 // the loss it is compared with: the best epoch's, or the first step's before any epoch
	BestEpoch int     // the epoch whose parameters were restored, 0 for none
}

func (e *DivergedError) Error() string {
	s := fmt.Sprintf("train: training diverged at epoch %d: loss %.4g against %.4g", e.Epoch, e.Loss, e.Ref)
	if e.BestEpoch > 0 {
		return s + fmt.Sprintf(" at the best epoch %d, whose parameters were restored", e.BestEpoch)
	}
	return s + " at the first step, and no epoch was good; the parameters are not usable"
}

// diverged reports whether an epoch's loss is non-finite or far beyond
// ref; factor < 0 checks finiteness only.
func diverged(loss, ref, factor float64) bool {
	if math.IsNaN(loss) || math.IsInf(loss, 0) {
		return true
	}
	return factor >= 0 && !math.IsInf(ref, 0) && loss > ref+factor*math.Max(1, math.Abs(ref))
}

// stopRequested reports, without blocking, whether stop is closed.
func stopRequested(stop <-chan struct{}) bool {
	if stop == nil {
		return false
	}
	select {
	case <-stop:
		return true
	default:
		return false
	}
}
