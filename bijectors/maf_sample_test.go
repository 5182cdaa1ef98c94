package bijectors

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/nflowgo/nflow/engine"
	"github.com/nflowgo/nflow/ops"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// runDirection evaluates b's forward (or inverse) path on x in a graph built
// for the CPU (cpu = true: MAF's one-pass sampler) or not (the D-pass path),
// and returns the mapped batch, the log-det and the graph's op names.
func runDirection(t *testing.T, b Bijector, x *tensor.Dense, forward, cpu bool) ([]float64, []float64, string) {
	t.Helper()
	g, err := NewGraph(x.Dtype())
	if err != nil {
		t.Fatal(err)
	}
	g.CPU = cpu
	in := g.Input("x", x.Shape()[0], x.Shape()[1])
	var y, ldj *gorgonia.Node
	if forward {
		y, ldj, err = b.ForwardNode(g, in)
	} else {
		y, ldj, err = b.InverseNode(g, in)
	}
	if err != nil {
		t.Fatal(err)
	}
	f, err := engine.NewFunc(g.G, gorgonia.Nodes{in}, gorgonia.Nodes{y, ldj}, engine.Compiled)
	if err != nil {
		t.Fatal(err)
	}
	out, err := f.Call(x)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, n := range g.G.AllNodes() {
		if n.Op() != nil {
			names = append(names, n.Op().String())
		}
	}
	return floats(out[0]), floats(out[1]), strings.Join(names, " ")
}

func floats(t *tensor.Dense) []float64 {
	if v, ok := t.Data().([]float32); ok {
		out := make([]float64, len(v))
		for i, x := range v {
			out[i] = float64(x)
		}
		return out
	}
	return append([]float64(nil), t.Float64s()...)
}

// scramble gives every kernel entry, masked ones included, and every bias
// a random value: the one-pass sampler must ignore masked entries exactly
// as the masked D-pass path does.
func scramble(net *AutoregressiveNetwork, rng *rand.Rand) {
	for _, p := range net.Params() {
		sd := 0.3
		if s := p.Value.Shape(); len(s) == 2 {
			sd = 1.5 / math.Sqrt(float64(s[0]))
		}
		switch v := p.Value.Data().(type) {
		case []float32:
			for i := range v {
				v[i] = float32(sd * rng.NormFloat64())
			}
		case []float64:
			for i := range v {
				v[i] = sd * rng.NormFloat64()
			}
		}
	}
}

// TestMAFOnePassSamplingEqualsDPasses checks that the one-pass sampler (and
// an IAF's one-pass density) gives exactly, bit for bit, the values of the
// D-pass path, in float64 and float32, for several shapes, activations and
// scale functions, and that it is the path the CPU graph takes; and that
// the eager density (scales evaluated once, ops.Scales) gives the portable
// graph's values, bit for bit in float64 and to float32 rounding.
func TestMAFOnePassSamplingEqualsDPasses(t *testing.T) {
	cases := []struct {
		d      int
		hidden []int
		act    ops.Activation
		scale  ops.ScaleFn
	}{
		{2, []int{128, 128}, ops.ReLU, ops.ScaleSoftplus},
		{1, []int{5}, ops.Tanh, ops.ScaleExp},
		{5, []int{7, 9}, ops.Tanh, ops.ScaleSoftClip},
		{8, []int{33, 20, 17}, ops.ReLU, ops.ScaleSoftplus},
		{16, []int{300, 300}, ops.ELU, ops.ScaleExp}, // wide enough for gemm's k blocks
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for _, c := range cases {
		for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
			net, err := NewAutoregressiveNetwork(MADEConfig{Params: 2, EventSize: c.d, HiddenUnits: c.hidden,
				Activation: c.act, DType: dt, Seed: 9})
			if err != nil {
				t.Fatal(err)
			}
			scramble(net, rng)
			maf, err := NewMaskedAutoregressiveFlow(net, c.scale)
			if err != nil {
				t.Fatal(err)
			}
			for _, rows := range []int{37, 150, 600} { // narrow blocks direct, transposed; several row blocks
				v := make([]float64, rows*c.d)
				for i := range v {
					v[i] = rng.NormFloat64()
				}
				x := NewTensor(dt, v, rows, c.d)
				for _, b := range []struct {
					name    string
					bij     Bijector
					forward bool
					op      string
				}{{"MAF forward", maf, true, "MADESample"}, {"IAF inverse", Invert(maf), false, "MADESample"},
					{"MAF inverse", maf, false, "Scales"}, {"IAF forward", Invert(maf), true, "Scales"}} {
					y1, l1, ops1 := runDirection(t, b.bij, x, b.forward, true)
					y0, l0, ops0 := runDirection(t, b.bij, x, b.forward, false)
					if !strings.Contains(ops1, b.op) || strings.Contains(ops0, b.op) {
						t.Fatalf("D=%d %s: the CPU graph should use %s and the other not:\n%s\n%s", c.d, b.name, b.op, ops1, ops0)
					}
					tol := 0.0 // bit for bit, but the density's scales are rounded to float32 once
					if b.op == "Scales" && dt == tensor.Float32 {
						tol = 1e-6
					}
					for i := range y0 {
						if math.Abs(y1[i]-y0[i]) > tol*(1+math.Abs(y0[i])) {
							t.Fatalf("D=%d %v %v %s: y[%d] = %v, the D-pass path gives %v", c.d, c.hidden, dt, b.name, i, y1[i], y0[i])
						}
					}
					for i := range l0 {
						if math.Abs(l1[i]-l0[i]) > tol*(1+math.Abs(l0[i])) {
							t.Fatalf("D=%d %v %v %s: log-det[%d] = %v, the D-pass path gives %v", c.d, c.hidden, dt, b.name, i, l1[i], l0[i])
						}
					}
				}
			}
		}
	}
}

