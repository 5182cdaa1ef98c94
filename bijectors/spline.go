package bijectors

import (
	"fmt"
	"math"

	"github.com/nflowgo/nflow/ops"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// RationalQuadraticSpline is the elementwise monotonic rational-quadratic
// spline of Durkan et al. (2019), as tfb.RationalQuadraticSpline: on
// [-B, B] each unit e has K bins whose widths, heights and interior knot
// slopes come from one row of a parameter table; the knot slopes at ±B are
// 1 and the map is the identity (log-det 0) outside [-B, B]:
//
//	y_e = g(x_e; θ_e),  FLDJ(x) = Σ_e log g'(x_e; θ_e)
//
// θ_e holds 3K-1 unconstrained values, normalized as ops.RQSplineKnots
// documents (widths = 2B·(m + (1-Km)·softmax), interior slopes =
// softplus(θ + c) + m_δ, m = m_δ = 1e-3, c chosen so that θ = 0 gives
// slope 1); all zeros is the identity. Unlike TFP, which takes the
// normalized widths, heights and slopes, the table is unconstrained, so it
// can be trained: Params returns it. Cost: O(K) per element either way.
type RationalQuadraticSpline struct {
	Bins  int
	Bound float64
	table *Param // [1, D·(3K-1)]
	d     int
}

// NewRationalQuadraticSpline returns the spline with K = bins on
// [-bound, bound]; params has one row of 3K-1 values per unit (D rows).
func NewRationalQuadraticSpline(bins int, bound float64, params [][]float64, dt tensor.Dtype) (*RationalQuadraticSpline, error) {
	if _, err := ops.NewRQSpline(bins, bound, false); err != nil {
		return nil, fmt.Errorf("RationalQuadraticSpline: %w", err)
	}
	if len(params) == 0 {
		return nil, fmt.Errorf("RationalQuadraticSpline: no parameter rows, expected one row of %d per unit", ops.SplineParams(bins))
	}
	if dt != tensor.Float32 && dt != tensor.Float64 {
		return nil, fmt.Errorf("RationalQuadraticSpline: dtype %v, expected float32 or float64", dt)
	}
	p := ops.SplineParams(bins)
	flat := make([]float64, 0, len(params)*p)
	for i, row := range params {
		if len(row) != p {
			return nil, fmt.Errorf("RationalQuadraticSpline: parameter row %d has %d values, expected %d (3K-1 for K = %d)", i, len(row), p, bins)
		}
		for j, v := range row {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("RationalQuadraticSpline: parameter [%d][%d] is %g, expected a finite number", i, j, v)
			}
		}
		flat = append(flat, row...)
	}
	return &RationalQuadraticSpline{Bins: bins, Bound: bound, d: len(params),
		table: &Param{Name: "spline/params", Value: NewTensor(dt, flat, 1, len(flat))}}, nil
}

// String names the bijector and its sizes.
func (s *RationalQuadraticSpline) String() string {
	return fmt.Sprintf("RationalQuadraticSpline(D=%d, bins=%d, bound=%g)", s.d, s.Bins, s.Bound)
}

// EventSize is D, the number of parameter rows.
func (s *RationalQuadraticSpline) EventSize() int { return s.d }

// Params returns the parameter table, a [1, D·(3K-1)] tensor.
func (s *RationalQuadraticSpline) Params() []*Param { return []*Param{s.table} }

// Triangular reports that the Jacobian is diagonal.
func (s *RationalQuadraticSpline) Triangular() bool { return true }

// ForwardNode adds y = f(x) and the forward log-det [N] to g.
func (s *RationalQuadraticSpline) ForwardNode(g *Graph, x *gorgonia.Node) (*gorgonia.Node, *gorgonia.Node, error) {
	return s.node(g, x, false)
}

// InverseNode adds x = f⁻¹(y) and the inverse log-det [N] to g.
func (s *RationalQuadraticSpline) InverseNode(g *Graph, y *gorgonia.Node) (*gorgonia.Node, *gorgonia.Node, error) {
	return s.node(g, y, true)
}

