package vi

import (
	"fmt"
	"math/rand/v2"

	"github.com/nflowgo/nflow/bijectors"
	"github.com/nflowgo/nflow/dist"
	"github.com/nflowgo/nflow/engine"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// step is one compiled VI step for a batch of n base samples ε [n, D]:
//
//	x = f(ε),  log q(x) = log q₀(ε) - FLDJ(ε),  L = mean(log q(x) - β log p̃(x)),
//
// and the gradient of L with respect to q's parameters, in the order of
// q.Params(). With the path-gradient estimator ("sticking the landing",
// Roeder et al. 2017) the log q in L is f⁻¹'s density evaluated with
// stopped parameters, so only the path through x carries gradient; its
// variance vanishes as q approaches p. The program's outputs are L,
// log p̃(x), log q₀(ε), FLDJ(ε), then the gradients; Run does not
// allocate.
type step struct {
	prog    *engine.Program
	eps     *tensor.Dense
	eps32   []float32 // eps's memory, by dtype
	eps64   []float64
	beta    float64 // read by the loss op at every run
	n, d    int
	g32     [][]float32
	g64     [][]float64
	logp    []float64 // this run's log p̃(x) and log q(x), filled by read
	logq    []float64
	loc, sd []float64 // q's base as loc + sd·z, or nil to call Base.Sample
	base    dist.Distribution
	rb      ReparameterizedBase // a trainable base, sampled in the graph from noise
	noise   []float64
	weights []float64 // row weights of a stratified base (nil: all 1), filled by run
	first   int       // output index of the first gradient
}

func newStep(q *dist.TransformedDistribution, t Target, n int, pathGradient bool) (*step, error) {
	d := q.EventSize()
	g, err := bijectors.NewGraph(q.DType())
	if err != nil {
		return nil, err
	}
	g.Training = true
	// The program's input: base samples ε [n, D], or the noise u of a
	// reparameterized base with ε = x₀(u) drawn inside the graph.
	in := g.Input("eps", n, d)
	eps := in
	rb, trainableBase := q.Base.(ReparameterizedBase)
	if trainableBase {
		in = g.Input("u", n, rb.NoiseSize())
		if eps, err = rb.SampleNode(g, in); err != nil {
			return nil, err
		}
	}
	x, fldj, err := q.Bijector.ForwardNode(g, eps)
	if err != nil {
		return nil, err
	}
	lb, err := q.Base.LogProbNode(g, eps)
	if err != nil {
		return nil, err
	}
	// Read the parameters in q's order before a detached graph can add its own.
	if _, err := paramNodes(g, q); err != nil {
		return nil, err
	}
	lp, err := gorgonia.ApplyOp(newTargetOp(t), x)
	if err != nil {
		return nil, err
	}
	// A stratified base weighs its rows (GaussianMixture: K π_k).
	var rw *gorgonia.Node
	if sb, ok := q.Base.(interface {
		RowWeightNode(*bijectors.Graph, *gorgonia.Node) (*gorgonia.Node, error)
	}); ok && trainableBase {
		if rw, err = sb.RowWeightNode(g, in); err != nil {
			return nil, err
		}
	}
	terms, signs := gorgonia.Nodes{lb, fldj}, []float64{1, -1}
	if pathGradient {
		lqStop, err := q.LogProbNode(g.Detached(), x)
		if err != nil {
			return nil, fmt.Errorf("vi: path gradient: the flow's density (inverse) direction: %w", err)
		}
		terms, signs = gorgonia.Nodes{lqStop}, []float64{1}
	}
	terms = append(terms, lp)
	if rw != nil {
		terms = append(terms, rw)
	}
	loss, err := gorgonia.ApplyOp(newKLLossOp(nil, rw != nil, signs...), terms...)
	if err != nil {
		return nil, err
	}
	st := &step{n: n, d: d, base: q.Base, logp: make([]float64, n), logq: make([]float64, n), beta: 1}
	loss.Op().(*klLossOp).beta = &st.beta
	nodes, err := paramNodes(g, q)
	if err != nil {
		return nil, err
	}
	grads, err := gorgonia.Grad(loss, nodes...)
	if err != nil {
		return nil, err
	}
	outs := gorgonia.Nodes{loss, lp, lb, fldj}
	if rw != nil {
		outs = append(outs, rw)
		st.weights = make([]float64, n)
	}
	st.first = len(outs)
	if st.prog, err = engine.Compile(g.G, gorgonia.Nodes{in}, append(outs, grads...), engine.CPU); err != nil {
		return nil, err
	}
	st.eps = st.prog.Input(0)
	if q.DType() == tensor.Float32 {
		st.eps32 = st.eps.Float32s()
	} else {
		st.eps64 = st.eps.Float64s()
	}
	for i := range grads {
		switch v := st.prog.Output(st.first + i).Data().(type) {
		case []float32:
			st.g32 = append(st.g32, v)
		case []float64:
			st.g64 = append(st.g64, v)
		}
	}
	if m, ok := q.Base.(*dist.MultivariateNormalDiag); ok {
		st.loc, st.sd = m.Loc(), m.ScaleDiag()
	}
	if trainableBase {
		st.rb, st.noise = rb, make([]float64, n*rb.NoiseSize())
	}
	return st, nil
}

// paramNodes returns the nodes of q's parameters in g, in q.Params()
// order, or an error naming one the graph does not read.
func paramNodes(g *bijectors.Graph, q dist.Distribution) (gorgonia.Nodes, error) {
	ps, read := g.Params()
	nodeOf := make(map[*bijectors.Param]*gorgonia.Node, len(ps))
	for i, p := range ps {
		nodeOf[p] = read[i]
	}
	nodes := make(gorgonia.Nodes, len(q.Params()))
	for i, p := range q.Params() {
		if nodes[i] = nodeOf[p]; nodes[i] == nil {
			return nil, fmt.Errorf("vi: the sampling pass does not read parameter %d (%s)", i, p.Name)
		}
	}
	return nodes, nil
}

// sample fills the input with base draws ε, or with the noise of a
// reparameterized base, without allocating for a diagonal Gaussian or a
// reparameterized base.
func (s *step) sample(rng *rand.Rand) error {
	if s.rb != nil {
		s.rb.Noise(s.noise, rng)
		for i, v := range s.noise {
			if s.eps32 != nil {
				s.eps32[i] = float32(v)
			} else {
				s.eps64[i] = v
			}
		}
		return nil
	}
	if s.loc != nil {
		for i := range s.eps32 {
			s.eps32[i] = float32(s.loc[i%s.d] + s.sd[i%s.d]*rng.NormFloat64())
		}
		for i := range s.eps64 {
			s.eps64[i] = s.loc[i%s.d] + s.sd[i%s.d]*rng.NormFloat64()
		}
		return nil
	}
	e, err := s.base.Sample(s.n, rng)
	if err != nil {
		return err
	}
	if s.eps32 != nil {
		copy(s.eps32, e.Float32s())
	} else {
		copy(s.eps64, e.Float64s())
	}
	return nil
}

// run executes the step and reads the loss, log p̃ and log q back.
func (s *step) run() float64 {
	s.prog.Run()
	if s.g32 != nil {
		lp, lb, fl := s.prog.Output(1).Float32s(), s.prog.Output(2).Float32s(), s.prog.Output(3).Float32s()
		for i := range s.logp {
			s.logp[i], s.logq[i] = float64(lp[i]), float64(lb[i])-float64(fl[i])
		}
		if s.weights != nil {
			for i, w := range s.prog.Output(4).Float32s() {
				s.weights[i] = float64(w)
			}
		}
		return float64(s.prog.Output(0).Float32s()[0])
	}
	lp, lb, fl := s.prog.Output(1).Float64s(), s.prog.Output(2).Float64s(), s.prog.Output(3).Float64s()
	for i := range s.logp {
		s.logp[i], s.logq[i] = lp[i], lb[i]-fl[i]
	}
	if s.weights != nil {
		copy(s.weights, s.prog.Output(4).Float64s())
	}
	return s.prog.Output(0).Float64s()[0]
}

// gradsFinite reports whether every gradient is finite.
func (s *step) gradsFinite() bool {
	if s.g32 != nil {
		return engine.AllFinite32(s.g32)
	}
	return engine.AllFinite64(s.g64)
}

// update applies Adam to the gradients of the last run.
func (s *step) update(opt *engine.Adam) {
	if s.g32 != nil {
		opt.Step32(s.g32)
	} else {
		opt.Step64(s.g64)
	}
}

// newAdamFor returns Adam with Config's defaults for values.
func newAdamFor(values []*tensor.Dense) (*engine.Adam, error) {
	return engine.NewAdam(values, 1e-3, 0, 0, 0)
}