// TestMAFOnePassFallsBack checks that networks the one-pass sampler cannot
// serve (unsorted degrees) keep the D-pass path on a CPU graph.
func TestMAFOnePassFallsBack(t *testing.T) {
	for _, cfg := range []MADEConfig{
		{Params: 2, EventSize: 4, HiddenUnits: []int{9}, InputOrder: RightToLeft, DType: tensor.Float64},
		{Params: 2, EventSize: 4, HiddenUnits: []int{9}, HiddenDegrees: RandomDegrees, Seed: 5, DType: tensor.Float64},
	} {
		net, err := NewAutoregressiveNetwork(cfg)
		if err != nil {
			t.Fatal(err)
		}
		maf, err := NewMaskedAutoregressiveFlow(net, ops.ScaleSoftplus)
		if err != nil {
			t.Fatal(err)
		}
		x := NewTensor(tensor.Float64, []float64{0.1, -0.3, 0.7, 1.1, 0.2, 0.4, -2, 0.5}, 2, 4)
		_, _, names := runDirection(t, maf, x, true, true)
		if strings.Contains(names, "MADESample") {
			t.Fatalf("%+v: unsorted degrees should keep the D-pass path: %s", cfg, names)
		}
	}
}

// TestMaskedInPlaceTrainingGradients checks the CPU training graph, which
// masks the kernels once in place and has no Mask nodes, against the
// portable graph that masks them in every run: the same loss and gradients
// in float64 (to rounding: the input gradients skip zero tiles), masked
// gradient entries exactly zero, and the kernels left masked.
func TestMaskedInPlaceTrainingGradients(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	net, err := NewAutoregressiveNetwork(MADEConfig{Params: 2, EventSize: 6, HiddenUnits: []int{70, 90},
		Activation: ops.ReLU, DType: tensor.Float64})
	if err != nil {
		t.Fatal(err)
	}
	scramble(net, rng) // masked entries nonzero
	maf, err := NewMaskedAutoregressiveFlow(net, ops.ScaleSoftplus)
	if err != nil {
		t.Fatal(err)
	}
	x := NewTensor(tensor.Float64, randNorm(rng, 29*6), 29, 6)
	grads := func(cpu bool) []float64 {
		g, err := NewGraph(tensor.Float64)
		if err != nil {
			t.Fatal(err)
		}
		g.Training, g.CPU = true, cpu
		in := g.Input("x", 29, 6)
		z, ildj, err := maf.InverseNode(g, in)
		if err != nil {
			t.Fatal(err)
		}
		nl, err := ops.NewNormalLogProb(make([]float64, 6), []float64{1, 1, 1, 1, 1, 1})
		if err != nil {
			t.Fatal(err)
		}
		lp, err := Apply(nl, z)
		if err != nil {
			t.Fatal(err)
		}
		if lp, err = gorgonia.Add(lp, ildj); err != nil {
			t.Fatal(err)
		}
		cost, err := Apply(ops.NewNegMean(), lp)
		if err != nil {
			t.Fatal(err)
		}
		ws, _ := net.Weights()
		var nodes gorgonia.Nodes
		for _, w := range ws {
			n, err := g.Param(w)
			if err != nil {
				t.Fatal(err)
			}
			nodes = append(nodes, n)
		}
		gs, err := gorgonia.Grad(cost, nodes...)
		if err != nil {
			t.Fatal(err)
		}
		p, err := engine.Compile(g.G, gorgonia.Nodes{in}, append(gorgonia.Nodes{cost}, gs...), engine.CPU)
		if err != nil {
			t.Fatal(err)
		}
		copy(p.Input(0).Float64s(), x.Float64s())
		p.Run()
		var out []float64
		for i := 0; i <= len(gs); i++ {
			out = append(out, p.Output(i).Float64s()...)
		}
		return out
	}
	want := grads(false)
	got := grads(true)
	var masks []float64
	for _, m := range net.Masks() {
		masks = append(masks, m...)
	}
	masks = append([]float64{1}, masks...) // the loss
	for i := range want {
		if masks[i] == 0 && got[i] != 0 {
			t.Fatalf("gradient entry %d is masked but %v", i-1, got[i])
		}
		if math.Abs(got[i]-want[i]) > 1e-11*(1+math.Abs(want[i])) {
			t.Fatalf("loss/gradient entry %d: %v with the kernels masked in place, %v masked in every run", i, got[i], want[i])
		}
	}
	ws, _ := net.Weights()
	for l, w := range ws {
		for i, v := range w.Value.Float64s() {
			if net.Masks()[l][i] == 0 && v != 0 {
				t.Fatalf("kernel %d entry %d is masked but %v after the training graph was built", l, i, v)
			}
		}
	}
}

