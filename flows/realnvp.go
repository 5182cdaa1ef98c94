package flows

import (
	"fmt"

	"github.com/nflowgo/nflow/bijectors"
	"github.com/nflowgo/nflow/ops"
)

// DefaultMaskedFraction is the fraction of units a coupling layer passes
// through when Spec.MaskedFrac is 0: half, rounded (TFP's fraction_masked).
const DefaultMaskedFraction = 0.5

func init() {
	Register("realnvp", buildRealNVP)
	Register("nsf-coupling", buildSplineCoupling)
}

// buildRealNVP is Spec.Layers affine coupling layers (bijectors.RealNVP,
// Spec.Scale) with a reversing Permute between consecutive ones, so that
// the units passed through alternate: Chain([c_{L-1}, Permute, ...,
// Permute, c_0]). Each conditioner is a CouplingNetwork with Spec.Hidden,
// Spec.Activation, Spec.Init (hidden layers; the output layer starts at
// zero), Spec.ContextSize and seed Spec.Seed + i.
func buildRealNVP(s Spec) (bijectors.Bijector, error) {
	return couplingStack(s, 2, func(masked int, net *bijectors.CouplingNetwork) (bijectors.Bijector, error) {
		return bijectors.NewRealNVP(masked, net, s.ScaleFn())
	})
}

// buildSplineCoupling is buildRealNVP with bijectors.NeuralSplineCoupling
// layers of Spec.Bins bins (default 8) on [-Spec.Bound, Spec.Bound]
// (default 3): RQ-NSF (C).
func buildSplineCoupling(s Spec) (bijectors.Bijector, error) {
	bins, bound := splineDefaults(s)
	if _, err := ops.NewRQSpline(bins, bound, false); err != nil {
		return nil, fmt.Errorf("flows: nsf-coupling: %w", err)
	}
	return couplingStack(s, 3*bins-1, func(masked int, net *bijectors.CouplingNetwork) (bijectors.Bijector, error) {
		return bijectors.NewNeuralSplineCoupling(masked, net, bins, bound)
	})
}

// couplingStack chains s.Layers coupling layers made by layer with
// reversing permutations between them.
func couplingStack(s Spec, params int, layer func(int, *bijectors.CouplingNetwork) (bijectors.Bijector, error)) (bijectors.Bijector, error) {
	if s.EventSize < 2 {
		return nil, fmt.Errorf("flows: %s needs an event size >= 2 (a coupling layer passes some units through), got %d", s.Kind, s.EventSize)
	}
	frac := s.MaskedFrac
	if frac == 0 {
		frac = DefaultMaskedFraction
	}
	masked, err := bijectors.NumMaskedFromFraction(s.EventSize, frac)
	if err != nil {
		return nil, fmt.Errorf("flows: %w", err)
	}
	m := s.MADEConfig(params)
	d := s.EventSize
	var bs []bijectors.Bijector
	for i := 0; i < s.Layers; i++ {
		if i > 0 {
			p, err := bijectors.Permute(reversal(d))
			if err != nil {
				return nil, err
			}
			bs = append(bs, p)
		}
		in := max(masked, -masked)
		net, err := bijectors.NewCouplingNetwork(bijectors.CouplingNetworkConfig{InputSize: in, OutputSize: d - in, Params: params,
			HiddenUnits: m.HiddenUnits, Activation: m.Activation, KernelInit: m.KernelInit, ContextSize: s.ContextSize,
			Seed: s.Seed + uint64(i), DType: m.DType})
		if err != nil {
			return nil, err
		}
		b, err := layer(masked, net)
		if err != nil {
			return nil, err
		}
		bs = append(bs, b)
	}
	reverse(bs)
	return bijectors.Chain(bs...)
}

func reversal(d int) []int {
	rev := make([]int, d)
	for i := range rev {
		rev[i] = d - 1 - i
	}
	return rev
}

func reverse(bs []bijectors.Bijector) {
	for i, j := 0, len(bs)-1; i < j; i, j = i+1, j-1 {
		bs[i], bs[j] = bs[j], bs[i]
	}
}
