package engine_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/nflowgo/nflow/bijectors"
	"github.com/nflowgo/nflow/dist"
	"github.com/nflowgo/nflow/engine"
	"github.com/nflowgo/nflow/ops"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

func TestLaunchGrids(t *testing.T) {
	for _, c := range []struct{ count, blocks int }{{1, 1}, {256, 1}, {257, 2}, {0, 1}, {1 << 30, 65535}} {
		g, b := engine.ElementGrid(c.count)
		if g != [3]int{c.blocks, 1, 1} || b != [3]int{256, 1, 1} {
			t.Errorf("ElementGrid(%d) = %v %v, want %d blocks of 256", c.count, g, b, c.blocks)
		}
	}
	g, b := engine.TileGrid(33, 65)
	if g != [3]int{3, 2, 1} || b != [3]int{32, 8, 1} {
		t.Errorf("TileGrid(33, 65) = %v %v", g, b)
	}
	g, _ = engine.TileGrid(1, 1)
	if g != [3]int{1, 1, 1} {
		t.Errorf("TileGrid(1, 1) = %v", g)
	}
	if g, _ = engine.TileGrid(1<<24, 64); g != [3]int{2, 65535, 1} {
		t.Errorf("TileGrid(2^24, 64) = %v, want grid.y capped at 65535", g)
	}
}

func TestLowerCUDAErrors(t *testing.T) {
	flow := must(bijectors.NewMAFStack(1, bijectors.MADEConfig{EventSize: 2, HiddenUnits: []int{4}, DType: tensor.Float64}, ops.ScaleSoftplus))
	model := must(dist.NewTransformedDistribution(must(dist.StandardNormal(2, tensor.Float64)), flow))
	g, x, outs := lossGraph(model, 3)
	p := must(engine.NewPlan(g.G, gorgonia.Nodes{x}, outs))
	if _, err := engine.LowerCUDA(p); err == nil || !strings.Contains(err.Error(), "float32 only") {
		t.Errorf("float64 plan: error %v", err)
	}
	gg := gorgonia.NewGraph()
	a := gorgonia.NewMatrix(gg, tensor.Float32, gorgonia.WithShape(2, 2), gorgonia.WithName("a"))
	y := gorgonia.Must(gorgonia.Tanh(a))
	p = must(engine.NewPlan(gg, gorgonia.Nodes{a}, gorgonia.Nodes{y}))
	if _, err := engine.LowerCUDA(p); err == nil || !strings.Contains(err.Error(), "tanh") {
		t.Errorf("unsupported op: error %v, want one naming tanh", err)
	}
}