func randNorm(rng *rand.Rand, n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = rng.NormFloat64()
	}
	return v
}

// TestValueOnlyCallsMatch checks that Forward and Inverse, whose graphs
// leave the log-det out, give ForwardAndLogDet's and InverseAndLogDet's
// values bit for bit.
func TestValueOnlyCallsMatch(t *testing.T) {
	flow, err := NewMAFStack(3, MADEConfig{EventSize: 3, HiddenUnits: []int{20, 20}, Activation: ops.ReLU, Seed: 2}, ops.ScaleSoftplus)
	if err != nil {
		t.Fatal(err)
	}
	x := NewTensor(tensor.Float32, randNorm(rand.New(rand.NewPCG(8, 8)), 40*3), 40, 3)
	for _, dir := range []struct {
		name string
		only func(Bijector, *tensor.Dense) (*tensor.Dense, error)
		both func(Bijector, *tensor.Dense) (*tensor.Dense, *tensor.Dense, error)
	}{{"forward", Forward, ForwardAndLogDet}, {"inverse", Inverse, InverseAndLogDet}} {
		y, err := dir.only(flow, x)
		if err != nil {
			t.Fatal(err)
		}
		y2, ldj, err := dir.both(flow, x)
		if err != nil || ldj == nil {
			t.Fatal(err, ldj)
		}
		a, b := floats(y), floats(y2)
		for i := range b {
			if a[i] != b[i] {
				t.Fatalf("%s: entry %d is %v alone, %v with the log-det", dir.name, i, a[i], b[i])
			}
		}
	}
}

