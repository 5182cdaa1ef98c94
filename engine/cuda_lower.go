package engine

import (
	"fmt"
	"math"
	"sync"

	"github.com/nflowgo/nflow/ops"
	"gorgonia.org/tensor"
)

// ArgKind says how a kernel argument slot is filled at launch time.
type ArgKind int

const (
	ArgBuffer  ArgKind = iota // device address of plan buffer Index
	ArgConst                  // device address of constant array Index
	ArgInt                    // Value as a 64-bit integer
	ArgFloat                  // Value's low 32 bits hold a float32
	ArgNull                   // a null pointer
	ArgScratch                // device address of the plan's scratch area plus Index floats
	ArgTrainer                // a trainer's array Index (TrainerParams, ...) plus Value bytes
)

// Arg is one 8-byte kernel argument (cu's Launch copies 8 bytes per
// argument; a float argument is read from the low 4 bytes).
type Arg struct {
	Kind  ArgKind
	Index int
	Value uint64
}

// Launch is one kernel launch of a lowered plan. A block_program launch
// (fused.cu) also lists the launches it fuses, in order, in Fused.
type Launch struct {
	Kernel string
	Grid   [3]int
	Block  [3]int
	Args   []Arg
	Fused  []Launch
}

// ConstArray is op data that lives on the device: masks, permutations,
// Gaussian parameters, affine coefficients, or a block program's table of
// 8-byte slots (resolved like launch arguments when the program is placed).
// Exactly one field is set.
type ConstArray struct {
	F32   []float32
	I64   []int64
	Slots []Arg
}

// CUDAPlan is a Plan lowered to the CUDA kernels of package kernels: the
// launches of every step, in order, and the constant arrays they read.
// Init runs once when a program is placed on the device (it masks the
// stored-masked parameters in place); Scratch is the size in floats of the
// area the two-stage reductions keep their partial sums in. Lowering is
// pure Go (no GPU needed), so it is tested on any machine.
type CUDAPlan struct {
	*Plan
	Launches []Launch
	Init     []Launch
	Consts   []ConstArray
	Scratch  int
	opts     LowerOptions
}

// LowerOptions tunes LowerCUDAWith.
type LowerOptions struct {
	// NoFuse lowers every op to its general kernel, even at batches of
	// FuseMaxRows rows or fewer, where runs of ops otherwise become one
	// block_program launch.
	NoFuse bool
	// TF32 lets the large-batch matrix products (sgemm) use TF32 tensor
	// cores (operands rounded to a 10-bit mantissa, FP32 accumulation);
	// off, they are FP32 throughout. Not yet validated on a GPU.
	TF32 bool
}

const (
	elemBlock = 256   // threads per block of element-wise kernels
	maxGridX  = 65535 // grid-stride loops cover the rest
	tile      = 32    // dense kernels' output tile (block 32×8, 4 outputs a thread)
)

// ElementGrid is the 1-D launch shape of an element-wise kernel over count elements.
func ElementGrid(count int) (grid, block [3]int) {
	g := (count + elemBlock - 1) / elemBlock
	if g < 1 {
		g = 1
	}
	if g > maxGridX {
		g = maxGridX
	}
	return [3]int{g, 1, 1}, [3]int{elemBlock, 1, 1}
}

// TileGrid is the launch shape of a dense kernel writing a rows×cols
// output: one 32×32 tile a block; grid.y is capped at 65535 (the kernels
// loop over further row tiles).
func TileGrid(rows, cols int) (grid, block [3]int) {
	return [3]int{(cols + tile - 1) / tile, min((rows+tile-1)/tile, maxGridX), 1}, [3]int{tile, 8, 1}
}

func buf(i int) Arg          { return Arg{Kind: ArgBuffer, Index: i} }
func constArg(i int) Arg     { return Arg{Kind: ArgConst, Index: i} }
func intArg(v int) Arg       { return Arg{Kind: ArgInt, Value: uint64(int64(v))} }
func floatArg(v float64) Arg { return Arg{Kind: ArgFloat, Value: uint64(math.Float32bits(float32(v)))} }