// emulate runs a lowered plan on the CPU: each launch's arguments are
// decoded from their slots into the op they stand for, whose CPU kernel
// then runs on the decoded buffers. Agreement with the CPU program checks
// the lowering's kernel choice, argument order, sizes and flags.
func emulate(t *testing.T, c *engine.CUDAPlan, bufs [][]float32) {
	t.Helper()
	consts := make([][]float32, len(c.Consts))
	perms := make([][]int, len(c.Consts))
	for i, k := range c.Consts {
		consts[i] = k.F32
		for _, v := range k.I64 {
			perms[i] = append(perms[i], int(v))
		}
	}
	zoo := &zooEmulator{perms: perms}
	for li, l := range c.Launches {
		ptr := func(i int) []float32 {
			a := l.Args[i]
			switch a.Kind {
			case engine.ArgBuffer:
				return bufs[a.Index]
			case engine.ArgConst:
				return consts[a.Index]
			}
			t.Fatalf("launch %d (%s) arg %d is not a pointer", li, l.Kernel, i)
			return nil
		}
		num := func(i int) int {
			if l.Args[i].Kind != engine.ArgInt {
				t.Fatalf("launch %d (%s) arg %d is not an integer", li, l.Kernel, i)
			}
			return int(int64(l.Args[i].Value))
		}
		flt := func(i int) float64 {
			if l.Args[i].Kind != engine.ArgFloat {
				t.Fatalf("launch %d (%s) arg %d is not a float", li, l.Kernel, i)
			}
			return float64(math.Float32frombits(uint32(l.Args[i].Value)))
		}
		sh := func(dims ...int) tensor.Shape { return tensor.Shape(dims) }
		run := func(k ops.Kernel, out []float32, ins [][]float32, shapes ...tensor.Shape) { k.Exec32(out, ins, shapes) }
		switch l.Kernel {
		case "dense_fwd":
			n, in, out := num(4), num(5), num(6)
			op := must(ops.NewDense(in, out, nil, ops.Activation(num(7))))
			run(op, ptr(3)[:n*out], [][]float32{ptr(0)[:n*in], ptr(1)[:in*out], ptr(2)[:out]}, sh(n, in), sh(in, out), sh(out))
		case "dense_fwd_add":
			n, in, out := num(4), num(5), num(6)
			op := must(ops.NewDenseAdd(in, out, nil, ops.Activation(num(7))))
			run(op, ptr(3)[:n*out], [][]float32{ptr(0)[:n*in], ptr(1)[:in*out], ptr(2)[:n*out]}, sh(n, in), sh(in, out), sh(n, out))
		case "dense_grad_x":
			n, in, out := num(3), num(4), num(5)
			gz, w, dx := ptr(0)[:n*out], ptr(1)[:in*out], ptr(2)[:n*in]
			for r := 0; r < n; r++ {
				for i := 0; i < in; i++ {
					var s float32
					for o := 0; o < out; o++ {
						s += gz[r*out+o] * w[i*out+o]
					}
					dx[r*in+i] = s
				}
			}
		case "dense_grad_w":
			n, in, out := num(3), num(4), num(5)
			x, gz, dw := ptr(0)[:n*in], ptr(1)[:n*out], ptr(2)[:in*out]
			for i := 0; i < in; i++ {
				for o := 0; o < out; o++ {
					var s float32
					for r := 0; r < n; r++ {
						s += x[r*in+i] * gz[r*out+o]
					}
					dw[i*out+o] = s
				}
			}
		case "act_grad":
			cnt := num(3)
			y, g, gz := ptr(0)[:cnt], ptr(1)[:cnt], ptr(2)[:cnt]
			actGrad(ops.Activation(num(4)), gz, y, g)
		case "col_sum":
			n, d := num(2), num(3)
			run(&ops.ColSum{}, ptr(1)[:d], [][]float32{ptr(0)[:n*d]}, sh(n, d))
		case "mask_mul":
			cnt := num(3)
			a, m, o := ptr(0)[:cnt], ptr(1)[:cnt], ptr(2)[:cnt]
			for i := range o {
				o[i] = a[i] * m[i]
			}
		case "affine_ar":
			cnt := num(3)
			op := ops.NewAffineAR(num(4) == 1, ops.ScaleFn(num(5)))
			run(op, ptr(2)[:cnt], [][]float32{ptr(0)[:cnt], ptr(1)[:2*cnt]}, sh(cnt, 1), sh(cnt, 2))
		case "affine_ar_grad_v", "affine_ar_grad_h":
			cnt := num(4)
			wrt, size := 0, cnt
			if l.Kernel == "affine_ar_grad_h" {
				wrt, size = 1, 2*cnt
			}
			gradOp := affineGradOp(t, num(5) == 1, ops.ScaleFn(num(6)), wrt)
			run(gradOp, ptr(3)[:size], [][]float32{ptr(0)[:cnt], ptr(1)[:2*cnt], ptr(2)[:cnt]}, sh(cnt, 1), sh(cnt, 2), sh(cnt, 1))
		case "log_scale_sum":
			n, d := num(2), num(3)
			run(ops.NewLogScaleSum(ops.ScaleFn(num(4)), flt(5)), ptr(1)[:n], [][]float32{ptr(0)[:n*2*d]}, sh(n, 2*d))
		case "log_scale_sum_grad":
			n, d := num(3), num(4)
			gop := logScaleGradOp(t, ops.ScaleFn(num(5)), flt(6))
			run(gop, ptr(2)[:n*2*d], [][]float32{ptr(0)[:n*2*d], ptr(1)[:n]}, sh(n, 2*d), sh(n))
		case "normal_log_prob":
			n, d := num(4), num(5)
			op := must(ops.NewNormalLogProb(f64s(ptr(1)[:d]), f64s(ptr(2)[:d])))
			if c := op.Constant(); math.Abs(c-flt(6)) > 1e-5*(1+math.Abs(c)) {
				t.Fatalf("normal_log_prob constant %g, op's %g", flt(6), c)
			}
			run(op, ptr(3)[:n], [][]float32{ptr(0)[:n*d]}, sh(n, d))
		case "normal_log_prob_grad":
			n, d := num(5), num(6)
			x, g, loc, scale, o := ptr(0)[:n*d], ptr(1)[:n], ptr(2)[:d], ptr(3)[:d], ptr(4)[:n*d]
			for i := range o {
				j := i % d
				o[i] = -g[i/d] * (x[i] - loc[j]) / (scale[j] * scale[j])
			}
		case "neg_mean":
			n := num(2)
			run(ops.NewNegMean(), ptr(1)[:1], [][]float32{ptr(0)[:n]}, sh(n))
		case "neg_mean_grad":
			n := num(2)
			g, o := ptr(0), ptr(1)[:n]
			for i := range o {
				o[i] = -g[0] / float32(n)
			}
		case "gather_cols":
			n, d := num(3), num(4)
			run(must(ops.NewGather(perms[l.Args[1].Index])), ptr(2)[:n*d], [][]float32{ptr(0)[:n*d]}, sh(n, d))
		case "fill":
			o := ptr(0)[:num(1)]
			for i := range o {
				o[i] = float32(flt(2))
			}
		case "repeat_rows":
			n, k := num(2), num(3)
			run(ops.NewRepeatRows(), ptr(1)[:n*k], [][]float32{ptr(0)[:k], nil}, sh(1, k), sh(n, 1))
		case "add":
			cnt := num(3)
			a, b, o, sign := ptr(0)[:cnt], ptr(1)[:cnt], ptr(2)[:cnt], float32(flt(4))
			for i := range o {
				o[i] = a[i] + sign*b[i]
			}
		case "const_affine":
			cnt, d := num(4), num(5)
			run(ops.NewConstAffine(f64s(ptr(1)[:d]), f64s(ptr(2)[:d])), ptr(3)[:cnt], [][]float32{ptr(0)[:cnt]}, sh(cnt/d, d))
		case "pointwise":
			n, d, mode := num(3), num(4), num(6)
			op := pointwiseOp(ops.Func(num(5)), mode)
			outSize, ins := n*d, [][]float32{ptr(0)[:n*d]}
			shapes := []tensor.Shape{sh(n, d)}
			switch mode {
			case 1:
				ins, shapes = append(ins, ptr(1)[:n*d]), append(shapes, sh(n, d))
			case 2:
				outSize = n
			case 3:
				ins, shapes = append(ins, ptr(1)[:n]), append(shapes, sh(n))
			}
			run(op, ptr(2)[:outSize], ins, shapes...)
		default:
			if !zoo.emulate(t, l, ptr, num) {
				t.Fatalf("launch %d: no emulation of kernel %q", li, l.Kernel)
			}
		}
	}
}