// node normalizes the table once ([1, D·(3K-1)] to [1, D·(3K+1)]) and
// broadcasts the knots to every row.
func (s *RationalQuadraticSpline) node(g *Graph, v *gorgonia.Node, inverse bool) (*gorgonia.Node, *gorgonia.Node, error) {
	t, err := g.Param(s.table)
	if err != nil {
		return nil, nil, err
	}
	k0, err := splineKnots(s.Bins, s.Bound, t)
	if err != nil {
		return nil, nil, err
	}
	kap, err := Apply(ops.NewRepeatRows(), k0, v)
	if err != nil {
		return nil, nil, err
	}
	return splineNodes(s.Bins, s.Bound, inverse, v, kap)
}

// MaskedAutoregressiveSpline is the autoregressive neural spline flow of
// Durkan et al. (2019), RQ-NSF (AR): MaskedAutoregressiveFlow with the
// affine map replaced by a rational-quadratic spline of K bins on [-B, B]
// (identity outside) whose 3K-1 parameters per unit come from an
// AutoregressiveNetwork with Params = 3K-1:
//
//	forward (sampling): y_e = g(x_e; θ_e(y_<e))
//	inverse (density):  x_e = g⁻¹(y_e; θ_e(y_<e))
//	ILDJ(y) = -Σ_e log g'(x_e; θ_e(y))
//
// where θ = MADE(y) in ops.RQSplineKnots' layout. Cost: the inverse is one
// network pass plus O(K) per unit; the forward is D sequential passes, which
// on the CPU (a graph that is not differentiated) do one masked pass's work
// in total (ops.NewMADESplineSample), with the same values.
type MaskedAutoregressiveSpline struct {
	Net   *AutoregressiveNetwork
	Bins  int
	Bound float64
	// DensityParams, when true, applies the spline g in the density
	// direction, as zuko's and nflows' NSFs do: x_e = g(y_e; θ_e(y_<e)),
	// ILDJ(y) = Σ_e log g'(y_e), and sampling inverts it (y_e =
	// g⁻¹(x_e; θ_e(y_<e))). The inverse of a rational-quadratic spline is
	// not one, so this is a different family of maps; with the same
	// network it learns as fast or faster (see tools/realdata).
	DensityParams bool
	// Knots is how the network's raw outputs become widths, heights and
	// slopes: SoftplusKnots ("", ops.RQSplineKnots) or SoftClipKnots
	// (ops.RQSplineKnotsSoftClip, zuko's).
	Knots SplineKnots
	// InputBound, when > 0, feeds the network B·tanh(y/B) instead of y
	// (see conditionerInput), as MaskedAutoregressiveFlow.InputBound: the
	// spline parameters of points far from the data are those at its edge.
	InputBound float64
}

// netNode is the network's output on y through conditionerInput.
func (m *MaskedAutoregressiveSpline) netNode(g *Graph, y *gorgonia.Node) (*gorgonia.Node, error) {
	in, err := conditionerInput(y, m.InputBound)
	if err != nil {
		return nil, err
	}
	return m.Net.Node(g, in)
}

// NewMaskedAutoregressiveSpline returns the flow for K = bins on
// [-bound, bound] and a network with Params = 3K-1.
func NewMaskedAutoregressiveSpline(net *AutoregressiveNetwork, bins int, bound float64) (*MaskedAutoregressiveSpline, error) {
	if net == nil {
		return nil, fmt.Errorf("MaskedAutoregressiveSpline: network is nil")
	}
	if _, err := ops.NewRQSpline(bins, bound, false); err != nil {
		return nil, fmt.Errorf("MaskedAutoregressiveSpline: %w", err)
	}
	if p := net.Config().Params; p != ops.SplineParams(bins) {
		return nil, fmt.Errorf("MaskedAutoregressiveSpline: network has params = %d, expected %d (3K-1 for K = %d)", p, ops.SplineParams(bins), bins)
	}
	return &MaskedAutoregressiveSpline{Net: net, Bins: bins, Bound: bound}, nil
}