// LowerCUDA maps every step of p to kernel launches with the default
// options. Only float32 plans lower; an op without a CUDA kernel is an
// error naming it.
func LowerCUDA(p *Plan) (*CUDAPlan, error) { return LowerCUDAWith(p, CUDALowerOptions()) }

var lowerOpts struct {
	sync.Mutex
	o LowerOptions
}

// SetCUDALowerOptions sets the options LowerCUDA (and so every program the
// cuda device compiles from then on) lowers with, and returns the old
// ones: a switch for tests and benchmarks (the zero value is the default).
func SetCUDALowerOptions(o LowerOptions) LowerOptions {
	lowerOpts.Lock()
	defer lowerOpts.Unlock()
	old := lowerOpts.o
	lowerOpts.o = o
	return old
}

// CUDALowerOptions returns the options LowerCUDA lowers with.
func CUDALowerOptions() LowerOptions {
	lowerOpts.Lock()
	defer lowerOpts.Unlock()
	return lowerOpts.o
}

// LowerCUDAWith maps every step of p to kernel launches:
//   - a Mask of a bound parameter is applied once, in place, by Init (the
//     parameter is stored masked), and its readers read the parameter;
//   - a Mask of a weight gradient is applied as dense_grad_w writes it;
//   - at batches of at most FuseMaxRows rows, runs of ops that the block
//     program implements become one block_program launch (unless NoFuse);
//   - at SGEMMMinRows rows and more, the dense products run on sgemm
//     (TF32 tensor cores only with TF32);
//   - reductions over large batches split in two stages (cuda_reduce.go);
//   - every other op lowers to its general kernel.
func LowerCUDAWith(p *Plan, o LowerOptions) (*CUDAPlan, error) {
	if p.DType != tensor.Float32 {
		return nil, fmt.Errorf("engine: the cuda device runs float32 only, the plan is %v", p.DType)
	}
	c := &CUDAPlan{Plan: p, opts: o}
	steps := c.storeMasked()
	folds := gradMaskFolds(p, steps)
	for i, st := range steps {
		if st == nil {
			continue
		}
		var ls []Launch
		var err error
		if j, ok := folds[i]; ok {
			mask := steps[j].Op.(*ops.Mask)
			ls = c.denseGradW(st, steps[j].Out, constArg(c.addF32(mask.Values())))
			steps[j] = nil
		} else if ls, err = c.lower(st); err != nil {
			return nil, err
		}
		c.Launches = append(c.Launches, ls...)
	}
	if !o.NoFuse && len(p.InputShapes) > 0 && len(p.InputShapes[0]) > 0 && p.InputShapes[0][0] <= FuseMaxRows {
		c.Launches = c.fuse(c.Launches)
	}
	return c, nil
}

func (c *CUDAPlan) addF32(v []float64) int {
	f := make([]float32, len(v))
	for i, x := range v {
		f[i] = float32(x)
	}
	c.Consts = append(c.Consts, ConstArray{F32: f})
	return len(c.Consts) - 1
}

func (c *CUDAPlan) addI64(v []int) int {
	f := make([]int64, len(v))
	for i, x := range v {
		f[i] = int64(x)
	}
	c.Consts = append(c.Consts, ConstArray{I64: f})
	return len(c.Consts) - 1
}

func elementwise(kernel string, count int, args ...Arg) []Launch {
	g, b := ElementGrid(count)
	return []Launch{{Kernel: kernel, Grid: g, Block: b, Args: args}}
}