func f64s(v []float32) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x)
	}
	return out
}

// actGrad is gz = gy·act'(y): the ActGrad op a dense layer's gradient emits.
func actGrad(a ops.Activation, gz, y, gy []float32) {
	op := &ops.ActGrad{Act: a}
	op.Exec32(gz, [][]float32{y, gy}, nil)
}

// affineGradOp returns the AffineARGrad op for the given transform, taken
// from a graph's SymDiff.
func affineGradOp(t *testing.T, inverse bool, f ops.ScaleFn, wrt int) ops.Kernel {
	g := gorgonia.NewGraph()
	v := gorgonia.NewMatrix(g, tensor.Float32, gorgonia.WithShape(1, 1), gorgonia.WithName("v"))
	h := gorgonia.NewMatrix(g, tensor.Float32, gorgonia.WithShape(1, 2), gorgonia.WithName("h"))
	y := must(gorgonia.ApplyOp(ops.NewAffineAR(inverse, f), v, h))
	gy := gorgonia.NewMatrix(g, tensor.Float32, gorgonia.WithShape(1, 1), gorgonia.WithName("gy"))
	grads := must(ops.NewAffineAR(inverse, f).SymDiff(gorgonia.Nodes{v, h}, y, gy))
	return grads[wrt].Op().(ops.Kernel)
}

// pointwiseOp returns the Pointwise op of the given mode, the gradient
// modes taken from SymDiff.
func pointwiseOp(f ops.Func, mode int) ops.Kernel {
	base := ops.NewPointwise(f)
	if mode >= 2 {
		base = ops.NewPointwiseLDJ(f)
	}
	if mode == 0 || mode == 2 {
		return base
	}
	g := gorgonia.NewGraph()
	x := gorgonia.NewMatrix(g, tensor.Float32, gorgonia.WithShape(1, 1), gorgonia.WithName("x"))
	y := must(gorgonia.ApplyOp(base, x))
	var gy *gorgonia.Node
	if mode == 1 {
		gy = gorgonia.NewMatrix(g, tensor.Float32, gorgonia.WithShape(1, 1), gorgonia.WithName("gy"))
	} else {
		gy = gorgonia.NewVector(g, tensor.Float32, gorgonia.WithShape(1), gorgonia.WithName("gy"))
	}
	return must(base.SymDiff(gorgonia.Nodes{x}, y, gy))[0].Op().(ops.Kernel)
}

