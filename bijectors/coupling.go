package bijectors

import (
	"fmt"
	"math"

	"github.com/nflowgo/nflow/ops"
	"gorgonia.org/gorgonia"
)

// NumMaskedFromFraction returns the num_masked of TFP's fraction_masked:
// round(fraction·D), negative for a negative fraction (the last units pass
// through). fraction must be in (-1, 1) and give 1 <= |num_masked| <= D-1.
func NumMaskedFromFraction(eventSize int, fraction float64) (int, error) {
	if !(math.Abs(fraction) < 1) {
		return 0, fmt.Errorf("coupling: fraction masked %g, expected a value in (-1, 1)", fraction)
	}
	m := int(math.Round(fraction * float64(eventSize)))
	if m == 0 || abs(m) >= eventSize {
		return 0, fmt.Errorf("coupling: fraction masked %g of %d units masks %d, expected 1..%d units", fraction, eventSize, abs(m), eventSize-1)
	}
	return m, nil
}

func abs(m int) int {
	if m < 0 {
		return -m
	}
	return m
}

// coupling is what RealNVP and NeuralSplineCoupling share: which units pass
// through, the conditioner, and the split-transform-join graph.
type coupling struct {
	numMasked int
	net       *CouplingNetwork
}

func newCoupling(name string, numMasked int, net *CouplingNetwork, params int) (coupling, error) {
	if net == nil {
		return coupling{}, fmt.Errorf("%s: network is nil", name)
	}
	if numMasked == 0 || abs(numMasked) != net.cfg.InputSize {
		return coupling{}, fmt.Errorf("%s: num_masked = %d, expected ±%d (the network's input size)", name, numMasked, net.cfg.InputSize)
	}
	if net.cfg.Params != params {
		return coupling{}, fmt.Errorf("%s: network has params = %d, expected %d", name, net.cfg.Params, params)
	}
	return coupling{numMasked: numMasked, net: net}, nil
}

func (c *coupling) eventSize() int { return c.net.cfg.InputSize + c.net.cfg.OutputSize }

// blocks returns the column ranges of the pass-through and transformed units.
func (c *coupling) blocks() (pass, trans [2]int) {
	d, m := c.eventSize(), abs(c.numMasked)
	if c.numMasked > 0 {
		return [2]int{0, m}, [2]int{m, d}
	}
	return [2]int{d - m, d}, [2]int{0, d - m}
}

// transformFn applies the elementwise transform to the units v with the
// network output h and returns them with the log-det row sum.
type transformFn func(v, h *gorgonia.Node) (out, ldj *gorgonia.Node, err error)

// node builds y = [x_pass, t(x_trans; net(x_pass))] (or its mirror for a
// negative num_masked) and the transform's log-det.
func (c *coupling) node(g *Graph, v *gorgonia.Node, t transformFn) (*gorgonia.Node, *gorgonia.Node, error) {
	pb, tb := c.blocks()
	pop, err := ops.NewColumns(pb[0], pb[1])
	if err != nil {
		return nil, nil, err
	}
	top, err := ops.NewColumns(tb[0], tb[1])
	if err != nil {
		return nil, nil, err
	}
	pass, err := Apply(pop, v)
	if err != nil {
		return nil, nil, err
	}
	trans, err := Apply(top, v)
	if err != nil {
		return nil, nil, err
	}
	h, err := c.net.Node(g, pass)
	if err != nil {
		return nil, nil, err
	}
	out, ldj, err := t(trans, h)
	if err != nil {
		return nil, nil, err
	}
	var y *gorgonia.Node
	if c.numMasked > 0 {
		y, err = Apply(ops.NewConcat(), pass, out)
	} else {
		y, err = Apply(ops.NewConcat(), out, pass)
	}
	return y, ldj, err
}

