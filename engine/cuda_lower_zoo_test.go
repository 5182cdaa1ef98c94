package engine_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"testing"

	"github.com/nflowgo/nflow/bijectors"
	"github.com/nflowgo/nflow/dist"
	"github.com/nflowgo/nflow/engine"
	"github.com/nflowgo/nflow/flows"
	"github.com/nflowgo/nflow/ops"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// zooKernels are the kernels of the flow zoo's ops (kernels/columns.cu,
// actnorm.cu, lu.cu, batchnorm.cu, spline.cu), all of which
// TestLoweredZooPlansMatchCPU must launch.
var zooKernels = []string{
	"columns", "columns_grad", "concat",
	"actnorm", "actnorm_grad_v", "actnorm_grad_param", "actnorm_logdet", "actnorm_logdet_grad",
	"lu_matvec", "lu_matvec_grad_v", "lu_outer", "lu_grad_finish", "lu_logdet", "lu_logdet_grad",
	"batchnorm", "batchnorm_grad", "batchnorm_logdet", "batchnorm_logdet_grad",
	"rq_spline_knots", "rq_spline_knots_grad", "rq_spline", "rq_spline_grad", "rq_spline_logdet", "rq_spline_logdet_grad",
}

// zooReducing are the kernels that reduce in shared memory: their blocks
// must not exceed the kernels' RED_BLOCK of 256 threads.
var zooReducing = map[string]bool{
	"actnorm_grad_param": true, "actnorm_logdet_grad": true, "lu_outer": true, "lu_grad_finish": true, "lu_logdet_grad": true,
	"batchnorm": true, "batchnorm_grad": true, "batchnorm_logdet": true, "batchnorm_logdet_grad": true,
}

// zooEmulator emulates the zoo's kernels for emulate: each launch's
// arguments are decoded into the op they stand for, whose CPU kernel then
// runs on the decoded buffers.
type zooEmulator struct {
	perms [][]int              // the plan's integer constants
	outer map[*float32]luOuter // lu_outer launches awaiting their lu_grad_finish, by M's buffer
}

// luOuter is a decoded lu_outer launch: M = Σ_r g[r, p(i)]·x[r, k].
type luOuter struct {
	g, x    []float32
	perm    []int
	n, d    int
	inverse bool
}

// zooGradOp returns the gradient op of op with respect to input wrt, taken
// from op's SymDiff on a graph of float32 inputs of the given shapes.
func zooGradOp(op gorgonia.SDOp, wrt int, shapes ...tensor.Shape) ops.Kernel {
	g := gorgonia.NewGraph()
	in := make(gorgonia.Nodes, len(shapes))
	for i, s := range shapes {
		in[i] = gorgonia.NewTensor(g, tensor.Float32, len(s), gorgonia.WithShape(s...), gorgonia.WithName(fmt.Sprint("in", i)))
	}
	y := must(gorgonia.ApplyOp(op, in...))
	gy := gorgonia.NewTensor(g, tensor.Float32, len(y.Shape()), gorgonia.WithShape(y.Shape()...), gorgonia.WithName("gy"))
	return must(op.SymDiff(in, y, gy))[wrt].Op().(ops.Kernel)
}

