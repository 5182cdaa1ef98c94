package bijectors

import (
	"fmt"
	"math"
	"slices"

	"github.com/nflowgo/nflow/ops"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Standardize is a per-column shift and scale fitted to the data and then
// held fixed, the first bijector (nearest the data) of a flow that should
// see standardised inputs while its densities stay in the data's units:
//
//	forward (sampling): y = x·σ + μ
//	inverse (density):  x = (y - μ)/σ
//	FLDJ = Σ_d log σ_d,  ILDJ = -Σ_d log σ_d  (the same for every row)
//
// on [N, D] batches, so a flow p_z on standardised points gives
// log p(y) = log p_z((y - μ)/σ) - Σ_d log σ_d in the units of y.
//
// μ and log σ are state, not parameters: training leaves them alone, and
// State returns them for saving. They start at the identity (μ = 0,
// σ = 1); InitFromData sets them robustly from data: μ_d is the median of
// column d and σ_d the larger of its interquartile range / 1.349 and the
// larger distance from the median to its 0.5% or 99.5% quantile / 2.576
// (each the standard deviation of a normal column), falling back to the
// standard deviation where both are 0 and to 1 where the column is
// constant, so σ_d > 0 always. The 1% most extreme values hardly move
// either, and 99% of the training values of a column end up in ±2.576. It is a
// DataInitializer, so train.Fit initialises it from its first batch when
// nothing has before; flows.InitStandardize uses all the training rows.
// Cost: 2·N·D flops each way.
type Standardize struct {
	Shift    *Param // μ [D]
	LogScale *Param // log σ [D]

	d           int
	initialized bool
}

// NewStandardize returns a Standardize of event size d with state of dtype
// dt (float32 or float64), not yet initialised: μ = 0, σ = 1.
func NewStandardize(d int, dt tensor.Dtype) (*Standardize, error) {
	if d < 1 {
		return nil, fmt.Errorf("Standardize: event size %d, expected >= 1", d)
	}
	if dt != tensor.Float32 && dt != tensor.Float64 {
		return nil, fmt.Errorf("Standardize: dtype %v, expected float32 or float64", dt)
	}
	zeros := make([]float64, d)
	return &Standardize{d: d,
		Shift:    &Param{Name: "standardize/shift", Value: NewTensor(dt, zeros, d)},
		LogScale: &Param{Name: "standardize/log_scale", Value: NewTensor(dt, zeros, d)}}, nil
}

func (s *Standardize) String() string { return fmt.Sprintf("Standardize(D=%d)", s.d) }

// EventSize is D.
func (s *Standardize) EventSize() int { return s.d }

// Params is empty: μ and σ are not trained.
func (s *Standardize) Params() []*Param { return nil }

// State returns μ and log σ, saved and loaded with the model.
func (s *Standardize) State() []*Param { return []*Param{s.Shift, s.LogScale} }

// Triangular reports that the Jacobian is diagonal.
func (s *Standardize) Triangular() bool { return true }

// Initialized reports whether InitFromData has run (or SetInitialized(true)
// was called).
func (s *Standardize) Initialized() bool { return s.initialized }

// SetInitialized marks the state as set (true), say after loading saved
// values, or asks for a new initialisation from data (false).
func (s *Standardize) SetInitialized(v bool) { s.initialized = v }

// iqrPerSD is the interquartile range of the standard normal, 2·Φ⁻¹(0.75).
const iqrPerSD = 1.3489795003921634

// InitFromData sets μ and σ from the columns of y [N, D] (N >= 1 finite
// rows, the state's dtype) as the type documentation says, and marks the
// bijector initialised. Cost: O(N log N) per column.
func (s *Standardize) InitFromData(y *tensor.Dense) error {
	if err := checkInput(s, y); err != nil {
		return err
	}
	if y.Dtype() != s.Shift.Value.Dtype() {
		return fmt.Errorf("%v: data of dtype %v, expected %v", s, y.Dtype(), s.Shift.Value.Dtype())
	}
	v := floatsOfDense(y)
	for i, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Errorf("%v: initialisation: y[%d, %d] = %g, expected finite values", s, i/s.d, i%s.d, x)
		}
	}
	n := len(v) / s.d
	mu, logSigma := make([]float64, s.d), make([]float64, s.d)
	col := make([]float64, n)
	for c := 0; c < s.d; c++ {
		for r := range col {
			col[r] = v[r*s.d+c]
		}
		m, sigma := robustLocationScale(col)
		mu[c], logSigma[c] = m, math.Log(sigma)
	}
	assignDense(s.Shift.Value, mu)
	assignDense(s.LogScale.Value, logSigma)
	s.initialized = true
	return nil
}