// String names the bijector and its sizes.
func (m *MaskedAutoregressiveSpline) String() string {
	cfg := m.Net.Config()
	dp := ""
	if m.DensityParams {
		dp = ", density-params"
	}
	if m.Knots == SoftClipKnots {
		dp += ", softclip knots"
	}
	if m.InputBound > 0 {
		dp += fmt.Sprintf(", input bound %g", m.InputBound)
	}
	return fmt.Sprintf("MaskedAutoregressiveSpline(D=%d, hidden=%v, bins=%d, bound=%g%s%s)", cfg.EventSize, cfg.HiddenUnits,
		m.Bins, m.Bound, dp, contextSuffix(m.ContextSize()))
}

// EventSize is D.
func (m *MaskedAutoregressiveSpline) EventSize() int { return m.Net.Config().EventSize }

// Params returns the network's parameters.
func (m *MaskedAutoregressiveSpline) Params() []*Param { return m.Net.Params() }

// ContextSize is the network's context size C (0: unconditional).
func (m *MaskedAutoregressiveSpline) ContextSize() int {
	if c, ok := any(m.Net).(interface{ ContextSize() int }); ok {
		return c.ContextSize()
	}
	return 0
}

// Triangular reports that the Jacobian is triangular in the input order.
func (m *MaskedAutoregressiveSpline) Triangular() bool { return true }

// InverseNode adds x = f⁻¹(y) and the inverse log-det [N] to g.
func (m *MaskedAutoregressiveSpline) InverseNode(g *Graph, y *gorgonia.Node) (*gorgonia.Node, *gorgonia.Node, error) {
	h, err := m.netNode(g, y)
	if err != nil {
		return nil, nil, err
	}
	kap, err := splineKnotsOf(m.Knots, m.Bins, m.Bound, h)
	if err != nil {
		return nil, nil, err
	}
	return splineNodes(m.Bins, m.Bound, !m.DensityParams, y, kap)
}

// ForwardNode adds y = f(x) and the forward log-det [N] to g.
func (m *MaskedAutoregressiveSpline) ForwardNode(g *Graph, x *gorgonia.Node) (*gorgonia.Node, *gorgonia.Node, error) {
	if g.CPU && !g.Training { // the D passes as one ops.MADESample, in one pass's work
		if y, fldj, ok, err := m.onePass(g, x); ok || err != nil {
			return y, fldj, err
		}
	}
	kap, err := m.firstPass(g, x)
	if err != nil {
		return nil, nil, err
	}
	// DensityParams: g maps y to x, so sampling applies g⁻¹.
	sp, err := ops.NewRQSpline(m.Bins, m.Bound, m.DensityParams)
	if err != nil {
		return nil, nil, err
	}
	y, err := Apply(sp, x, kap)
	if err != nil {
		return nil, nil, err
	}
	for pass := 1; pass < m.EventSize(); pass++ {
		h, err := m.netNode(g, y)
		if err != nil {
			return nil, nil, err
		}
		if kap, err = splineKnotsOf(m.Knots, m.Bins, m.Bound, h); err != nil {
			return nil, nil, err
		}
		if y, err = Apply(sp, x, kap); err != nil {
			return nil, nil, err
		}
	}
	ld, err := ops.NewRQSplineLogDet(m.Bins, m.Bound, m.DensityParams)
	if err != nil {
		return nil, nil, err
	}
	fldj, err := Apply(ld, x, kap)
	return y, fldj, err
}