// emulate runs launch l if it is a zoo kernel and reports whether it was.
func (z *zooEmulator) emulate(t *testing.T, l engine.Launch, ptr func(int) []float32, num func(int) int) bool {
	t.Helper()
	dbl := func(i int) float64 { // a double passed as its bits in a long long slot
		if l.Args[i].Kind != engine.ArgInt {
			t.Fatalf("%s arg %d is not an integer slot", l.Kernel, i)
		}
		return math.Float64frombits(l.Args[i].Value)
	}
	perm := func(i int) []int {
		if l.Args[i].Kind != engine.ArgConst || z.perms[l.Args[i].Index] == nil {
			t.Fatalf("%s arg %d is not an integer constant", l.Kernel, i)
		}
		return z.perms[l.Args[i].Index]
	}
	diagSign := func(i int) []float64 { // nullable
		if l.Args[i].Kind == engine.ArgNull {
			return nil
		}
		return f64s(ptr(i))
	}
	if zooReducing[l.Kernel] && (l.Block != [3]int{256, 1, 1} || l.Grid[0] < 1 || l.Grid[0] > 65535) {
		t.Fatalf("%s launched as grid %v block %v; it reduces in blocks of 256", l.Kernel, l.Grid, l.Block)
	}
	sh := func(dims ...int) tensor.Shape { return tensor.Shape(dims) }
	run := func(k ops.Kernel, out []float32, ins [][]float32, shapes ...tensor.Shape) { k.Exec32(out, ins, shapes) }
	zeros := func(n int) []float32 { return make([]float32, n) }
	switch l.Kernel {
	case "columns":
		n, d, lo, w := num(2), num(3), num(4), num(5)
		run(must(ops.NewColumns(lo, lo+w)), ptr(1)[:n*w], [][]float32{ptr(0)[:n*d]}, sh(n, d))
	case "columns_grad":
		n, d, lo, w := num(2), num(3), num(4), num(5)
		op := zooGradOp(must(ops.NewColumns(lo, lo+w)), 0, sh(1, d))
		run(op, ptr(1)[:n*d], [][]float32{zeros(n * d), ptr(0)[:n*w]}, sh(n, d), sh(n, w))
	case "concat":
		n, da, db := num(3), num(4), num(5)
		run(ops.NewConcat(), ptr(2)[:n*(da+db)], [][]float32{ptr(0)[:n*da], ptr(1)[:n*db]}, sh(n, da), sh(n, db))

	case "actnorm":
		n, d := num(4), num(5)
		run(ops.NewActNorm(num(6) == 1), ptr(3)[:n*d], [][]float32{ptr(0)[:n*d], ptr(1)[:d], ptr(2)[:d]})
	case "actnorm_grad_v":
		n, d := num(3), num(4)
		op := zooGradOp(ops.NewActNorm(num(5) == 1), 0, sh(1, d), sh(d), sh(d))
		run(op, ptr(2)[:n*d], [][]float32{zeros(n * d), ptr(0)[:d], zeros(d), ptr(1)[:n*d]})
	case "actnorm_grad_param":
		n, d := num(5), num(6)
		op := zooGradOp(ops.NewActNorm(num(7) == 1), num(8), sh(1, d), sh(d), sh(d))
		run(op, ptr(4)[:d], [][]float32{ptr(0)[:n*d], ptr(1)[:d], ptr(2)[:d], ptr(3)[:n*d]})
	case "actnorm_logdet":
		n, d := num(2), num(3)
		run(ops.NewActNormLogDet(dbl(4)), ptr(1)[:n], [][]float32{zeros(n * d), ptr(0)[:d]}, sh(n, d), sh(d))
	case "actnorm_logdet_grad":
		n, d := num(2), num(3)
		op := zooGradOp(ops.NewActNormLogDet(dbl(4)), 1, sh(1, d), sh(d))
		run(op, ptr(1)[:d], [][]float32{zeros(d), ptr(0)[:n]}, sh(d), sh(n))

	case "lu_matvec":
		n, d := num(6), num(7)
		op := must(ops.NewLUMatvec(perm(3), diagSign(4), num(8) == 1))
		run(op, ptr(5)[:n*d], [][]float32{ptr(0)[:n*d], ptr(1)[:d*d], ptr(2)[:d*d]})
	case "lu_matvec_grad_v":
		n, d := num(6), num(7)
		lu := must(ops.NewLUMatvec(perm(3), diagSign(4), num(8) == 1))
		op := zooGradOp(lu, 0, sh(1, d), sh(d, d), sh(d, d))
		run(op, ptr(5)[:n*d], [][]float32{nil, ptr(1)[:d*d], ptr(2)[:d*d], nil, ptr(0)[:n*d]})
	case "lu_outer":
		n, d, inverse := num(4), num(5), num(6) == 1
		o := luOuter{g: ptr(0)[:n*d], x: ptr(1)[:n*d], perm: perm(2), n: n, d: d, inverse: inverse}
		m := ptr(3)[:d*d]
		for i := 0; i < d; i++ {
			gi := o.perm[i]
			if inverse {
				gi = i
			}
			for k := 0; k < d; k++ {
				var s float64
				for r := 0; r < n; r++ {
					s += float64(o.g[r*d+gi]) * float64(o.x[r*d+k])
				}
				m[i*d+k] = float32(s)
			}
		}
		if z.outer == nil {
			z.outer = map[*float32]luOuter{}
		}
		z.outer[&m[0]] = o
	case "lu_grad_finish":
		d, inverse, wrt := num(4), num(5) == 1, num(6)
		m := ptr(3)[:d*d]
		o, ok := z.outer[&m[0]]
		if !ok || o.d != d || o.inverse != inverse {
			t.Fatalf("lu_grad_finish (d %d, inverse %v) does not follow an lu_outer into the same buffer (%+v)", d, inverse, o)
		}
		delete(z.outer, &m[0])
		lu := must(ops.NewLUMatvec(o.perm, diagSign(2), inverse))
		op := zooGradOp(lu, wrt, sh(1, d), sh(d, d), sh(d, d))
		// The op reads v (forward) or its output y (inverse): lu_outer's x.
		run(op, m, [][]float32{o.x, ptr(0)[:d*d], ptr(1)[:d*d], o.x, o.g})
	case "lu_logdet":
		n, d := num(2), num(3)
		run(ops.NewLULogDet(dbl(4), num(5) == 1), ptr(1)[:n], [][]float32{zeros(n * d), ptr(0)[:d*d]}, sh(n, d), sh(d, d))
	case "lu_logdet_grad":
		n, d := num(3), num(4)
		op := zooGradOp(ops.NewLULogDet(dbl(5), num(6) == 1), 1, sh(1, d), sh(d, d))
		run(op, ptr(2)[:d*d], [][]float32{ptr(0)[:d*d], ptr(1)[:n]}, sh(d, d), sh(n))

	case "batchnorm":
		n, d := num(6), num(7)
		op := must(ops.NewBatchNorm(ops.BatchNormMode(num(8)), dbl(9), dbl(10)))
		// The training kernel updates the running moments, ptr(1) and ptr(2), in place.
		run(op, ptr(5)[:n*d], [][]float32{ptr(0)[:n*d], ptr(1)[:d], ptr(2)[:d], ptr(3)[:d], ptr(4)[:d]})
	case "batchnorm_grad":
		n, d, wrt := num(7), num(8), num(10)
		bn := must(ops.NewBatchNorm(ops.BatchNormMode(num(9)), dbl(11), 0.5))
		op := zooGradOp(bn, wrt, sh(1, d), sh(d), sh(d), sh(d), sh(d))
		size := d
		if wrt == 0 {
			size = n * d
		}
		run(op, ptr(6)[:size], [][]float32{ptr(0)[:n*d], ptr(1)[:d], ptr(2)[:d], ptr(3)[:d], ptr(4)[:d], ptr(5)[:n*d]})
	case "batchnorm_logdet":
		n, d := num(4), num(5)
		op := must(ops.NewBatchNormLogDet(num(6) == 1, dbl(7), dbl(8)))
		run(op, ptr(3)[:n], [][]float32{ptr(0)[:n*d], ptr(1)[:d], ptr(2)[:d]})
	case "batchnorm_logdet_grad":
		n, d, wrt := num(3), num(4), num(5)
		ld := must(ops.NewBatchNormLogDet(wrt == 0, dbl(6), dbl(7)))
		op := zooGradOp(ld, wrt, sh(1, d), sh(d), sh(d))
		size := d
		if wrt == 0 {
			size = n * d
		}
		run(op, ptr(2)[:size], [][]float32{ptr(0)[:n*d], zeros(d), zeros(d), ptr(1)[:n]})

	case "rq_spline_knots":
		count, bins := num(2), num(3)
		p, q := ops.SplineParams(bins), ops.SplineKnotParams(bins)
		run(must(ops.NewRQSplineKnots(bins, dbl(4))), ptr(1)[:count*q], [][]float32{ptr(0)[:count*p]})
	case "rq_spline_knots_grad":
		count, bins := num(4), num(5)
		p, q := ops.SplineParams(bins), ops.SplineKnotParams(bins)
		op := zooGradOp(must(ops.NewRQSplineKnots(bins, dbl(6))), 0, sh(1, p))
		run(op, ptr(3)[:count*p], [][]float32{ptr(0)[:count*p], ptr(1)[:count*q], ptr(2)[:count*q]})
	case "rq_spline":
		count, bins := num(3), num(4)
		q := ops.SplineKnotParams(bins)
		run(must(ops.NewRQSpline(bins, dbl(5), num(6) == 1)), ptr(2)[:count], [][]float32{ptr(0)[:count], ptr(1)[:count*q]})
	case "rq_spline_grad":
		count, bins, wrt := num(4), num(5), num(8)
		q := ops.SplineKnotParams(bins)
		op := zooGradOp(must(ops.NewRQSpline(bins, dbl(6), num(7) == 1)), wrt, sh(1, 1), sh(1, q))
		size := count
		if wrt == 1 {
			size = count * q
		}
		run(op, ptr(3)[:size], [][]float32{ptr(0)[:count], ptr(1)[:count*q], ptr(2)[:count]})
	case "rq_spline_logdet":
		n, d, bins := num(3), num(4), num(5)
		q := ops.SplineKnotParams(bins)
		op := must(ops.NewRQSplineLogDet(bins, dbl(6), num(7) == 1))
		run(op, ptr(2)[:n], [][]float32{ptr(0)[:n*d], ptr(1)[:n*d*q]}, sh(n, d), sh(n, d*q))
	case "rq_spline_logdet_grad":
		n, d, bins, wrt := num(4), num(5), num(6), num(9)
		q := ops.SplineKnotParams(bins)
		op := zooGradOp(must(ops.NewRQSplineLogDet(bins, dbl(7), num(8) == 1)), wrt, sh(1, 1), sh(1, q))
		size := n * d
		if wrt == 1 {
			size = n * d * q
		}
		run(op, ptr(3)[:size], [][]float32{ptr(0)[:n*d], ptr(1)[:n*d*q], ptr(2)[:n]}, sh(n, d), sh(n, d*q), sh(n))
	default:
		return false
	}
	return true
}

