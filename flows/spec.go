package flows

import (
	"fmt"
	"math"
	"sort"
	"sync"

	"github.com/nflowgo/nflow/bijectors"
	"github.com/nflowgo/nflow/dist"
	"github.com/nflowgo/nflow/ops"
	"gorgonia.org/tensor"
)

// Spec describes a flow: Build(spec) returns the same architecture, with
// the same initial parameters, every time.
//
// The zero values of Scale, Init, InputBound and DensityParams are the
// lab's (softplus, glorot-uniform, no bound, TFP's sampling-direction
// parameters), kept so that saved models load unchanged. For data other
// than the lab's, nflow fit's defaults are the robust ones: Standardize
// true, Scale softclip, Init torch-uniform, InputBound DefaultInputBound,
// DensityParams true, SplineKnots softclip, Bound FitSplineBound and, for
// nsf, SplineInputBound DefaultInputBound (see tools/realdata for the
// ablations).
type Spec struct {
	Kind        string  `json:"kind"`                      // a registered kind: maf, iaf, realnvp, nsf, nsf-coupling, glow
	EventSize   int     `json:"event_size"`                // D
	Layers      int     `json:"layers"`                    // flow layers (bijector blocks)
	Hidden      []int   `json:"hidden"`                    // hidden units of each conditioner network
	Activation  string  `json:"activation"`                // conditioner activation (relu, tanh, ...)
	Scale       string  `json:"scale,omitempty"`           // affine scale function: softplus (default), exp, softclip
	Init        string  `json:"init,omitempty"`            // kernel initialisation: glorot-uniform (default), torch-uniform
	Bins        int     `json:"bins,omitempty"`            // spline bins (nsf kinds)
	Bound       float64 `json:"bound,omitempty"`           // spline range [-Bound, Bound] (nsf kinds)
	MaskedFrac  float64 `json:"masked_fraction,omitempty"` // coupling: fraction of dimensions passed through (default 0.5)
	ContextSize int     `json:"context_size,omitempty"`    // conditional flows: size of the conditioning input
	Standardize bool    `json:"standardize,omitempty"`     // a bijectors.Standardize nearest the data (see InitStandardize)
	InputBound  float64 `json:"input_bound,omitempty"`     // maf kinds: conditioner networks read B·tanh(y/B) (0: y)
	// DensityParams: the maf, iaf and nsf kinds' conditioners parameterise
	// the density direction (zuko's convention) instead of the sampling
	// one (TFP's, false); see bijectors.MaskedAutoregressiveFlow.
	DensityParams bool `json:"density_params,omitempty"`
	// SplineKnots: how the nsf kind's networks' raw outputs become bin
	// widths, heights and slopes: softplus ("", the default,
	// ops.RQSplineKnots) or softclip (zuko's, ops.RQSplineKnotsSoftClip).
	SplineKnots string `json:"spline_knots,omitempty"`
	// SplineInputBound: the nsf kind's conditioner networks read
	// B·tanh(y/B) (0: y). InputBound does not apply to nsf: models saved
	// with one kept unbounded spline conditioners and still do.
	SplineInputBound float64 `json:"spline_input_bound,omitempty"`
	Seed             uint64  `json:"seed"`
	DType            string  `json:"dtype"` // float32 (default) or float64
}

// Builder builds the bijector of a Spec of its kind; the base is the
// standard normal of Spec.EventSize dimensions.
type Builder func(Spec) (bijectors.Bijector, error)

var (
	mu       sync.Mutex
	builders = map[string]Builder{}
)

// Register makes a flow kind available to Build. It panics if kind is
// registered twice (an init-time programming error).
func Register(kind string, b Builder) {
	mu.Lock()
	defer mu.Unlock()
	if _, dup := builders[kind]; dup {
		panic("flows: kind " + kind + " registered twice")
	}
	builders[kind] = b
}

