package engine

import "math"

// Cost is the work of one launch: floating-point operations and bytes of
// device memory read and written (each operand counted once; a block
// program counts its ops' operands, most of which stay in L2).
type Cost struct {
	FLOPs, Bytes float64
}

// LaunchCost models the cost of l from its kernel and integer arguments.
// Transcendental functions count as 20 flops. Kernels without a model
// (the flow zoo's) count 1 flop and 8 bytes per thread launched.
func LaunchCost(l Launch) Cost {
	a := func(i int) float64 {
		if i < len(l.Args) && l.Args[i].Kind == ArgInt {
			return float64(int64(l.Args[i].Value))
		}
		return 0
	}
	const f4, tr = 4.0, 20.0 // bytes per float, flops per transcendental
	switch l.Kernel {
	case "block_program":
		var c Cost
		for _, f := range l.Fused {
			fc := LaunchCost(f)
			c.FLOPs += fc.FLOPs
			c.Bytes += fc.Bytes
		}
		return c
	case "dense_fwd", "dense_fwd_add":
		n, in, out := a(4), a(5), a(6)
		bias := out
		if l.Kernel == "dense_fwd_add" {
			bias = n * out
		}
		return Cost{2 * n * in * out, f4 * (n*in + in*out + bias + n*out)}
	case "sgemm": // A, B, C, e, M, N, K, layout, epi: C holds grid.z partial products
		m, n, k, epi := a(4), a(5), a(6), a(8)
		e := 0.0
		switch {
		case epi == 1:
			e = n
		case epi >= 2 && l.Args[3].Kind != ArgNull:
			e = m * n
		}
		return Cost{2 * m * n * k, f4 * (m*k + k*n + float64(l.Grid[2])*m*n + e)}
	case "dense_grad_x":
		n, in, out := a(3), a(4), a(5)
		return Cost{2 * n * in * out, f4 * (n*out + in*out + n*in)}
	case "dense_grad_w":
		n, in, out := a(3), a(4), a(5)
		mask := 0.0
		if len(l.Args) > 6 && l.Args[6].Kind != ArgNull {
			mask = in * out
		}
		return Cost{2 * n * in * out, f4 * (n*in + n*out + float64(l.Grid[2])*in*out + mask)} // grid.z partial products
	case "col_sum":
		n, d := a(2), a(3)
		return Cost{n * d, f4 * (n*d + float64(l.Grid[1])*d)} // grid.y partial sums
	case "sum_parts":
		size, p := a(2), a(3)
		return Cost{size * p, f4 * size * (p + 1)}
	case "row_sum_parts", "neg_mean":
		return Cost{a(2), f4 * a(2)}
	case "neg_mean_grad":
		return Cost{a(2), f4 * a(2)}
	case "act_grad", "mask_mul", "add":
		return Cost{a(3), 3 * f4 * a(3)}
	case "fill":
		return Cost{0, f4 * a(1)}
	case "affine_ar":
		return Cost{tr * a(3), f4 * 4 * a(3)}
	case "affine_ar_grad_v":
		return Cost{tr * a(4), f4 * 5 * a(4)}
	case "affine_ar_grad_h":
		return Cost{tr * a(4), f4 * 6 * a(4)}
	case "log_scale_sum":
		n, d := a(2), a(3)
		return Cost{tr * n * d, f4 * (2*n*d + n)}
	case "log_scale_sum_grad":
		n, d := a(3), a(4)
		return Cost{tr * n * d, f4 * (4*n*d + n)}
	case "normal_log_prob":
		n, d := a(4), a(5)
		return Cost{4 * n * d, f4 * (n*d + n)}
	case "normal_log_prob_grad":
		n, d := a(5), a(6)
		return Cost{4 * n * d, f4 * (2*n*d + n)}
	case "gather_cols":
		return Cost{0, 2 * f4 * a(3) * a(4)}
	case "gather_batch":
		rows, d := a(3), a(4)
		return Cost{0, 2*f4*rows*d + 8*rows}
	case "train_guard":
		rows, d := a(8), a(9)
		return Cost{a(1), f4*a(1) + 2*f4*rows*d + 8*rows}
	case "adam_step":
		return Cost{12 * a(4), 7 * f4 * a(4)} // p, m, v read and written, g read
	}
	threads := float64(l.Grid[0] * l.Grid[1] * l.Grid[2] * l.Block[0] * l.Block[1] * l.Block[2])
	return Cost{threads, 8 * threads}
}

// Roofline is a GPU's performance model: a launch takes max(flops /
// compute, bytes / bandwidth) plus Launch seconds, where a launch of b
// blocks has min(b, SMs)/SMs of the FP32 peak and min(HBM, min(b, SMs)·SMBandwidth)
// of the memory bandwidth (one SM cannot stream from HBM at the chip's rate).
type Roofline struct {
	Name        string
	FLOPs       float64 // FP32 peak, flop/s
	TF32        float64 // TF32 tensor-core peak, flop/s (sgemm with tf32 on)
	HBM         float64 // bytes/s
	SMs         int
	SMBandwidth float64 // bytes/s one SM moves (L2 to SM)
	Launch      float64 // seconds per dependent launch
}

// H200 is the roofline of an NVIDIA H200: 132 SMs, about 60 TFLOP/s FP32
// (about 4 times that in TF32 on tensor cores), 4.8 TB/s of HBM3e, 64 bytes per cycle per SM at
// 1.98 GHz, and about 2.5 µs per dependent kernel in a CUDA graph.
var H200 = Roofline{Name: "H200", FLOPs: 60e12, TF32: 4 * 60e12, HBM: 4.8e12, SMs: 132, SMBandwidth: 64 * 1.98e9, Launch: 2.5e-6}

// Time models the seconds l takes on r.
func (r Roofline) Time(l Launch) float64 {
	c := LaunchCost(l)
	sms := float64(min(max(l.Grid[0]*l.Grid[1]*l.Grid[2], 1), r.SMs))
	peak := r.FLOPs
	if l.Kernel == "sgemm" && len(l.Args) > 10 && l.Args[10].Value != 0 {
		peak = r.TF32
	}
	compute := c.FLOPs / (peak * sms / float64(r.SMs))
	memory := c.Bytes / math.Min(r.HBM, sms*r.SMBandwidth)
	return math.Max(compute, memory) + r.Launch
}