func (c *CUDAPlan) lower(st *Step) ([]Launch, error) {
	in, out, s := st.In, st.Out, st.Shapes
	count := st.OutShape.TotalSize()
	switch op := st.Op.(type) {
	case *ops.Dense:
		if op.Mask() != nil {
			return nil, fmt.Errorf("engine: %v: masked Dense has no cuda kernel; mask the kernel with ops.Mask", op)
		}
		return c.denseFwd("dense_fwd", in, out, s[0][0], op.In, op.Out, op.Act), nil
	case *ops.DenseAdd:
		if op.Mask() != nil {
			return nil, fmt.Errorf("engine: %v: masked DenseAdd has no cuda kernel; mask the kernel with ops.Mask", op)
		}
		return c.denseFwd("dense_fwd_add", in, out, s[0][0], op.In, op.Out, op.Act), nil
	case *ops.DenseGradX:
		d := op.Layer()
		if d.Mask() != nil {
			return nil, fmt.Errorf("engine: %v: masked Dense has no cuda kernel", op)
		}
		return c.denseGradX(in, out, s[0][0], d.In, d.Out), nil
	case *ops.DenseGradW:
		d := op.Layer()
		if d.Mask() != nil {
			return nil, fmt.Errorf("engine: %v: masked Dense has no cuda kernel", op)
		}
		if sup := d.Support(); sup != nil { // the CPU op masks dW by the layer's support: so does dense_grad_w
			return c.denseGradW(st, out, constArg(c.addF32(sup))), nil
		}
		return c.denseGradW(st, out, Arg{Kind: ArgNull}), nil
	case *ops.ActGrad:
		return elementwise("act_grad", count, buf(in[0]), buf(in[1]), buf(out), intArg(count), intArg(int(op.Act))), nil
	case *ops.ColSum:
		return c.colSum(in[0], out, s[0][0], s[0][1]), nil
	case *ops.ColSumRow:
		return c.colSum(in[0], out, s[0][0], s[0][1]), nil
	case *ops.Mask:
		k := c.addF32(op.Values())
		return elementwise("mask_mul", count, buf(in[0]), constArg(k), buf(out), intArg(count)), nil
	case *ops.AffineAR:
		return elementwise("affine_ar", count, buf(in[0]), buf(in[1]), buf(out), intArg(count),
			boolArg(op.Inverse), intArg(int(op.Scale))), nil
	case *ops.AffineARGrad:
		ar := op.Transform()
		n := s[0].TotalSize()
		kernel := "affine_ar_grad_v"
		if op.WRT == 1 {
			kernel = "affine_ar_grad_h"
		}
		return elementwise(kernel, n, buf(in[0]), buf(in[1]), buf(in[2]), buf(out), intArg(n),
			boolArg(ar.Inverse), intArg(int(ar.Scale))), nil
	case *ops.LogScaleSum:
		n, d := s[0][0], s[0][1]/2
		return rowwise("log_scale_sum", n, buf(in[0]), buf(out), intArg(n), intArg(d), intArg(int(op.Scale)), floatArg(op.Sign)), nil
	case *ops.LogScaleSumGrad:
		ls := op.Reduction()
		n, d := s[0][0], s[0][1]/2
		return elementwise("log_scale_sum_grad", n, buf(in[0]), buf(in[1]), buf(out), intArg(n), intArg(d),
			intArg(int(ls.Scale)), floatArg(ls.Sign)), nil
	case *ops.NormalLogProb:
		n, d := s[0][0], s[0][1]
		loc, scale := c.addF32(op.Loc), c.addF32(op.Scale)
		return rowwise("normal_log_prob", n, buf(in[0]), constArg(loc), constArg(scale), buf(out), intArg(n), intArg(d),
			floatArg(op.Constant())), nil
	case *ops.NormalLogProbGrad:
		lp := op.Density()
		n, d := s[0][0], s[0][1]
		loc, scale := c.addF32(lp.Loc), c.addF32(lp.Scale)
		return elementwise("normal_log_prob_grad", n*d, buf(in[0]), buf(in[1]), constArg(loc), constArg(scale), buf(out),
			intArg(n), intArg(d)), nil
	case *ops.NegMean:
		return c.negMean(in[0], out, s[0][0]), nil
	case *ops.NegMeanGrad:
		n := s[0][0]
		return elementwise("neg_mean_grad", n, buf(in[1]), buf(out), intArg(n)), nil
	case *ops.Gather:
		n, d := s[0][0], s[0][1]
		k := c.addI64(op.Perm)
		return elementwise("gather_cols", n*d, buf(in[0]), constArg(k), buf(out), intArg(n), intArg(d)), nil
	case *ops.ConstRows:
		return elementwise("fill", count, buf(out), intArg(count), floatArg(op.Value)), nil
	case *ops.ZerosLike:
		return elementwise("fill", count, buf(out), intArg(count), floatArg(0)), nil
	case *ops.RepeatRows:
		n, k := st.OutShape[0], st.OutShape[1]
		return elementwise("repeat_rows", n*k, buf(in[0]), buf(out), intArg(n), intArg(k)), nil
	case *ops.ConstAffine:
		a, b := c.addF32(op.A), c.addF32(op.B)
		return elementwise("const_affine", count, buf(in[0]), constArg(a), constArg(b), buf(out), intArg(count), intArg(len(op.A))), nil
	case *ops.Pointwise:
		n, d := s[0][0], s[0][1]
		g := Arg{Kind: ArgNull}
		if len(in) > 1 {
			g = buf(in[1])
		}
		if op.Mode() == 2 {
			return rowwise("pointwise", n, buf(in[0]), g, buf(out), intArg(n), intArg(d), intArg(int(op.Fn)), intArg(op.Mode())), nil
		}
		return elementwise("pointwise", n*d, buf(in[0]), g, buf(out), intArg(n), intArg(d), intArg(int(op.Fn)), intArg(op.Mode())), nil
	}
	if ls, ok, err := c.lowerZoo(st); ok {
		return ls, err
	}
	if k, ok := builtinKernel(st.Op).(addKernel); ok {
		return elementwise("add", count, buf(in[0]), buf(in[1]), buf(out), intArg(count), floatArg(k.sign)), nil
	}
	return nil, fmt.Errorf("engine: op %v (%T) has no kernel on the cuda device", st.Op, st.Op)
}