// Kinds lists the registered flow kinds, sorted.
func Kinds() []string {
	mu.Lock()
	defer mu.Unlock()
	var ks []string
	for k := range builders {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// Normalize fills in the defaults of s and checks it, including the size
// limits MaxEventSize, MaxLayers, MaxHiddenDepth, MaxHiddenUnits and MaxBins.
func (s Spec) Normalize() (Spec, error) {
	if s.DType == "" {
		s.DType = "float32"
	}
	if s.Activation == "" {
		s.Activation = "relu"
	}
	if s.Scale == "" {
		s.Scale = ops.ScaleSoftplus.String()
	}
	if s.Init == "" {
		s.Init = string(bijectors.GlorotUniform)
	}
	if s.Layers == 0 {
		s.Layers = 3
	}
	if s.Hidden == nil {
		s.Hidden = []int{128, 128}
	}
	switch {
	case s.EventSize < 1:
		return s, fmt.Errorf("flows: event size %d, expected >= 1", s.EventSize)
	case s.Layers < 1:
		return s, fmt.Errorf("flows: %d layers, expected >= 1", s.Layers)
	case s.InputBound < 0 || math.IsNaN(s.InputBound) || math.IsInf(s.InputBound, 0):
		return s, fmt.Errorf("flows: input bound %g, expected 0 (none) or a positive number", s.InputBound)
	case s.SplineInputBound < 0 || math.IsNaN(s.SplineInputBound) || math.IsInf(s.SplineInputBound, 0):
		return s, fmt.Errorf("flows: spline input bound %g, expected 0 (none) or a positive number", s.SplineInputBound)
	case s.ContextSize < 0:
		return s, fmt.Errorf("flows: context size %d, expected >= 0", s.ContextSize)
	case s.DType != "float32" && s.DType != "float64":
		return s, fmt.Errorf("flows: dtype %q, expected float32 or float64", s.DType)
	}
	for i, h := range s.Hidden {
		if h < 1 {
			return s, fmt.Errorf("flows: hidden layer %d has %d units, expected >= 1", i, h)
		}
	}
	if err := checkLimits(s); err != nil {
		return s, err
	}
	if _, err := ops.ParseActivation(s.Activation); err != nil {
		return s, fmt.Errorf("flows: %w", err)
	}
	if _, err := ops.ParseScaleFn(s.Scale); err != nil {
		return s, fmt.Errorf("flows: %w", err)
	}
	if !bijectors.SplineKnots(s.SplineKnots).Valid() {
		return s, fmt.Errorf("flows: spline knots %q, expected softplus or softclip", s.SplineKnots)
	}
	if s.Init != string(bijectors.GlorotUniform) && s.Init != string(bijectors.TorchUniform) {
		return s, fmt.Errorf("flows: init %q, expected glorot-uniform or torch-uniform", s.Init)
	}
	return s, nil
}

// Dtype returns the tensor dtype of the spec.
func (s Spec) Dtype() tensor.Dtype {
	if s.DType == "float64" {
		return tensor.Float64
	}
	return tensor.Float32
}

// MADEConfig returns the conditioner configuration the spec implies, for
// builders: EventSize, Hidden, Activation, Init, DType, ContextSize and Seed.
func (s Spec) MADEConfig(params int) bijectors.MADEConfig {
	act, _ := ops.ParseActivation(s.Activation)
	return bijectors.MADEConfig{Params: params, EventSize: s.EventSize, HiddenUnits: s.Hidden, Activation: act,
		KernelInit: bijectors.KernelInit(s.Init), Seed: s.Seed, DType: s.Dtype(), ContextSize: s.ContextSize}
}

// ScaleFn returns the spec's affine scale function.
func (s Spec) ScaleFn() ops.ScaleFn {
	f, _ := ops.ParseScaleFn(s.Scale)
	return f
}

// Build returns the flow of spec s as a TransformedDistribution of the
// standard normal. It is an error, before anything is allocated, for s to
// be invalid (see Normalize) or for the model's estimated parameters to
// need more memory than the process has available.
func Build(s Spec) (*dist.TransformedDistribution, error) {
	s, err := s.Normalize()
	if err != nil {
		return nil, err
	}
	if err := checkMemory(s); err != nil {
		return nil, err
	}
	mu.Lock()
	b, ok := builders[s.Kind]
	mu.Unlock()
	if !ok {
		return nil, fmt.Errorf("flows: unknown kind %q, expected one of %v", s.Kind, Kinds())
	}
	bij, err := b(s)
	if err != nil {
		return nil, err
	}
	if s.Standardize {
		if bij, err = withStandardize(s, bij); err != nil {
			return nil, err
		}
	}
	base, err := dist.StandardNormal(s.EventSize, s.Dtype())
	if err != nil {
		return nil, err
	}
	return dist.NewTransformedDistribution(base, bij)
}