// onePass adds the sampling recursion as ops.NewMADESplineSample, the D-pass
// path's values bit for bit, and its log-det from the final raw
// parameters; ok is false (nothing added) when the network cannot use it:
// a conditional network or unsorted degrees.
func (m *MaskedAutoregressiveSpline) onePass(g *Graph, x *gorgonia.Node) (y, fldj *gorgonia.Node, ok bool, err error) {
	n := m.Net
	if n.cfg.ContextSize > 0 {
		return nil, nil, false, nil
	}
	op, err := ops.NewMADESplineSample(n.degrees, n.cfg.Activation, m.Bins, m.Bound, m.Knots == SoftClipKnots, m.DensityParams, m.InputBound)
	if err != nil {
		return nil, nil, false, nil // unsorted degrees: the D-pass path
	}
	in := gorgonia.Nodes{x}
	for l := range n.weights {
		w, err := g.Param(n.weights[l])
		if err != nil {
			return nil, nil, true, err
		}
		b, err := g.Param(n.biases[l])
		if err != nil {
			return nil, nil, true, err
		}
		in = append(in, w, b)
	}
	o, err := Apply(op, in...)
	if err != nil {
		return nil, nil, true, err
	}
	d, p := m.EventSize(), ops.SplineParams(m.Bins)
	yc, err := ops.NewColumns(p*d, (p+1)*d)
	if err != nil {
		return nil, nil, true, err
	}
	hc, err := ops.NewColumns(0, p*d)
	if err != nil {
		return nil, nil, true, err
	}
	if y, err = Apply(yc, o); err != nil {
		return nil, nil, true, err
	}
	h, err := Apply(hc, o)
	if err != nil {
		return nil, nil, true, err
	}
	kap, err := splineKnotsOf(m.Knots, m.Bins, m.Bound, h)
	if err != nil {
		return nil, nil, true, err
	}
	ld, err := ops.NewRQSplineLogDet(m.Bins, m.Bound, m.DensityParams)
	if err != nil {
		return nil, nil, true, err
	}
	fldj, err = Apply(ld, x, kap)
	return y, fldj, true, err
}

// firstPass returns the knots for y = 0, the start of sampling. Without a
// context they are the same for every row: the network runs and the knots
// are normalized once on a zero row, then broadcast. With one the network
// runs on a zero batch, since the context differs from row to row.
func (m *MaskedAutoregressiveSpline) firstPass(g *Graph, x *gorgonia.Node) (*gorgonia.Node, error) {
	if m.ContextSize() > 0 {
		z, err := Apply(ops.NewZerosLike(), x)
		if err != nil {
			return nil, err
		}
		h, err := m.Net.Node(g, z)
		if err != nil {
			return nil, err
		}
		return splineKnotsOf(m.Knots, m.Bins, m.Bound, h)
	}
	h0, err := m.Net.Node(g, g.ZeroRow(m.EventSize()))
	if err != nil {
		return nil, err
	}
	k0, err := splineKnotsOf(m.Knots, m.Bins, m.Bound, h0)
	if err != nil {
		return nil, err
	}
	return Apply(ops.NewRepeatRows(), k0, x)
}

// SplineKnots is how a spline layer normalizes its raw parameters.
type SplineKnots string

const (
	// SoftplusKnots is ops.RQSplineKnots: softmax bins of at least 1e-3 of
	// the range, slopes softplus(θ + c) + 1e-3 (the default, "").
	SoftplusKnots SplineKnots = "softplus"
	// SoftClipKnots is ops.RQSplineKnotsSoftClip, zuko's: soft-clipped
	// softmax bins, slopes exp of a soft clip to (-6.9, 6.9).
	SoftClipKnots SplineKnots = "softclip"
)

// Valid reports whether k is "" (SoftplusKnots) or a known normalization.
func (k SplineKnots) Valid() bool { return k == "" || k == SoftplusKnots || k == SoftClipKnots }

// splineKnotsOf normalizes h with the normalization kind.
func splineKnotsOf(kind SplineKnots, bins int, bound float64, h *gorgonia.Node) (*gorgonia.Node, error) {
	if kind == SoftClipKnots {
		op, err := ops.NewRQSplineKnotsSoftClip(bins, bound)
		if err != nil {
			return nil, err
		}
		return Apply(op, h)
	}
	op, err := ops.NewRQSplineKnots(bins, bound)
	if err != nil {
		return nil, err
	}
	return Apply(op, h)
}
