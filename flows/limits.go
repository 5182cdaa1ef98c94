package flows

import (
	"fmt"

	"github.com/nflowgo/nflow/internal/sysmem"
)

// Limits every Spec obeys (Normalize checks them, so Build, Save and Load
// all do): they keep a mistyped flag or a corrupt or hostile file from
// making Build allocate without bound, and a model that saves always loads.
const (
	MaxEventSize   = 1 << 14 // D and the context size C
	MaxLayers      = 1 << 12
	MaxHiddenDepth = 64      // hidden layers of a conditioner
	MaxHiddenUnits = 1 << 16 // units of one hidden layer
	MaxBins        = 1 << 12 // spline bins
)

// buildCopies is how many copies of its parameters building a model holds
// at once: the values, the masks of masked layers, initialisation scratch.
const buildCopies = 3

// checkLimits returns an error naming the first size of s beyond the limits.
func checkLimits(s Spec) error {
	switch {
	case s.EventSize > MaxEventSize:
		return fmt.Errorf("flows: event size %d, the limit is %d", s.EventSize, MaxEventSize)
	case s.ContextSize > MaxEventSize:
		return fmt.Errorf("flows: context size %d, the limit is %d", s.ContextSize, MaxEventSize)
	case s.Layers > MaxLayers:
		return fmt.Errorf("flows: %d layers, the limit is %d", s.Layers, MaxLayers)
	case len(s.Hidden) > MaxHiddenDepth:
		return fmt.Errorf("flows: %d hidden layers, the limit is %d", len(s.Hidden), MaxHiddenDepth)
	case s.Bins < 0 || s.Bins > MaxBins:
		return fmt.Errorf("flows: %d bins, expected 0 to %d", s.Bins, MaxBins)
	}
	for i, h := range s.Hidden {
		if h > MaxHiddenUnits {
			return fmt.Errorf("flows: hidden layer %d has %d units, the limit is %d", i, h, MaxHiddenUnits)
		}
	}
	return nil
}

// withoutSquare are the kinds whose layers hold no D×D matrix.
var withoutSquare = map[string]bool{"maf": true, "iaf": true, "realnvp": true, "nsf": true, "nsf-coupling": true}

// paramEstimate is an upper estimate of the parameter values of the model
// of s: each layer has a dense network from the event and context through
// the hidden layers to up to 3·Bins+3 outputs per dimension (Bins 0 counting
// as DefaultSplineBins, whatever the kind), a few
// per-dimension vectors and, but for the kinds in withoutSquare, a D×D
// matrix (Glow's 1×1 convolution; a kind registered elsewhere is assumed
// to have one too).
func paramEstimate(s Spec) float64 {
	bins, _ := splineDefaults(s) // Bins, or the spline kinds' default when 0
	sizes := append(append([]int{s.EventSize + s.ContextSize}, s.Hidden...), s.EventSize*(3*bins+3))
	perLayer := 4 * float64(s.EventSize)
	if !withoutSquare[s.Kind] {
		perLayer += float64(s.EventSize) * float64(s.EventSize)
	}
	for i := 1; i < len(sizes); i++ {
		perLayer += float64(sizes[i-1]+1) * float64(sizes[i])
	}
	return float64(s.Layers) * perLayer
}

// checkMemory refuses, before Build allocates, a normalized spec whose
// parameters would not fit in the memory available to the process.
func checkMemory(s Spec) error {
	avail, ok := sysmem.Available()
	if !ok {
		return nil
	}
	est := paramEstimate(s)
	need := est * float64(elemSize(s.Dtype())) * buildCopies
	if need > float64(avail) {
		return fmt.Errorf("flows: a %s model of %d layers with %s on %d dimensions has about %.3g parameters, needing about %s to build; %s of memory is available",
			s.Kind, s.Layers, hiddenBrief(s.Hidden), s.EventSize, est, sysmem.Format(need), sysmem.Format(float64(avail)))
	}
	return nil
}

// hiddenBrief describes hidden layer sizes in a few words.
func hiddenBrief(h []int) string {
	if len(h) <= 4 {
		return fmt.Sprintf("hidden %v", h)
	}
	most := 0
	for _, u := range h {
		most = max(most, u)
	}
	return fmt.Sprintf("%d hidden layers of up to %d units", len(h), most)
}