// zooPlan is a graph to lower: its inputs with their values, and outputs.
type zooPlan struct {
	name    string
	g       *bijectors.Graph
	inputs  gorgonia.Nodes
	feed    []*tensor.Dense
	outputs gorgonia.Nodes
}

// densityPlan is the training step of model on data: the loss
// −mean log p(data) and its gradient with respect to every parameter, in
// a training graph (BatchNormalization's batch statistics) or not.
func densityPlan(model *dist.TransformedDistribution, data *tensor.Dense, training bool) zooPlan {
	n := data.Shape()[0]
	g := must(bijectors.NewGraph(model.DType()))
	g.Training = training
	x := g.Input("x", n, model.EventSize())
	lp := must(model.LogProbNode(g, x))
	cost := must(gorgonia.ApplyOp(ops.NewNegMean(), lp))
	_, params := g.Params()
	outs := append(gorgonia.Nodes{cost, lp}, must(gorgonia.Grad(cost, params...))...)
	return zooPlan{name: fmt.Sprintf("density(training=%v)", training), g: g, inputs: gorgonia.Nodes{x}, feed: []*tensor.Dense{data}, outputs: outs}
}

// forwardPlan runs model's bijector forward (the sampling direction) on z
// and differentiates −mean(log p_base(y) + log|det J|) with respect to
// every parameter, so that the forward direction's gradients run too.
func forwardPlan(model *dist.TransformedDistribution, z *tensor.Dense) zooPlan {
	n := z.Shape()[0]
	g := must(bijectors.NewGraph(model.DType()))
	x := g.Input("z", n, model.EventSize())
	y, ldj := must2(model.Bijector.ForwardNode(g, x))
	lp := must(model.Base.LogProbNode(g, y))
	cost := must(gorgonia.ApplyOp(ops.NewNegMean(), must(gorgonia.Add(lp, ldj))))
	_, params := g.Params()
	outs := append(gorgonia.Nodes{cost, y, ldj}, must(gorgonia.Grad(cost, params...))...)
	return zooPlan{name: "forward", g: g, inputs: gorgonia.Nodes{x}, feed: []*tensor.Dense{z}, outputs: outs}
}