// TestMAFOnePassSamplingVariants checks the one-pass sampler against the
// D-pass path bit for bit for the MAF variants nflow fit uses by default:
// bounded conditioner inputs (B·tanh(y/B)) and conditioners that
// parameterise the density direction (DensityParams), alone and together,
// in float64 and float32, with inputs far enough out for the bound to act,
// for the sample and its log-det (MAF forward, IAF inverse).
func TestMAFOnePassSamplingVariants(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, c := range []struct {
		d      int
		hidden []int
		scale  ops.ScaleFn
	}{{2, []int{64, 64}, ops.ScaleSoftClip}, {6, []int{40, 30}, ops.ScaleSoftplus}, {12, []int{300, 300}, ops.ScaleSoftClip}} {
		for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
			for _, v := range []struct {
				bound float64
				dp    bool
			}{{2, false}, {0, true}, {2, true}, {0.7, true}} {
				net, err := NewAutoregressiveNetwork(MADEConfig{Params: 2, EventSize: c.d, HiddenUnits: c.hidden, Activation: ops.ReLU, DType: dt, Seed: 3})
				if err != nil {
					t.Fatal(err)
				}
				scramble(net, rng)
				maf, err := NewMaskedAutoregressiveFlow(net, c.scale)
				if err != nil {
					t.Fatal(err)
				}
				maf.InputBound, maf.DensityParams = v.bound, v.dp
				rows := 300 // two row blocks
				x := make([]float64, rows*c.d)
				for i := range x {
					x[i] = 2 * rng.NormFloat64()
				}
				xt := NewTensor(dt, x, rows, c.d)
				for _, b := range []struct {
					name    string
					bij     Bijector
					forward bool
				}{{"MAF forward", maf, true}, {"IAF inverse", Invert(maf), false}} {
					samePasses(t, fmt.Sprintf("D=%d %v %v bound %g density-params %v %s", c.d, c.hidden, dt, v.bound, v.dp, b.name), b.bij, xt, b.forward)
				}
			}
		}
	}
}

// TestSplineOnePassSamplingEqualsDPasses checks the autoregressive spline
// flow's one-pass sampler (ops.NewMADESplineSample) against its D-pass
// path bit for bit, sample and log-det, in float64 and float32: both knot
// normalisations, the spline in either direction (DensityParams), bounded
// and unbounded conditioner inputs, bins whose parameters take the narrow
// (transposed) and the plain product, and points beyond the spline range.
func TestSplineOnePassSamplingEqualsDPasses(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	type variant struct {
		knots SplineKnots
		dp    bool
		bound float64
	}
	variants := []variant{{SoftplusKnots, false, 0}, {SoftClipKnots, true, 2}, {SoftClipKnots, false, 0}, {SoftplusKnots, true, 2}}
	for _, c := range []struct {
		d, bins int
		hidden  []int
		rangeB  float64
	}{{2, 8, []int{32, 32}, 3}, {5, 4, []int{40, 30}, 5}, {3, 9, []int{24}, 3}} {
		for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
			for _, v := range variants {
				net, err := NewAutoregressiveNetwork(MADEConfig{Params: ops.SplineParams(c.bins), EventSize: c.d, HiddenUnits: c.hidden, Activation: ops.ReLU, DType: dt, Seed: 4})
				if err != nil {
					t.Fatal(err)
				}
				scramble(net, rng)
				sp, err := NewMaskedAutoregressiveSpline(net, c.bins, c.rangeB)
				if err != nil {
					t.Fatal(err)
				}
				sp.Knots, sp.DensityParams, sp.InputBound = v.knots, v.dp, v.bound
				rows := 300
				x := make([]float64, rows*c.d)
				for i := range x {
					x[i] = 2 * rng.NormFloat64()
				}
				xt := NewTensor(dt, x, rows, c.d)
				for _, b := range []struct {
					name    string
					bij     Bijector
					forward bool
				}{{"forward", sp, true}, {"inverted, inverse", Invert(sp), false}} {
					samePasses(t, fmt.Sprintf("D=%d K=%d %v %+v %s", c.d, c.bins, dt, v, b.name), b.bij, xt, b.forward)
				}
			}
		}
	}
}

// samePasses checks that bij's direction (forward or inverse) on x takes
// MADESample on a CPU graph and not on the other, and that the two give
// the same batch and log-det bit for bit.
func samePasses(t *testing.T, name string, bij Bijector, x *tensor.Dense, forward bool) {
	t.Helper()
	y1, l1, ops1 := runDirection(t, bij, x, forward, true)
	y0, l0, ops0 := runDirection(t, bij, x, forward, false)
	if !strings.Contains(ops1, "MADESample") || strings.Contains(ops0, "MADESample") {
		t.Fatalf("%s: the CPU graph should use MADESample and the other not:\n%s\n%s", name, ops1, ops0)
	}
	for i := range y0 {
		if y1[i] != y0[i] {
			t.Fatalf("%s: y[%d] = %v, the D-pass path gives %v", name, i, y1[i], y0[i])
		}
	}
	for i := range l0 {
		if l1[i] != l0[i] {
			t.Fatalf("%s: log-det[%d] = %v, the D-pass path gives %v", name, i, l1[i], l0[i])
		}
	}
}
