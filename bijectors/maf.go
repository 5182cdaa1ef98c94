package bijectors

import (
	"fmt"

	"github.com/nflowgo/nflow/ops"
	"gorgonia.org/gorgonia"
)

// MaskedAutoregressiveFlow is the affine autoregressive bijector of
// Papamakarios et al. (2017), as tfb.MaskedAutoregressiveFlow with a
// shift-and-log-scale AutoregressiveNetwork (params = 2):
//
//	forward (sampling): y_e = x_e·σ(u_e(y_<e)) + m_e(y_<e)
//	inverse (density):  x_e = (y_e - m_e(y_<e)) / σ(u_e(y_<e))
//	ILDJ(y) = -Σ_e log σ(u_e(y))
//
// where (m, u) = MADE(y). Cost: the inverse is one network pass; the
// forward is D sequential passes (each pass fixes one more degree). On the
// CPU executor the passes compute only what each newly fixes
// (ops.MADESample), so sampling costs about one masked pass too.
// Invert(MAF) is an IAF, with the directions swapped.
//
// σ is the Scale function: ops.ScaleSoftplus (the default) bounds the scale
// and trains better on two moons; ops.ScaleExp is TFP's exact σ = exp(u).
type MaskedAutoregressiveFlow struct {
	Net   *AutoregressiveNetwork
	Scale ops.ScaleFn
	// InputBound, when > 0, feeds the network B·tanh(y/B) instead of y
	// (see conditionerInput): shift and scale far from the data are those
	// at its edge, not a ReLU network's linear extrapolation. 0 feeds y.
	InputBound float64
	// DensityParams, when true, lets (m, σ) parameterise the density
	// direction instead of the sampling one, as zuko's and nflows' MAFs
	// (PyTorch) do:
	//
	//	inverse (density):  x_e = y_e·σ(u_e(y_<e)) + m_e(y_<e)
	//	forward (sampling): y_e = (x_e - m_e(y_<e)) / σ(u_e(y_<e))
	//	ILDJ(y) = +Σ_e log σ(u_e(y))
	//
	// The same family of maps, but Adam moves m in the units of the base
	// space rather than the data's divided by σ: on narrow conditionals
	// (correlated columns, σ ≪ 1) training gets further in the same
	// steps (see tools/realdata). The forward never uses ops.MADESample.
	DensityParams bool
}

// NewMaskedAutoregressiveFlow returns the flow for a network with Params = 2.
func NewMaskedAutoregressiveFlow(net *AutoregressiveNetwork, scale ops.ScaleFn) (*MaskedAutoregressiveFlow, error) {
	if net == nil {
		return nil, fmt.Errorf("MaskedAutoregressiveFlow: network is nil")
	}
	if net.cfg.Params != 2 {
		return nil, fmt.Errorf("MaskedAutoregressiveFlow: network has params = %d, expected 2 (shift and log-scale)", net.cfg.Params)
	}
	if !scale.Valid() {
		return nil, fmt.Errorf("MaskedAutoregressiveFlow: unknown scale function %v", scale)
	}
	return &MaskedAutoregressiveFlow{Net: net, Scale: scale}, nil
}

func (m *MaskedAutoregressiveFlow) String() string {
	dp := ""
	if m.DensityParams {
		dp = ", density-params"
	}
	if c := m.Net.cfg.ContextSize; c > 0 {
		return fmt.Sprintf("MaskedAutoregressiveFlow(D=%d, hidden=%v, scale=%v%s, context=%d)", m.Net.cfg.EventSize, m.Net.cfg.HiddenUnits, m.Scale, dp, c)
	}
	return fmt.Sprintf("MaskedAutoregressiveFlow(D=%d, hidden=%v, scale=%v%s)", m.Net.cfg.EventSize, m.Net.cfg.HiddenUnits, m.Scale, dp)
}

// ContextSize is the width C of the context [N, C] that the flow's network
// is conditioned on (Graph.Context), 0 for an unconditional flow:
// y = f(x; c), with shift and log-scale MADE(y, c).
func (m *MaskedAutoregressiveFlow) ContextSize() int { return m.Net.cfg.ContextSize }
func (m *MaskedAutoregressiveFlow) EventSize() int   { return m.Net.cfg.EventSize }
func (m *MaskedAutoregressiveFlow) Params() []*Param { return m.Net.Params() }

// Triangular reports that the Jacobian is triangular in the input order.
func (m *MaskedAutoregressiveFlow) Triangular() bool { return true }

func (m *MaskedAutoregressiveFlow) InverseNode(g *Graph, y *gorgonia.Node) (*gorgonia.Node, *gorgonia.Node, error) {
	h, err := m.netNode(g, y)
	if err != nil {
		return nil, nil, err
	}
	if m.DensityParams {
		return m.affine(g, false, y, h)
	}
	if g.CPU && !g.Training {
		return m.affineScaled(true, y, h)
	}
	if g.CPU { // a CPU training graph: the transform and its log-det in one op, its gradient evaluating σ once
		return m.density(y, h)
	}
	x, err := Apply(ops.NewAffineAR(true, m.Scale), y, h)
	if err != nil {
		return nil, nil, err
	}
	ildj, err := Apply(ops.NewLogScaleSum(m.Scale, -1), h)
	return x, ildj, err
}