func must2[A, B any](a A, b B, err error) (A, B) {
	if err != nil {
		panic(err)
	}
	return a, b
}

// checkLoweredPlan compiles zp for the CPU, lowers its plan to CUDA
// launches, emulates them from the bound values as they were before the
// CPU run, and compares every output and every bound buffer (parameters
// and the running moments that a training BatchNorm updates in place)
// with the CPU program's. It returns the kernels launched.
func checkLoweredPlan(t *testing.T, zp zooPlan) []string {
	t.Helper()
	prog := must(engine.Compile(zp.g.G, zp.inputs, zp.outputs, engine.CPU))
	cp, err := engine.LowerCUDA(prog.Plan())
	if err != nil {
		t.Fatal(err)
	}
	bufs := make([][]float32, len(cp.Buffers))
	for i, b := range cp.Buffers {
		switch v := b.Value.(type) {
		case *tensor.Dense:
			bufs[i] = append([]float32(nil), v.Float32s()...)
		case *gorgonia.F32:
			bufs[i] = []float32{float32(*v)}
		default:
			bufs[i] = make([]float32, b.Size)
		}
	}
	for k, in := range zp.feed {
		copy(bufs[cp.Inputs[k]], in.Float32s())
		if err := tensor.Copy(prog.Input(k), in); err != nil {
			t.Fatal(err)
		}
	}
	prog.Run()
	emulate(t, cp, bufs)
	close := func(got, want float32, scale float64) bool {
		if math.IsNaN(float64(want)) {
			return math.IsNaN(float64(got))
		}
		return math.Abs(float64(got-want)) <= 1e-4*(1+scale)
	}
	for k, b := range cp.Outputs {
		want := prog.Output(k).Float32s()
		scale := 0.0
		for _, w := range want {
			scale = math.Max(scale, math.Abs(float64(w)))
		}
		for j, w := range want {
			if got := bufs[b][j]; !close(got, w, scale) {
				t.Fatalf("%s: output %d (%v) element %d: emulated %g, cpu %g", zp.name, k, zp.outputs[k], j, got, w)
			}
		}
	}
	masks := storedMasks(cp)
	for i, b := range cp.Buffers {
		v, ok := b.Value.(*tensor.Dense)
		if b.Role != engine.Bound || !ok {
			continue
		}
		for j, w := range v.Float32s() {
			if m := masks[i]; m != nil {
				w *= m[j] // stored masked by Init
			}
			if got := bufs[i][j]; !close(got, w, math.Abs(float64(w))) {
				t.Fatalf("%s: bound buffer %d (%s) element %d: emulated %g, cpu %g", zp.name, i, b.Name, j, got, w)
			}
		}
	}
	return launchedKernels(cp)
}

