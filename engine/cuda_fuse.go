package engine

import (
	"slices"

	"github.com/nflowgo/nflow/ops"
)

// FuseMaxRows is the largest batch whose plan is fused into block
// programs (kernels/fused.cu): up to 64 rows, a run of ops costs less in
// one block than in one launch each (about 2.5 µs per dependent launch on
// an H200, against a few hundred nanoseconds of work per op).
const FuseMaxRows = 64

// BlockOps lists the kernels a block program can run, by opcode (the
// OP_* codes of kernels/fused.cu, in the same order). A fused op keeps
// the general kernel's arguments.
var BlockOps = []string{
	"dense_fwd", "dense_fwd_add", "dense_grad_x", "dense_grad_w", "act_grad", "col_sum", "mask_mul",
	"affine_ar", "affine_ar_grad_v", "affine_ar_grad_h", "log_scale_sum", "log_scale_sum_grad",
	"normal_log_prob", "normal_log_prob_grad", "neg_mean", "neg_mean_grad", "gather_cols", "fill", "add",
}

// ProgSlots is the number of 8-byte slots of one op in a block program's
// table: the opcode, then up to 15 arguments.
const ProgSlots = 16

// fuse replaces each run of two or more consecutive fusable launches by
// one block_program launch of one block of 32×8 threads.
func (c *CUDAPlan) fuse(ls []Launch) []Launch {
	var out, run []Launch
	flush := func() {
		if len(run) < 2 {
			out = append(out, run...)
		} else {
			var table []Arg
			for _, l := range run {
				row := make([]Arg, ProgSlots)
				row[0] = intArg(slices.Index(BlockOps, l.Kernel))
				copy(row[1:], l.Args)
				for j := 1 + len(l.Args); j < ProgSlots; j++ {
					row[j] = intArg(0)
				}
				table = append(table, row...)
			}
			c.Consts = append(c.Consts, ConstArray{Slots: table})
			out = append(out, Launch{Kernel: "block_program", Grid: [3]int{1, 1, 1}, Block: [3]int{tile, 8, 1},
				Args: []Arg{constArg(len(c.Consts) - 1), intArg(len(run))}, Fused: run})
		}
		run = nil
	}
	for _, l := range ls {
		if fusable(l) {
			run = append(run, l)
			continue
		}
		flush()
		out = append(out, l)
	}
	flush()
	return out
}

// fusable reports whether l can run in a block program and gains by it
// on the H200 roofline: its work on one SM takes no longer than it does
// as a launch of its own, launch latency included (a small model's ops
// fuse; a wide model's 1024×1024 products keep their grids).
func fusable(l Launch) bool {
	if !slices.Contains(BlockOps, l.Kernel) || len(l.Args) >= ProgSlots {
		return false
	}
	for _, a := range l.Args {
		if a.Kind == ArgScratch {
			return false
		}
	}
	one := l
	one.Grid = [3]int{1, 1, 1}
	return H200.Time(one)-H200.Launch <= H200.Time(l)
}

// storeMasked returns copies of p's steps in which every Mask of a bound
// buffer (a masked layer's kernel) is dropped, its readers reading the
// bound buffer itself, and adds to Init the launch that masks the buffer
// in place once. A bound buffer qualifies when every step that reads it is
// a Mask with the same entries and no such Mask's output is a plan output;
// training keeps it masked because its gradient is masked too
// (gradMaskFolds), so Adam never moves a masked entry (m = v = 0 there).
func (c *CUDAPlan) storeMasked() []*Step {
	p := c.Plan
	readers := map[int][]int{}
	for i, st := range p.Steps {
		for _, b := range st.In {
			if b < len(p.Buffers) && p.Buffers[b].Role == Bound {
				readers[b] = append(readers[b], i)
			}
		}
	}
	bound := make([]int, 0, len(readers))
	for b := range readers {
		bound = append(bound, b)
	}
	slices.Sort(bound)
	masked := map[int]bool{} // Mask steps dropped
	for _, b := range bound {
		rs := readers[b]
		first, ok := p.Steps[rs[0]].Op.(*ops.Mask)
		for _, r := range rs {
			m, isMask := p.Steps[r].Op.(*ops.Mask)
			ok = ok && isMask && slices.Equal(m.Values(), first.Values()) && !isOutput(p, r)
		}
		if !ok {
			continue
		}
		k := c.addF32(first.Values())
		c.Init = append(c.Init, elementwise("mask_mul", p.Buffers[b].Size, buf(b), constArg(k), buf(b), intArg(p.Buffers[b].Size))...)
		for _, r := range rs {
			masked[r] = true
		}
	}
	steps := make([]*Step, len(p.Steps))
	alias := map[int]int{} // a dropped Mask's output -> the bound buffer, until rewritten
	for i := range p.Steps {
		st := p.Steps[i]
		st.In = slices.Clone(st.In)
		for j, b := range st.In {
			if a, ok := alias[b]; ok {
				st.In[j] = a
			}
		}
		if masked[i] {
			alias[st.Out] = st.In[0]
			continue
		}
		delete(alias, st.Out)
		steps[i] = &st
	}
	return steps
}

// gradMaskFolds finds the weight-gradient masks to apply inside
// dense_grad_w: step i (DenseGradW) → step j (the Mask of its output, its
// only reader). Writing j's output at step i must be safe: the buffer is
// neither an input of step i nor read or written by a step between them.
func gradMaskFolds(p *Plan, steps []*Step) map[int]int {
	readers := make([][]int, len(p.Steps))
	for j, st := range p.Steps {
		for _, f := range st.From {
			if f >= 0 {
				readers[f] = append(readers[f], j)
			}
		}
	}
	folds := map[int]int{}
	for i, st := range steps {
		if _, ok := st.opIf().(*ops.DenseGradW); !ok || len(readers[i]) != 1 || isOutput(p, i) {
			continue
		}
		j := readers[i][0]
		m := steps[j]
		if _, ok := m.opIf().(*ops.Mask); !ok || len(m.In) != 1 || m.In[0] != st.Out || slices.Contains(st.In, m.Out) {
			continue
		}
		safe := true
		for k := i + 1; k < j && safe; k++ {
			if s := steps[k]; s != nil && (s.Out == m.Out || slices.Contains(s.In, m.Out)) {
				safe = false
			}
		}
		if safe {
			folds[i] = j
		}
	}
	return folds
}

// opIf is the step's op, or nil for a dropped step.
func (st *Step) opIf() any {
	if st == nil {
		return nil
	}
	return st.Op
}

// isOutput reports whether step i's result is a plan output: its buffer
// is an output's and no later step writes it.
func isOutput(p *Plan, i int) bool {
	b := p.Steps[i].Out
	if !slices.Contains(p.Outputs, b) {
		return false
	}
	for _, st := range p.Steps[i+1:] {
		if st.Out == b {
			return false
		}
	}
	return true
}
