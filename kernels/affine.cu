// Affine autoregressive transform kernels (ops.AffineAR, ops.AffineARGrad,
// ops.LogScaleSum, ops.LogScaleSumGrad). The network output h [n, 2d] is
// interleaved as TFP's AutoregressiveNetwork emits it: h[r, 2e] is the
// shift m and h[r, 2e+1] the unconstrained scale u of feature e, so element
// i of v [n, d] pairs with h[2i] and h[2i+1].
//
//	forward: y = v·σ(u) + m
//	inverse: x = (v − m) / σ(u)
//
// σ, log σ and (log σ)' are evaluated in double precision and each result
// is rounded to float32 once, as the CPU ops do.

#include "flowmath.cuh"

// affine_ar computes out[i] = v[i]·σ(h[2i+1]) + h[2i] (forward) or
// (v[i] − h[2i]) / σ(h[2i+1]) (inverse != 0), for the count = n·d elements
// of v. Grid-stride over count.
extern "C" __global__ void affine_ar(const float* v, const float* h, float* out, long long count,
	long long inverse, long long scale_fn)
{
	for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < count; i += (long long)gridDim.x * blockDim.x) {
		out[i] = affine_ar_at(v, h, i, inverse, scale_fn);
	}
}

// affine_ar_grad_v computes the gradient with respect to v of
// Σ g·affine_ar(v, h): out[i] = g[i]·σ (forward) or g[i]/σ (inverse).
// Grid-stride over count = n·d.
extern "C" __global__ void affine_ar_grad_v(const float* v, const float* h, const float* g, float* out,
	long long count, long long inverse, long long scale_fn)
{
	for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < count; i += (long long)gridDim.x * blockDim.x) {
		out[i] = affine_ar_grad_v_at(h, g, i, inverse, scale_fn);
	}
}

// affine_ar_grad_h computes the gradient with respect to h, out [n, 2d]
// (2·count entries):
//
//	forward: out[2i] = g,    out[2i+1] = g·v·σ·(log σ)'
//	inverse: out[2i] = −g/σ, out[2i+1] = −g·x·(log σ)' with x = (v − m)/σ
//
// Grid-stride over count = n·d.
extern "C" __global__ void affine_ar_grad_h(const float* v, const float* h, const float* g, float* out,
	long long count, long long inverse, long long scale_fn)
{
	for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < count; i += (long long)gridDim.x * blockDim.x) {
		affine_ar_grad_h_at(v, h, g, out, i, inverse, scale_fn);
	}
}

// log_scale_sum computes out[r] = sign·Σ_e log σ(h[r, 2e+1]) for the n rows
// of h [n, 2d] (d is the event size; h has 2d columns), summing e = 0..d−1
// in order in double precision. One thread per row, grid-stride over n.
extern "C" __global__ void log_scale_sum(const float* h, float* out, long long n, long long d,
	long long scale_fn, float sign)
{
	for (long long r = (long long)blockIdx.x * blockDim.x + threadIdx.x; r < n; r += (long long)gridDim.x * blockDim.x) {
		out[r] = log_scale_sum_at(h, r, d, scale_fn, sign);
	}
}

// log_scale_sum_grad computes the gradient of log_scale_sum, out [n, 2d]:
// out[r, 2e] = 0 and out[r, 2e+1] = sign·g[r]·(log σ)'(h[r, 2e+1]).
// Grid-stride over the n·d (shift, scale) pairs.
extern "C" __global__ void log_scale_sum_grad(const float* h, const float* g, float* out, long long n,
	long long d, long long scale_fn, float sign)
{
	const long long count = n * d;
	for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < count; i += (long long)gridDim.x * blockDim.x) {
		log_scale_sum_grad_at(h, g, out, i, d, scale_fn, sign);
	}
}