func boolArg(b bool) Arg {
	if b {
		return intArg(1)
	}
	return intArg(0)
}

// redBlock is the block size of the kernels that reduce over the batch:
// one block per output column (or per matrix entry), or a single block.
const redBlock = 256

// perBlock is the launch of a reducing kernel with one block of redBlock
// threads per item (output column or matrix entry); grid.x is capped at
// 65535, the blocks striding over further items.
func perBlock(kernel string, items int, args ...Arg) []Launch {
	return []Launch{{Kernel: kernel, Grid: [3]int{min(max(items, 1), maxGridX), 1, 1}, Block: [3]int{redBlock, 1, 1}, Args: args}}
}

// oneBlock is the launch of a kernel that runs as a single block of redBlock threads.
func oneBlock(kernel string, args ...Arg) []Launch {
	return []Launch{{Kernel: kernel, Grid: [3]int{1, 1, 1}, Block: [3]int{redBlock, 1, 1}, Args: args}}
}

// doubleArg passes a float64 exactly: its IEEE-754 bits fill the slot of
// a long long kernel parameter (the kernel reads it with
// __longlong_as_double).
func doubleArg(v float64) Arg { return Arg{Kind: ArgInt, Value: math.Float64bits(v)} }

// zooStep reads a step's inputs and shapes defensively: Supports lowers a
// placeholder step with three inputs of fixed shapes (lowerOne), so an
// input or dimension the step lacks reads as a null pointer or 1.
type zooStep struct{ *Step }

func (z zooStep) in(i int) Arg {
	if i < len(z.In) {
		return buf(z.In[i])
	}
	return Arg{Kind: ArgNull}
}