// affine is the affine transform of v by the network output h and its
// log-det, forward (v·σ + m) or inverse ((v - m)/σ): the eager CPU form
// when g is not differentiated, else AffineAR and LogScaleSum.
func (m *MaskedAutoregressiveFlow) affine(g *Graph, inverse bool, v, h *gorgonia.Node) (*gorgonia.Node, *gorgonia.Node, error) {
	if g.CPU && !g.Training {
		return m.affineScaled(inverse, v, h)
	}
	out, err := Apply(ops.NewAffineAR(inverse, m.Scale), v, h)
	if err != nil {
		return nil, nil, err
	}
	sign := 1.0
	if inverse {
		sign = -1
	}
	ldj, err := Apply(ops.NewLogScaleSum(m.Scale, sign), h)
	return out, ldj, err
}

// density is the inverse x and its log-det as ops.AffineARDensity's output
// [N, D+1], split into x (Columns) and the log-det (LastColumn).
func (m *MaskedAutoregressiveFlow) density(y, h *gorgonia.Node) (*gorgonia.Node, *gorgonia.Node, error) {
	o, err := Apply(ops.NewAffineARDensity(m.Scale), y, h)
	if err != nil {
		return nil, nil, err
	}
	xc, err := ops.NewColumns(0, m.EventSize())
	if err != nil {
		return nil, nil, err
	}
	x, err := Apply(xc, o)
	if err != nil {
		return nil, nil, err
	}
	ildj, err := Apply(ops.NewLastColumn(), o)
	return x, ildj, err
}

// affineScaled is the eager CPU form of the affine transform of v by the
// network output h and its log-det: the scales σ(u) evaluated once
// (ops.Scales), then the transform and the log-det from them.
func (m *MaskedAutoregressiveFlow) affineScaled(inverse bool, v, h *gorgonia.Node) (*gorgonia.Node, *gorgonia.Node, error) {
	s, err := Apply(ops.NewScales(m.Scale), h)
	if err != nil {
		return nil, nil, err
	}
	out, err := Apply(ops.NewAffineARScaled(inverse), v, h, s)
	if err != nil {
		return nil, nil, err
	}
	sign := 1.0
	if inverse {
		sign = -1
	}
	ldj, err := Apply(ops.NewLogSumScales(m.Scale, sign), s, h)
	return out, ldj, err
}

// ForwardNode adds the sampling path. On a CPU graph that is not
// differentiated (g.CPU, not g.Training) the D passes are one
// ops.MADESample, which does one masked pass's work and gives the same
// values, bounded conditioner inputs and DensityParams included; otherwise
// (a training graph, a graph for another device, a conditional or unsorted
// network) it is D network passes.
func (m *MaskedAutoregressiveFlow) ForwardNode(g *Graph, x *gorgonia.Node) (*gorgonia.Node, *gorgonia.Node, error) {
	if g.CPU && !g.Training {
		opts := ops.MADESampleOptions{Inverse: m.DensityParams, InputBound: m.InputBound}
		if o, ok, err := m.Net.sampleNode(g, x, m.Scale, opts); ok || err != nil {
			if err != nil {
				return nil, nil, err
			}
			return m.sampled(o)
		}
	}
	h, err := m.firstPass(g, x)
	if err != nil {
		return nil, nil, err
	}
	// DensityParams: (m, σ) map y to x, so sampling inverts that map.
	y, err := Apply(ops.NewAffineAR(m.DensityParams, m.Scale), x, h)
	if err != nil {
		return nil, nil, err
	}
	for pass := 1; pass < m.EventSize(); pass++ {
		if h, err = m.netNode(g, y); err != nil {
			return nil, nil, err
		}
		if y, err = Apply(ops.NewAffineAR(m.DensityParams, m.Scale), x, h); err != nil {
			return nil, nil, err
		}
	}
	sign := 1.0
	if m.DensityParams {
		sign = -1
	}
	fldj, err := Apply(ops.NewLogScaleSum(m.Scale, sign), h)
	return y, fldj, err
}

// sampled splits MADESample's output [N, 3D] into y (its last D columns,
// AffineAR's y of the final network output, bit for bit) and the log-det
// of the network output h (its first 2D columns). A graph that needs only
// y never computes the log-det.
func (m *MaskedAutoregressiveFlow) sampled(o *gorgonia.Node) (*gorgonia.Node, *gorgonia.Node, error) {
	d := m.EventSize()
	yc, err := ops.NewColumns(2*d, 3*d)
	if err != nil {
		return nil, nil, err
	}
	hc, err := ops.NewColumns(0, 2*d)
	if err != nil {
		return nil, nil, err
	}
	y, err := Apply(yc, o)
	if err != nil {
		return nil, nil, err
	}
	h, err := Apply(hc, o)
	if err != nil {
		return nil, nil, err
	}
	sign := 1.0
	if m.DensityParams { // (m, σ) map y to x: the sampling direction's log-det is -Σ log σ
		sign = -1
	}
	fldj, err := Apply(ops.NewLogScaleSum(m.Scale, sign), h)
	return y, fldj, err
}

// firstPass returns the network's output for y = 0, the start of sampling.
// Without a context it is the same for every row: the network runs once on
// a zero row and is broadcast. With one it runs on a zero batch, since the
// context differs from row to row.
func (m *MaskedAutoregressiveFlow) firstPass(g *Graph, x *gorgonia.Node) (*gorgonia.Node, error) {
	if m.ContextSize() > 0 {
		z, err := Apply(ops.NewZerosLike(), x)
		if err != nil {
			return nil, err
		}
		return m.Net.Node(g, z)
	}
	h0, err := m.Net.Node(g, g.ZeroRow(m.EventSize()))
	if err != nil {
		return nil, err
	}
	return Apply(ops.NewRepeatRows(), h0, x)
}