// tailQuantile and tailPerSD set the scale's second measure: the 0.5% and
// 99.5% quantiles lie tailPerSD = Φ⁻¹(0.995) standard deviations from the
// median of a normal column.
const (
	tailQuantile = 0.005
	tailPerSD    = 2.5758293035489004
)

// robustLocationScale returns the median of x and the larger of IQR/1.349
// and (the larger distance from the median to the 0.5% or the 99.5%
// quantile)/2.576 — both the standard deviation for a normal column; the
// second keeps 99% of a skewed, zero-inflated or multimodal column within
// ±2.576 (inside a spline's default [-3, 3]) while ignoring the 0.5% most
// extreme values on each side. Where both are 0 (more than 99% of the
// values equal) it is the standard deviation, or 1 where x is constant. It
// sorts x in place.
func robustLocationScale(x []float64) (median, scale float64) {
	slices.Sort(x)
	median = quantileSorted(x, 0.5)
	scale = (quantileSorted(x, 0.75) - quantileSorted(x, 0.25)) / iqrPerSD
	tail := math.Max(quantileSorted(x, 1-tailQuantile)-median, median-quantileSorted(x, tailQuantile)) / tailPerSD
	scale = math.Max(scale, tail)
	if tiny := 1e-12 * math.Max(1, math.Abs(median)); scale > tiny {
		return median, scale
	}
	var mean, q float64
	for _, v := range x {
		mean += v
	}
	mean /= float64(len(x))
	for _, v := range x {
		q += (v - mean) * (v - mean)
	}
	if sd := math.Sqrt(q / float64(len(x))); sd > 1e-12*math.Max(1, math.Abs(mean)) {
		return median, sd
	}
	return median, 1
}

// quantileSorted is the p-quantile of sorted x, interpolating linearly
// between order statistics (type 7 of Hyndman & Fan, R's default).
func quantileSorted(x []float64, p float64) float64 {
	h := p * float64(len(x)-1)
	lo := int(math.Floor(h))
	if lo+1 >= len(x) {
		return x[len(x)-1]
	}
	return x[lo] + (h-float64(lo))*(x[lo+1]-x[lo])
}

func (s *Standardize) ForwardNode(g *Graph, x *gorgonia.Node) (*gorgonia.Node, *gorgonia.Node, error) {
	return s.nodes(g, x, false)
}

func (s *Standardize) InverseNode(g *Graph, y *gorgonia.Node) (*gorgonia.Node, *gorgonia.Node, error) {
	return s.nodes(g, y, true)
}

// nodes reuses ActNorm's ops with the state as constant inputs: no
// gradient reaches μ or σ.
func (s *Standardize) nodes(g *Graph, v *gorgonia.Node, inverse bool) (*gorgonia.Node, *gorgonia.Node, error) {
	ls, err := stateNode(g, s.LogScale)
	if err != nil {
		return nil, nil, err
	}
	mu, err := stateNode(g, s.Shift)
	if err != nil {
		return nil, nil, err
	}
	out, err := Apply(ops.NewActNorm(inverse), v, ls, mu)
	if err != nil {
		return nil, nil, err
	}
	sign := 1.0
	if inverse {
		sign = -1
	}
	ldj, err := Apply(ops.NewActNormLogDet(sign), v, ls)
	return out, ldj, err
}
