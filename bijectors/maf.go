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
// forward is D sequential passes (each pass fixes one more degree), so a
// MAF evaluates densities fast and samples slowly. Invert(MAF) is an IAF,
// with the costs swapped.
//
// σ is the Scale function: ops.ScaleSoftplus (the default) bounds the scale
// and trains better on two moons; ops.ScaleExp is TFP's exact σ = exp(u).
type MaskedAutoregressiveFlow struct {
	Net   *AutoregressiveNetwork
	Scale ops.ScaleFn
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
	return fmt.Sprintf("MaskedAutoregressiveFlow(D=%d, hidden=%v, scale=%v)", m.Net.cfg.EventSize, m.Net.cfg.HiddenUnits, m.Scale)
}
func (m *MaskedAutoregressiveFlow) EventSize() int   { return m.Net.cfg.EventSize }
func (m *MaskedAutoregressiveFlow) Params() []*Param { return m.Net.Params() }

// Triangular reports that the Jacobian is triangular in the input order.
func (m *MaskedAutoregressiveFlow) Triangular() bool { return true }

func (m *MaskedAutoregressiveFlow) InverseNode(g *Graph, y *gorgonia.Node) (*gorgonia.Node, *gorgonia.Node, error) {
	h, err := m.Net.Node(g, y)
	if err != nil {
		return nil, nil, err
	}
	x, err := Apply(ops.NewAffineAR(true, m.Scale), y, h)
	if err != nil {
		return nil, nil, err
	}
	ildj, err := Apply(ops.NewLogScaleSum(m.Scale, -1), h)
	return x, ildj, err
}

func (m *MaskedAutoregressiveFlow) ForwardNode(g *Graph, x *gorgonia.Node) (*gorgonia.Node, *gorgonia.Node, error) {
	// Pass 1 starts from y = 0, the same for every row: run the network
	// once on a zero row and broadcast it.
	h0, err := m.Net.Node(g, g.ZeroRow(m.EventSize()))
	if err != nil {
		return nil, nil, err
	}
	h, err := Apply(ops.NewRepeatRows(), h0, x)
	if err != nil {
		return nil, nil, err
	}
	y, err := Apply(ops.NewAffineAR(false, m.Scale), x, h)
	if err != nil {
		return nil, nil, err
	}
	for pass := 1; pass < m.EventSize(); pass++ {
		if h, err = m.Net.Node(g, y); err != nil {
			return nil, nil, err
		}
		if y, err = Apply(ops.NewAffineAR(false, m.Scale), x, h); err != nil {
			return nil, nil, err
		}
	}
	fldj, err := Apply(ops.NewLogScaleSum(m.Scale, 1), h)
	return y, fldj, err
}