// RealNVP is the affine coupling layer of Dinh et al. (2017), as
// tfb.RealNVP with a shift-and-log-scale network. With d = NumMasked > 0
// the first d units pass through and condition an affine map of the rest:
//
//	forward (sampling): y[:d] = x[:d],  y[d:] = x[d:]·σ(u(x[:d])) + m(x[:d])
//	inverse (density):  x[:d] = y[:d],  x[d:] = (y[d:] - m(y[:d])) / σ(u(y[:d]))
//	FLDJ(x) = Σ_e log σ(u_e(x[:d])),  ILDJ(y) = -Σ_e log σ(u_e(y[:d]))
//
// where (m, u) = Net(x[:d]) in AffineAR's interleaved layout. A negative
// NumMasked passes the last |d| units through instead (TFP's convention).
// Both directions are one network pass; stacks alternate the pass-through
// half with Permute. σ is the Scale function of ops.AffineAR (TFP's is
// ops.ScaleExp). Cost: one network pass plus O(D) per row, either way.
type RealNVP struct {
	coupling
	Scale ops.ScaleFn
}

// NewRealNVP returns the layer for num_masked d (|d| = the network's input
// size, the network's output size is D - |d|) and a network with Params = 2.
func NewRealNVP(numMasked int, net *CouplingNetwork, scale ops.ScaleFn) (*RealNVP, error) {
	c, err := newCoupling("RealNVP", numMasked, net, 2)
	if err != nil {
		return nil, err
	}
	if !scale.Valid() {
		return nil, fmt.Errorf("RealNVP: unknown scale function %v", scale)
	}
	return &RealNVP{coupling: c, Scale: scale}, nil
}

// String names the bijector and its sizes.
func (r *RealNVP) String() string {
	return fmt.Sprintf("RealNVP(D=%d, num_masked=%d, hidden=%v, scale=%v%s)", r.eventSize(), r.numMasked,
		r.net.cfg.HiddenUnits, r.Scale, contextSuffix(r.net.cfg.ContextSize))
}

func contextSuffix(c int) string {
	if c > 0 {
		return fmt.Sprintf(", context=%d", c)
	}
	return ""
}

// NumMasked is TFP's num_masked: the number of units passed through, the
// first ones when positive, the last when negative.
func (c *coupling) NumMasked() int { return c.numMasked }

// Net returns the conditioner network.
func (c *coupling) Net() *CouplingNetwork { return c.net }

// EventSize is D.
func (c *coupling) EventSize() int { return c.eventSize() }

// Params returns the conditioner's parameters.
func (c *coupling) Params() []*Param { return c.net.Params() }

// ContextSize is the conditioner's context size C (0: unconditional).
func (c *coupling) ContextSize() int { return c.net.cfg.ContextSize }

// Triangular reports whether the Jacobian is lower triangular in the
// natural order: when the first units pass through.
func (c *coupling) Triangular() bool { return c.numMasked > 0 }

// ForwardNode adds y = f(x) and the forward log-det [N] to g.
func (r *RealNVP) ForwardNode(g *Graph, x *gorgonia.Node) (*gorgonia.Node, *gorgonia.Node, error) {
	return r.node(g, x, r.transform(false))
}

// InverseNode adds x = f⁻¹(y) and the inverse log-det [N] to g.
func (r *RealNVP) InverseNode(g *Graph, y *gorgonia.Node) (*gorgonia.Node, *gorgonia.Node, error) {
	return r.node(g, y, r.transform(true))
}

func (r *RealNVP) transform(inverse bool) transformFn {
	return func(v, h *gorgonia.Node) (*gorgonia.Node, *gorgonia.Node, error) {
		out, err := Apply(ops.NewAffineAR(inverse, r.Scale), v, h)
		if err != nil {
			return nil, nil, err
		}
		sign := 1.0
		if inverse {
			sign = -1
		}
		ldj, err := Apply(ops.NewLogScaleSum(r.Scale, sign), h)
		return out, ldj, err
	}
}