// perturb adds noise of the given scale to every parameter, so that the
// coupling networks' zero-initialised output layers (identity splines and
// scales) give way to generic values.
func perturb(model *dist.TransformedDistribution, rng *rand.Rand, scale float64) {
	for _, p := range model.Params() {
		v := p.Value.Float32s()
		for i := range v {
			v[i] += float32(scale * rng.NormFloat64())
		}
	}
}

func normals(rng *rand.Rand, n, d int, scale float64) *tensor.Dense {
	v := make([]float32, n*d)
	for i := range v {
		v[i] = float32(scale * rng.NormFloat64())
	}
	return tensor.New(tensor.WithShape(n, d), tensor.WithBacking(v))
}

// zooExtras is Chain(BatchNormalization, ScaleMatvecLU with a raw
// diagonal, Invert(ActNorm), MAF): the zoo bijectors the flow kinds do not
// build in these configurations.
func zooExtras(rng *rand.Rand, d int) *dist.TransformedDistribution {
	bn := must(bijectors.NewBatchNormalization(d, 0.9, bijectors.DefaultBatchNormEpsilon, tensor.Float32))
	lu, perm, err := bijectors.RandomOrthogonalLU(d, rng)
	if err != nil {
		panic(err)
	}
	raw := must(bijectors.NewScaleMatvecLU(lu, perm, false, tensor.Float32))
	an := must(bijectors.NewActNorm(d, tensor.Float32))
	an.SetInitialized(true)
	net := must(bijectors.NewAutoregressiveNetwork(bijectors.MADEConfig{Params: 2, EventSize: d, HiddenUnits: []int{5},
		Activation: ops.Tanh, Seed: rng.Uint64(), KernelInit: bijectors.TorchUniform, DType: tensor.Float32}))
	maf := must(bijectors.NewMaskedAutoregressiveFlow(net, ops.ScaleSoftplus))
	chain := must(bijectors.Chain(bn, raw, bijectors.Invert(an), maf))
	model := must(dist.NewTransformedDistribution(must(dist.StandardNormal(d, tensor.Float32)), chain))
	perturb(model, rng, 0.3)
	// Running moments away from 0 and 1.
	for i := range bn.Mean.Value.Float32s() {
		bn.Mean.Value.Float32s()[i] = float32(0.3 * rng.NormFloat64())
		bn.Variance.Value.Float32s()[i] = float32(0.5 + rng.Float64())
	}
	return model
}

