package engine_test

import (
	"math"
	"slices"
	"testing"

	"github.com/nflowgo/nflow/engine"
	"github.com/nflowgo/nflow/ops"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// emulate runs a lowered plan on the CPU: each launch's arguments are
// decoded from their slots into the op they stand for, whose CPU kernel
// then runs on the decoded buffers. Agreement with the CPU program checks
// the lowering's kernel choice, argument order, sizes and flags. Init
// runs first; a block_program launch is decoded from its table of slots
// (the one the device reads) and each of its ops emulated in order; the
// first stages of split reductions write their partial sums to a scratch
// area of c.Scratch floats, chunked as the kernels chunk the batch.
func emulate(t *testing.T, c *engine.CUDAPlan, bufs [][]float32) {
	t.Helper()
	e := &planEmulator{c: c, bufs: bufs, scratch: make([]float32, c.Scratch), consts: make([][]float32, len(c.Consts))}
	perms := make([][]int, len(c.Consts))
	for i, k := range c.Consts {
		e.consts[i] = k.F32
		for _, v := range k.I64 {
			perms[i] = append(perms[i], int(v))
		}
	}
	e.perms = perms
	e.zoo = &zooEmulator{perms: perms}
	for li, l := range c.Init {
		e.launch(t, li, l)
	}
	for li, l := range c.Launches {
		e.launch(t, li, l)
	}
}

type planEmulator struct {
	c       *engine.CUDAPlan
	bufs    [][]float32
	scratch []float32
	consts  [][]float32
	perms   [][]int
	zoo     *zooEmulator
}

// launch emulates one launch (li is its index, for messages).
func (e *planEmulator) launch(t *testing.T, li int, l engine.Launch) {
	t.Helper()
	bufs, consts, perms, zoo := e.bufs, e.consts, e.perms, e.zoo
	{
		ptr := func(i int) []float32 {
			a := l.Args[i]
			switch a.Kind {
			case engine.ArgBuffer:
				return bufs[a.Index]
			case engine.ArgConst:
				return consts[a.Index]
			case engine.ArgScratch:
				return e.scratch[a.Index:]
			case engine.ArgNull:
				return nil
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
		case "dense_grad_w": // grid.z chunks of ceil(n/S) rows rounded up to 32, partial z at dw + z·in·out
			n, in, out, parts := num(3), num(4), num(5), l.Grid[2]
			x, gz, mask := ptr(0)[:n*in], ptr(1)[:n*out], ptr(6)
			chunk := ((n+parts-1)/parts + 31) / 32 * 32
			for z := 0; z < parts; z++ {
				dw := ptr(2)[z*in*out : (z+1)*in*out]
				for i := 0; i < in; i++ {
					for o := 0; o < out; o++ {
						var s float32
						for r := z * chunk; r < min(n, (z+1)*chunk); r++ {
							s += x[r*in+i] * gz[r*out+o]
						}
						if mask != nil {
							s *= mask[i*out+o]
						}
						dw[i*out+o] = s
					}
				}
			}
		case "act_grad":
			cnt := num(3)
			y, g, gz := ptr(0)[:cnt], ptr(1)[:cnt], ptr(2)[:cnt]
			actGrad(ops.Activation(num(4)), gz, y, g)
		case "col_sum": // grid.y chunks of ceil(n/S) rows, partial y at out + y·d
			n, d, parts := num(2), num(3), l.Grid[1]
			chunk := (n + parts - 1) / parts
			for z := 0; z < parts; z++ {
				lo, hi := min(n, z*chunk), min(n, (z+1)*chunk)
				o := ptr(1)[z*d : (z+1)*d]
				if hi == lo {
					clear(o)
					continue
				}
				run(&ops.ColSum{}, o, [][]float32{ptr(0)[lo*d : hi*d]}, sh(hi-lo, d))
			}
		case "row_sum_parts": // grid.x chunks of ceil(n/S) entries
			n, parts := num(2), l.Grid[0]
			chunk := (n + parts - 1) / parts
			x, part := ptr(0)[:n], ptr(1)[:parts]
			for z := range part {
				var s float64
				for _, v := range x[min(n, z*chunk):min(n, (z+1)*chunk)] {
					s += float64(v)
				}
				part[z] = float32(s)
			}
		case "sum_parts":
			size, parts, scale := num(2), num(3), flt(4)
			part, o := ptr(0)[:size*parts], ptr(1)[:size]
			for i := range o {
				var s float64
				for p := 0; p < parts; p++ {
					s += float64(part[p*size+i])
				}
				o[i] = float32(scale * s)
			}
		case "sgemm": // C = epi(A·B) by layout; layout 2 splits K over grid.z (chunks rounded up to 8)
			m, n, k, layout, epi := num(4), num(5), num(6), num(7), num(8)
			act, parts := ops.Activation(num(9)), l.Grid[2]
			a, b, e := ptr(0), ptr(1), ptr(3)
			chunk := ((k+parts-1)/parts + 7) / 8 * 8
			for z := 0; z < parts; z++ {
				lo, hi := 0, k
				if layout == 2 {
					lo, hi = min(k, z*chunk), min(k, (z+1)*chunk)
				}
				dst := ptr(2)[z*m*n : (z+1)*m*n]
				for i := 0; i < m; i++ {
					for j := 0; j < n; j++ {
						var v float32
						for q := lo; q < hi; q++ {
							switch layout {
							case 0:
								v += a[i*k+q] * b[q*n+j]
							case 1:
								v += a[i*k+q] * b[j*k+q]
							default:
								v += a[q*m+i] * b[q*n+j]
							}
						}
						switch epi {
						case 1, 2:
							bias := e[j]
							if epi == 2 {
								bias = e[i*n+j]
							}
							out := []float32{0}
							must(ops.NewDense(1, 1, nil, act)).Exec32(out, [][]float32{{v}, {1}, {bias}}, []tensor.Shape{{1, 1}, {1, 1}, {1}})
							v = out[0]
						case 3:
							if e != nil {
								v *= e[i*n+j]
							}
						}
						dst[i*n+j] = v
					}
				}
			}
		case "block_program":
			e.blockProgram(t, li, l, num(1))
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

// blockProgram emulates a block_program launch from its table of slots:
// op k is the general kernel BlockOps[slot 0] with slots 1.. as arguments,
// which must be the launch's Fused[k] (the table encodes what the plan
// says it fuses).
func (e *planEmulator) blockProgram(t *testing.T, li int, l engine.Launch, count int) {
	t.Helper()
	if l.Args[0].Kind != engine.ArgConst || e.c.Consts[l.Args[0].Index].Slots == nil {
		t.Fatalf("launch %d: block_program's table is not a slot constant", li)
	}
	table := e.c.Consts[l.Args[0].Index].Slots
	if len(table) != count*engine.ProgSlots || len(l.Fused) != count {
		t.Fatalf("launch %d: block_program of %d ops has %d slots and %d fused launches", li, count, len(table), len(l.Fused))
	}
	if l.Grid != [3]int{1, 1, 1} || l.Block != [3]int{32, 8, 1} {
		t.Fatalf("launch %d: block_program launched as %v × %v, want one block of 32×8", li, l.Grid, l.Block)
	}
	for k := 0; k < count; k++ {
		row := table[k*engine.ProgSlots : (k+1)*engine.ProgSlots]
		if row[0].Kind != engine.ArgInt || int(row[0].Value) >= len(engine.BlockOps) {
			t.Fatalf("launch %d op %d: opcode slot %+v", li, k, row[0])
		}
		sub := engine.Launch{Kernel: engine.BlockOps[row[0].Value], Grid: [3]int{1, 1, 1}, Block: [3]int{256, 1, 1}, Args: row[1:]}
		want := l.Fused[k]
		if sub.Kernel != want.Kernel || !slices.Equal(sub.Args[:len(want.Args)], want.Args) {
			t.Fatalf("launch %d op %d: table holds %s %v, the plan fuses %s %v", li, k, sub.Kernel, sub.Args, want.Kernel, want.Args)
		}
		e.launch(t, li, sub)
	}
}

// launchedKernels lists the kernels a plan runs: Init's, then each
// launch's, the ops of a block program included.
func launchedKernels(c *engine.CUDAPlan) []string {
	var ks []string
	for _, l := range append(slices.Clone(c.Init), c.Launches...) {
		ks = append(ks, l.Kernel)
		for _, f := range l.Fused {
			ks = append(ks, f.Kernel)
		}
	}
	return ks
}

// storedMasks maps each bound buffer that Init masks in place to its mask.
func storedMasks(c *engine.CUDAPlan) map[int][]float32 {
	m := map[int][]float32{}
	for _, l := range c.Init {
		if l.Kernel == "mask_mul" && l.Args[0] == l.Args[2] {
			m[l.Args[0].Index] = c.Consts[l.Args[1].Index].F32
		}
	}
	return m
}
