package bijectors

import (
	"fmt"
	"math/rand/v2"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// GlowStep is one step of flow of Glow (Kingma & Dhariwal, 2018) on
// vectors. On the density path (data to base) it applies ActNorm, then the
// invertible 1×1 convolution (ScaleMatvecLU), then an affine coupling
// layer, as Glow's step does; as a bijector it is
//
//	Chain(ActNorm, ScaleMatvecLU, Coupling)
//
// so Forward (sampling) runs Coupling, then ScaleMatvecLU, then ActNorm,
// and Inverse runs ActNorm⁻¹ first, on the data itself. Log-dets add. The
// coupling is any bijector of the same event size: RealNVP in Glow
// (flows' "glow" kind), or a MaskedAutoregressiveFlow.
//
// GlowStep is a DataInitializer: InitFromData initialises its ActNorm (and
// any other DataInitializer inside) from the activations that reach it, so
// train.Fit's first batch sets up every ActNorm of a Glow flow in turn.
// Cost: the coupling's, plus about 2·N·D² + 4·N·D flops.
type GlowStep struct {
	ActNorm  *ActNorm
	LU       *ScaleMatvecLU
	Coupling Bijector

	chain *ChainBijector
}

// NewGlowStep returns the step made of an, lu and coupling, which must be
// non-nil and of one event size.
func NewGlowStep(an *ActNorm, lu *ScaleMatvecLU, coupling Bijector) (*GlowStep, error) {
	if an == nil || lu == nil || coupling == nil {
		return nil, fmt.Errorf("GlowStep: ActNorm, ScaleMatvecLU and coupling must be non-nil")
	}
	if d := coupling.EventSize(); d > 0 && d != an.EventSize() || lu.EventSize() != an.EventSize() {
		return nil, fmt.Errorf("GlowStep: event sizes %d (ActNorm), %d (ScaleMatvecLU) and %d (%v), expected one size",
			an.EventSize(), lu.EventSize(), coupling.EventSize(), coupling)
	}
	c, err := Chain(an, lu, coupling)
	if err != nil {
		return nil, fmt.Errorf("GlowStep: %w", err)
	}
	return &GlowStep{ActNorm: an, LU: lu, Coupling: coupling, chain: c}, nil
}

func (s *GlowStep) String() string {
	return fmt.Sprintf("GlowStep(%v, %v, %v)", s.ActNorm, s.LU, s.Coupling)
}
func (s *GlowStep) EventSize() int { return s.ActNorm.EventSize() }

// Params returns ActNorm's, ScaleMatvecLU's and the coupling's parameters.
func (s *GlowStep) Params() []*Param { return s.chain.Params() }

// Bijectors returns the step's members in Chain order: ActNorm,
// ScaleMatvecLU, coupling.
func (s *GlowStep) Bijectors() []Bijector { return append([]Bijector(nil), s.chain.Bijectors...) }

// ContextSize is the coupling's context size (0: unconditional).
func (s *GlowStep) ContextSize() int { return ContextSizeOf(s.Coupling) }

// Initialized reports whether every DataInitializer in the step (its
// ActNorm) has been initialised.
func (s *GlowStep) Initialized() bool { return !NeedsDataInit(s.chain) }

// SetInitialized sets the initialised flag of every DataInitializer in the
// step that has a SetInitialized method (its ActNorm): true after loading
// saved parameters, false to ask for a new data-dependent initialisation.
func (s *GlowStep) SetInitialized(v bool) {
	for _, b := range s.chain.Bijectors {
		if m, ok := b.(interface{ SetInitialized(bool) }); ok {
			m.SetInitialized(v)
		}
	}
}

// State returns the non-trainable state tensors of the step's members
// that have any (a State method, as BatchNormalization's running moments),
// for saving; none for ActNorm, ScaleMatvecLU and the affine couplings.
func (s *GlowStep) State() []*Param {
	var out []*Param
	for _, b := range s.chain.Bijectors {
		if st, ok := b.(interface{ State() []*Param }); ok {
			out = append(out, st.State()...)
		}
	}
	return out
}

// InitFromData initialises the step's ActNorm from y [N, D], the batch in
// the step's output (data) space, and then any DataInitializer in the
// coupling from the activations that reach it.
func (s *GlowStep) InitFromData(y *tensor.Dense) error { return InitFromData(s.chain, y) }

func (s *GlowStep) ForwardNode(g *Graph, x *gorgonia.Node) (*gorgonia.Node, *gorgonia.Node, error) {
	return s.chain.ForwardNode(g, x)
}

func (s *GlowStep) InverseNode(g *Graph, y *gorgonia.Node) (*gorgonia.Node, *gorgonia.Node, error) {
	return s.chain.InverseNode(g, y)
}

// NewGlow returns a Glow flow on vectors of size d: layers GlowSteps,
// Chain(step_0, ..., step_{L-1}), so step 0 is nearest the data (the first
// on the density path, the last when sampling). Step i has a fresh ActNorm,
// a ScaleMatvecLU initialised from RandomOrthogonalLU(d, rng) in the
// log-|diag| parametrisation, and the coupling that coupling(i) returns.
// dt is the dtype of ActNorm's and ScaleMatvecLU's parameters.
func NewGlow(layers, d int, dt tensor.Dtype, rng *rand.Rand, coupling func(i int) (Bijector, error)) (*ChainBijector, error) {
	if layers < 1 {
		return nil, fmt.Errorf("NewGlow: %d layers, expected >= 1", layers)
	}
	if coupling == nil {
		return nil, fmt.Errorf("NewGlow: coupling constructor is nil")
	}
	steps := make([]Bijector, layers)
	for i := range steps {
		an, err := NewActNorm(d, dt)
		if err != nil {
			return nil, err
		}
		lu, perm, err := RandomOrthogonalLU(d, rng)
		if err != nil {
			return nil, err
		}
		conv, err := NewScaleMatvecLU(lu, perm, true, dt)
		if err != nil {
			return nil, err
		}
		c, err := coupling(i)
		if err != nil {
			return nil, fmt.Errorf("NewGlow: coupling %d: %w", i, err)
		}
		if steps[i], err = NewGlowStep(an, conv, c); err != nil {
			return nil, err
		}
	}
	return Chain(steps...)
}