// zooKinds are the flow kinds zooPlans builds: the zoo's and zooExtras.
var zooKinds = []string{"realnvp", "nsf", "nsf-coupling", "glow", "extras"}

// zooPlans builds a model of the given kind (a zoo flow with perturbed
// parameters, or zooExtras) on D = d and returns its training plans on n
// rows: density (in a training graph, and for extras also not) and
// forward direction.
func zooPlans(rng *rand.Rand, kind string, d, n int) []zooPlan {
	data := normals(rng, n, d, 2) // some of it outside the splines' [-3, 3]
	var model *dist.TransformedDistribution
	if kind == "extras" {
		model = zooExtras(rng, d)
	} else {
		model = must(flows.Build(flows.Spec{Kind: kind, EventSize: d, Layers: 2, Hidden: []int{6, 5},
			Activation: "tanh", Bins: 4, Seed: rng.Uint64()}))
		if kind == "glow" {
			if err := model.InitFromData(normals(rng, 16, d, 2)); err != nil { // N = 1 is too few rows
				panic(err)
			}
		}
		perturb(model, rng, 0.3)
	}
	plans := []zooPlan{densityPlan(model, data, true), forwardPlan(model, normals(rng, n, d, 1.5))}
	if kind == "extras" {
		plans = append(plans, densityPlan(model, data, false))
	}
	return plans
}