// NeuralSplineCoupling is the rational-quadratic coupling layer of Durkan
// et al. (2019), RQ-NSF (C): RealNVP with the affine map replaced by an
// elementwise monotonic rational-quadratic spline of K bins on [-B, B]
// (identity outside), as tfb.RealNVP with a bijector_fn returning
// tfb.RationalQuadraticSpline. With d = NumMasked > 0:
//
//	forward: y[:d] = x[:d],  y[d:] = g(x[d:]; θ(x[:d]))
//	inverse: x[:d] = y[:d],  x[d:] = g⁻¹(y[d:]; θ(y[:d]))
//
// θ = Net(x[:d]) has 3K-1 parameters per transformed unit in
// ops.RQSplineKnots' layout. Both directions are one network pass plus O(K)
// per transformed unit.
type NeuralSplineCoupling struct {
	coupling
	Bins  int
	Bound float64
}

// NewNeuralSplineCoupling returns the layer for num_masked d, K = bins on
// [-bound, bound] and a network with Params = 3K-1.
func NewNeuralSplineCoupling(numMasked int, net *CouplingNetwork, bins int, bound float64) (*NeuralSplineCoupling, error) {
	if _, err := ops.NewRQSpline(bins, bound, false); err != nil {
		return nil, fmt.Errorf("NeuralSplineCoupling: %w", err)
	}
	c, err := newCoupling("NeuralSplineCoupling", numMasked, net, ops.SplineParams(bins))
	if err != nil {
		return nil, err
	}
	return &NeuralSplineCoupling{coupling: c, Bins: bins, Bound: bound}, nil
}

// String names the bijector and its sizes.
func (s *NeuralSplineCoupling) String() string {
	return fmt.Sprintf("NeuralSplineCoupling(D=%d, num_masked=%d, hidden=%v, bins=%d, bound=%g%s)", s.eventSize(), s.numMasked,
		s.net.cfg.HiddenUnits, s.Bins, s.Bound, contextSuffix(s.net.cfg.ContextSize))
}

// ForwardNode adds y = f(x) and the forward log-det [N] to g.
func (s *NeuralSplineCoupling) ForwardNode(g *Graph, x *gorgonia.Node) (*gorgonia.Node, *gorgonia.Node, error) {
	return s.node(g, x, splineTransform(s.Bins, s.Bound, false))
}

// InverseNode adds x = f⁻¹(y) and the inverse log-det [N] to g.
func (s *NeuralSplineCoupling) InverseNode(g *Graph, y *gorgonia.Node) (*gorgonia.Node, *gorgonia.Node, error) {
	return s.node(g, y, splineTransform(s.Bins, s.Bound, true))
}

// splineTransform returns the spline and its log-det in one direction,
// with the parameters h normalized once for both.
func splineTransform(bins int, bound float64, inverse bool) transformFn {
	return func(v, h *gorgonia.Node) (*gorgonia.Node, *gorgonia.Node, error) {
		kap, err := splineKnots(bins, bound, h)
		if err != nil {
			return nil, nil, err
		}
		return splineNodes(bins, bound, inverse, v, kap)
	}
}

// splineKnots normalizes the raw spline parameters h [N, D·(3K-1)].
func splineKnots(bins int, bound float64, h *gorgonia.Node) (*gorgonia.Node, error) {
	return splineKnotsOf(SoftplusKnots, bins, bound, h)
}

// splineNodes adds the spline of knots κ applied to v and its log-det.
func splineNodes(bins int, bound float64, inverse bool, v, kap *gorgonia.Node) (*gorgonia.Node, *gorgonia.Node, error) {
	sp, err := ops.NewRQSpline(bins, bound, inverse)
	if err != nil {
		return nil, nil, err
	}
	ld, err := ops.NewRQSplineLogDet(bins, bound, inverse)
	if err != nil {
		return nil, nil, err
	}
	out, err := Apply(sp, v, kap)
	if err != nil {
		return nil, nil, err
	}
	ldj, err := Apply(ld, v, kap)
	return out, ldj, err
}
