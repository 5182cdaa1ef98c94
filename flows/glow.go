package flows

import (
	"fmt"
	"math/rand/v2"

	"github.com/nflowgo/nflow/bijectors"
)

func init() {
	Register("glow", buildGlow)
}

// glowSeedStream separates the random orthogonal initialisation of the
// 1×1 convolutions from the networks' seeds.
const glowSeedStream = 0x676c6f77

// buildGlow is Glow (Kingma & Dhariwal, 2018) on vectors: Spec.Layers
// bijectors.GlowSteps, Chain(step_0, ..., step_{L-1}) with step 0 nearest
// the data. Each step is ActNorm (initialised from the first batch by
// train.Fit), a ScaleMatvecLU from a random orthogonal matrix (log-|diag|
// parametrisation; the matrices are drawn in turn from one generator
// seeded with Spec.Seed), and the affine coupling glowCoupling. There are
// no permutations: the 1×1 convolutions mix the units. Spec.ContextSize
// must be 0 for now.
func buildGlow(s Spec) (bijectors.Bijector, error) {
	if s.EventSize < 2 {
		return nil, fmt.Errorf("flows: glow needs an event size >= 2 (a coupling layer passes some units through), got %d", s.EventSize)
	}
	if s.ContextSize > 0 {
		// bijectors.InitFromData runs the flow eagerly without a context,
		// which a conditional coupling needs: refuse here rather than fail
		// in train.Fit.
		return nil, fmt.Errorf("flows: glow does not take a context yet (context size %d): ActNorm's data-dependent initialisation runs the flow without one", s.ContextSize)
	}
	frac := s.MaskedFrac
	if frac == 0 {
		frac = DefaultMaskedFraction
	}
	masked, err := bijectors.NumMaskedFromFraction(s.EventSize, frac)
	if err != nil {
		return nil, fmt.Errorf("flows: %w", err)
	}
	rng := rand.New(rand.NewPCG(s.Seed, glowSeedStream))
	return bijectors.NewGlow(s.Layers, s.EventSize, s.Dtype(), rng, func(i int) (bijectors.Bijector, error) {
		return glowCoupling(s, masked, i)
	})
}

// glowCoupling is the coupling of step i: bijectors.RealNVP with
// num_masked masked, Spec.Scale, and a CouplingNetwork with Spec.Hidden,
// Spec.Activation, Spec.Init (its output layer starts at zero, so the step
// starts as ActNorm and a rotation), Spec.ContextSize and seed
// Spec.Seed + i. Any coupling of the event size fits here, such as
// bijectors.NewMaskedAutoregressiveFlow on a network of s.MADEConfig(2).
func glowCoupling(s Spec, masked, i int) (bijectors.Bijector, error) {
	m := s.MADEConfig(2)
	in := max(masked, -masked)
	net, err := bijectors.NewCouplingNetwork(bijectors.CouplingNetworkConfig{InputSize: in, OutputSize: s.EventSize - in, Params: 2,
		HiddenUnits: m.HiddenUnits, Activation: m.Activation, KernelInit: m.KernelInit, ContextSize: s.ContextSize,
		Seed: s.Seed + uint64(i), DType: m.DType})
	if err != nil {
		return nil, err
	}
	return bijectors.NewRealNVP(masked, net, s.ScaleFn())
}