// TestLoweredZooPlansMatchCPU lowers training plans (density and forward
// direction, loss and every gradient) of the flow zoo's kinds and of a
// chain with BatchNormalization, emulates the launches and compares with
// the CPU program, running moments included; N = 1 and 33 are the odd
// batch sizes.
func TestLoweredZooPlansMatchCPU(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	launched := map[string]bool{}
	for _, kind := range zooKinds {
		for _, c := range []struct{ d, n int }{{2, 1}, {3, 33}, {3, 5}} {
			t.Run(fmt.Sprintf("%s/D%d-N%d", kind, c.d, c.n), func(t *testing.T) {
				plans := zooPlans(rng, kind, c.d, c.n)
				for _, zp := range plans {
					for _, k := range checkLoweredPlan(t, zp) {
						launched[k] = true
					}
				}
			})
		}
	}
	var missing []string
	for _, k := range zooKernels {
		if !launched[k] {
			missing = append(missing, k)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("zoo kernels no plan launched: %v", missing)
	}
}

// TestZooOpsLowerPlaceholder lowers each zoo op in the placeholder step
// that the cuda device's Supports uses (three inputs of fixed shapes): it
// must succeed, without reading inputs or dimensions the step lacks.
func TestZooOpsLowerPlaceholder(t *testing.T) {
	sh := func(dims ...int) tensor.Shape { return tensor.Shape(dims) }
	lu := must(ops.NewLUMatvec([]int{1, 0}, []float64{1, -1}, true))
	bn := must(ops.NewBatchNorm(ops.BatchNormTraining, 1e-3, 0.99))
	bld := must(ops.NewBatchNormLogDet(true, 1, 1e-3))
	knots := must(ops.NewRQSplineKnots(3, 2))
	sp := must(ops.NewRQSpline(3, 2, true))
	sld := must(ops.NewRQSplineLogDet(3, 2, false))
	all := []gorgonia.Op{
		must(ops.NewColumns(0, 1)), zooGradOp(must(ops.NewColumns(0, 1)), 0, sh(1, 2)).(gorgonia.Op), ops.NewConcat(),
		ops.NewActNorm(false), zooGradOp(ops.NewActNorm(true), 0, sh(1, 2), sh(2), sh(2)).(gorgonia.Op),
		zooGradOp(ops.NewActNorm(true), 1, sh(1, 2), sh(2), sh(2)).(gorgonia.Op), ops.NewActNormLogDet(1),
		zooGradOp(ops.NewActNormLogDet(-1), 1, sh(1, 2), sh(2)).(gorgonia.Op),
		lu, zooGradOp(lu, 0, sh(1, 2), sh(2, 2), sh(2, 2)).(gorgonia.Op), zooGradOp(lu, 2, sh(1, 2), sh(2, 2), sh(2, 2)).(gorgonia.Op),
		ops.NewLULogDet(1, true), zooGradOp(ops.NewLULogDet(1, false), 1, sh(1, 2), sh(2, 2)).(gorgonia.Op),
		bn, zooGradOp(bn, 0, sh(1, 2), sh(2), sh(2), sh(2), sh(2)).(gorgonia.Op), zooGradOp(bn, 4, sh(1, 2), sh(2), sh(2), sh(2), sh(2)).(gorgonia.Op),
		bld, zooGradOp(bld, 0, sh(1, 2), sh(2), sh(2)).(gorgonia.Op), zooGradOp(bld, 2, sh(1, 2), sh(2), sh(2)).(gorgonia.Op),
		knots, zooGradOp(knots, 0, sh(1, 8)).(gorgonia.Op),
		sp, zooGradOp(sp, 1, sh(1, 1), sh(1, 10)).(gorgonia.Op),
		sld, zooGradOp(sld, 0, sh(1, 1), sh(1, 10)).(gorgonia.Op),
	}
	for _, op := range all {
		p := &engine.Plan{DType: tensor.Float32, Steps: []engine.Step{{Op: op, In: []int{0, 1, 2},
			Shapes: []tensor.Shape{{1, 2}, {2, 4}, {4}}, OutShape: tensor.Shape{1, 1}}}}
		cp, err := engine.LowerCUDA(p)
		if err != nil {
			t.Errorf("%v: %v", op, err)
			continue
		}
		if len(cp.Launches) == 0 {
			t.Errorf("%v: no launches", op)
		}
	}
}