func logScaleGradOp(t *testing.T, f ops.ScaleFn, sign float64) ops.Kernel {
	g := gorgonia.NewGraph()
	h := gorgonia.NewMatrix(g, tensor.Float32, gorgonia.WithShape(1, 2), gorgonia.WithName("h"))
	op := ops.NewLogScaleSum(f, sign)
	y := must(gorgonia.ApplyOp(op, h))
	gy := gorgonia.NewVector(g, tensor.Float32, gorgonia.WithShape(1), gorgonia.WithName("gy"))
	return must(op.SymDiff(gorgonia.Nodes{h}, y, gy))[0].Op().(ops.Kernel)
}

// TestLoweredPlanMatchesCPU lowers training, log_prob and sampling plans
// of random flows, emulates the launches and compares with the CPU program.
func TestLoweredPlanMatchesCPU(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	for trial := 0; trial < 4; trial++ {
		d, n := 1+rng.IntN(3), []int{1, 5, 33}[trial%3]
		model := randomFlow(rng, d, tensor.Float32)
		data := must(model.Sample(n, rng))
		g, x, outs := lossGraph(model, n)
		t.Run(fmt.Sprintf("D%d-N%d", d, n), func(t *testing.T) {
			prog := must(engine.Compile(g.G, gorgonia.Nodes{x}, outs, engine.CPU))
			if err := tensor.Copy(prog.Input(0), data); err != nil {
				t.Fatal(err)
			}
			prog.Run()
			cp, err := engine.LowerCUDA(prog.Plan())
			if err != nil {
				t.Fatal(err)
			}
			bufs := make([][]float32, len(cp.Buffers))
			for i, b := range cp.Buffers {
				switch b.Role {
				case engine.Bound:
					switch v := b.Value.(type) {
					case *tensor.Dense:
						bufs[i] = append([]float32(nil), v.Float32s()...)
					case *gorgonia.F32:
						bufs[i] = []float32{float32(*v)}
					}
				default:
					bufs[i] = make([]float32, b.Size)
				}
			}
			copy(bufs[cp.Inputs[0]], data.Float32s())
			emulate(t, cp, bufs)
			for k, b := range cp.Outputs {
				want := prog.Output(k).Float32s()
				for j, w := range want {
					if got := bufs[b][j]; math.Abs(float64(got-w)) > 1e-4*(1+math.Abs(float64(w))) {
						t.Fatalf("output %d element %d: emulated %g, cpu %g", k, j, got, w)
					}
				}
			}
		})
	}
}

// TestLoweredConditionalPlanMatchesCPU covers the conditional MADE's
// dense_fwd_add through the same emulation.
func TestLoweredConditionalPlanMatchesCPU(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 24))
	if ks := checkLoweredPlan(t, conditionalPlan(rng, 7)); !slices.Contains(ks, "dense_fwd_add") {
		t.Fatalf("the conditional plan launches %v, no dense_fwd_add", ks)
	}
}

// conditionalPlan is the training step of a conditional MAF (MADE with a
// context input: dense_fwd_add) on n rows of random data and context.
func conditionalPlan(rng *rand.Rand, n int) zooPlan {
	flow := must(bijectors.NewMAFStack(2, bijectors.MADEConfig{EventSize: 2, HiddenUnits: []int{8, 8}, Activation: ops.Tanh,
		ContextSize: 3, KernelInit: bijectors.TorchUniform}, ops.ScaleSoftplus))
	model := must(dist.NewTransformedDistribution(must(dist.StandardNormal(2, tensor.Float32)), flow))
	g := must(bijectors.NewGraph(tensor.Float32))
	x := g.Input("x", n, 2)
	g.Context = g.Input("c", n, 3)
	lp := must(model.LogProbNode(g, x))
	cost := must(gorgonia.ApplyOp(ops.NewNegMean(), lp))
	_, params := g.Params()
	outs := append(gorgonia.Nodes{cost}, must(gorgonia.Grad(cost, params...))...)
	return zooPlan{name: fmt.Sprintf("conditional/N%d", n), g: g, inputs: gorgonia.Nodes{x, g.Context},
		feed: []*tensor.Dense{normals(rng, n, 2, 1), normals(rng, n, 3, 1)}, outputs: outs}
}