func (z zooStep) dim(i, j int) int {
	if i < len(z.Shapes) && j < len(z.Shapes[i]) {
		return z.Shapes[i][j]
	}
	return 1
}

// diagSign is the constant of LUMatvec's diagonal signs, or a null
// pointer for the raw diagonal.
func (c *CUDAPlan) diagSign(sign []float64) Arg {
	if sign == nil {
		return Arg{Kind: ArgNull}
	}
	return constArg(c.addF32(sign))
}

// lowerZoo lowers the ops of the flow zoo (coupling column blocks,
// ActNorm, LU, batch normalization, rational-quadratic splines); ok is
// false for any other op.
func (c *CUDAPlan) lowerZoo(st *Step) (ls []Launch, ok bool, err error) {
	z, out := zooStep{st}, buf(st.Out)
	n, d := z.dim(0, 0), z.dim(0, 1) // the [N, D] first input of most ops
	switch op := st.Op.(type) {
	case *ops.Columns:
		w := op.Hi - op.Lo
		return elementwise("columns", n*w, z.in(0), out, intArg(n), intArg(d), intArg(op.Lo), intArg(w)), true, nil
	case *ops.ColumnsGrad:
		w := op.Hi - op.Lo
		return elementwise("columns_grad", n*d, z.in(1), out, intArg(n), intArg(d), intArg(op.Lo), intArg(w)), true, nil
	case *ops.Concat:
		db := z.dim(1, 1)
		return elementwise("concat", n*(d+db), z.in(0), z.in(1), out, intArg(n), intArg(d), intArg(db)), true, nil

	case *ops.ActNorm:
		return elementwise("actnorm", n*d, z.in(0), z.in(1), z.in(2), out, intArg(n), intArg(d), boolArg(op.Inverse)), true, nil
	case *ops.ActNormGrad:
		inv := boolArg(op.Transform().Inverse)
		if op.WRT == 0 {
			return elementwise("actnorm_grad_v", n*d, z.in(1), z.in(3), out, intArg(n), intArg(d), inv), true, nil
		}
		return perBlock("actnorm_grad_param", d, z.in(0), z.in(1), z.in(2), z.in(3), out, intArg(n), intArg(d), inv,
			intArg(op.WRT)), true, nil
	case *ops.ActNormLogDet:
		return rowwise("actnorm_logdet", n, z.in(1), out, intArg(n), intArg(d), doubleArg(op.Sign)), true, nil
	case *ops.ActNormLogDetGrad: // (s [D], g [N])
		d, n := z.dim(0, 0), z.dim(1, 0)
		return oneBlock("actnorm_logdet_grad", z.in(1), out, intArg(n), intArg(d), doubleArg(op.Sign)), true, nil

	case *ops.LUMatvec:
		perm, sign := constArg(c.addI64(op.Perm)), c.diagSign(op.DiagSign)
		return elementwise("lu_matvec", n, z.in(0), z.in(1), z.in(2), perm, sign, out, intArg(n), intArg(d),
			boolArg(op.Inverse)), true, nil
	case *ops.LUMatvecGrad: // (v, lower, upper, y, g)
		lu := op.Transform()
		perm, sign, inv := constArg(c.addI64(lu.Perm)), c.diagSign(lu.DiagSign), boolArg(lu.Inverse)
		if op.WRT == 0 {
			return elementwise("lu_matvec_grad_v", n, z.in(4), z.in(1), z.in(2), perm, sign, out, intArg(n), intArg(d), inv), true, nil
		}
		x := z.in(0) // M = Σ_n (P g) vᵀ forward, Σ_n g yᵀ inverse
		if lu.Inverse {
			x = z.in(3)
		}
		ls := perBlock("lu_outer", d*d, z.in(4), x, perm, out, intArg(n), intArg(d), inv)
		return append(ls, oneBlock("lu_grad_finish", z.in(1), z.in(2), sign, out, intArg(d), inv, intArg(op.WRT))...), true, nil
	case *ops.LULogDet: // (v, upper)
		return rowwise("lu_logdet", n, z.in(1), out, intArg(n), intArg(d), doubleArg(op.Sign), boolArg(op.LogDiag)), true, nil
	case *ops.LULogDetGrad: // (upper [D, D], g [N])
		ld := op.LogDet()
		n := z.dim(1, 0)
		return oneBlock("lu_logdet_grad", z.in(0), z.in(1), out, intArg(n), intArg(d), doubleArg(ld.Sign), boolArg(ld.LogDiag)), true, nil

	case *ops.BatchNorm: // (v, mean, variance, λ, β); training updates mean and variance in place
		return perBlock("batchnorm", d, z.in(0), z.in(1), z.in(2), z.in(3), z.in(4), out, intArg(n), intArg(d),
			intArg(int(op.Mode)), doubleArg(op.Epsilon), doubleArg(op.Momentum)), true, nil
	case *ops.BatchNormGrad: // (v, mean, variance, λ, β, g)
		bn := op.Transform()
		return perBlock("batchnorm_grad", d, z.in(0), z.in(1), z.in(2), z.in(3), z.in(4), z.in(5), out, intArg(n), intArg(d),
			intArg(int(bn.Mode)), intArg(op.WRT), doubleArg(bn.Epsilon)), true, nil
	case *ops.BatchNormLogDet: // (v, variance, λ)
		return oneBlock("batchnorm_logdet", z.in(0), z.in(1), z.in(2), out, intArg(n), intArg(d), boolArg(op.Training),
			doubleArg(op.Sign), doubleArg(op.Epsilon)), true, nil
	case *ops.BatchNormLogDetGrad: // (v, variance, λ, g [N])
		ld := op.LogDet()
		return perBlock("batchnorm_logdet_grad", d, z.in(0), z.in(3), out, intArg(n), intArg(d), intArg(op.WRT),
			doubleArg(ld.Sign), doubleArg(ld.Epsilon)), true, nil

	case *ops.RQSplineKnots: // θ [N, D·(3K−1)]
		count := n * d / ops.SplineParams(op.Bins)
		return elementwise("rq_spline_knots", count, z.in(0), out, intArg(count), intArg(op.Bins), doubleArg(op.Bound)), true, nil
	case *ops.RQSplineKnotsGrad: // (θ, κ, g)
		kn := op.Knots()
		count := n * d / ops.SplineParams(kn.Bins)
		return elementwise("rq_spline_knots_grad", count, z.in(0), z.in(1), z.in(2), out, intArg(count), intArg(kn.Bins),
			doubleArg(kn.Bound)), true, nil
	case *ops.RQSpline: // (v, κ)
		return elementwise("rq_spline", n*d, z.in(0), z.in(1), out, intArg(n*d), intArg(op.Bins), doubleArg(op.Bound),
			boolArg(op.Inverse)), true, nil
	case *ops.RQSplineGrad: // (v, κ, g)
		sp := op.Spline()
		return elementwise("rq_spline_grad", n*d, z.in(0), z.in(1), z.in(2), out, intArg(n*d), intArg(sp.Bins),
			doubleArg(sp.Bound), boolArg(sp.Inverse), intArg(op.WRT)), true, nil
	case *ops.RQSplineLogDet: // (v, κ)
		return rowwise("rq_spline_logdet", n, z.in(0), z.in(1), out, intArg(n), intArg(d), intArg(op.Bins),
			doubleArg(op.Bound), boolArg(op.Inverse)), true, nil
	case *ops.RQSplineLogDetGrad: // (v, κ, g [N])
		ld := op.LogDet()
		return elementwise("rq_spline_logdet_grad", n*d, z.in(0), z.in(1), z.in(2), out, intArg(n), intArg(d), intArg(ld.Bins),
			doubleArg(ld.Bound), boolArg(ld.Inverse), intArg(op.WRT)), true, nil
	}
	return nil, false, nil
}
