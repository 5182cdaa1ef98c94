// ActNorm kernels (ops.ActNorm, ops.ActNormGrad, ops.ActNormLogDet,
// ops.ActNormLogDetGrad): the per-dimension affine map of Glow with
// log-scale s [d] and shift b [d] on v [n, d],
//
//	forward: y = v·e^s + b      inverse: x = (v − b)·e^−s
//
// evaluated in double precision and rounded to float32 once, as the CPU
// ops do (products are rounded before they are added, __dmul_rn, so that
// no fused multiply-add changes a result).
//
// Element-wise kernels use a 1-D grid-stride loop (block 256, grid
// min(ceil(count/256), 65535)). The reductions over the batch run one
// block of RED_BLOCK threads per output column (grid min(d, 65535), the
// blocks striding over further columns): thread t sums rows t, t + 256,
// ... in order and a fixed binary tree adds the partial sums, so a result
// depends only on n and the block size, never on timing. A double scalar
// (sign_bits) travels as its IEEE-754 bits in a long long slot.

#define RED_BLOCK 256

#define GRID_STRIDE(i, count) \
	for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < (count); i += (long long)gridDim.x * blockDim.x)

// block_sum returns the sum of v over the threads of the block (at most
// RED_BLOCK) to every thread, by a fixed binary tree in part.
__device__ double block_sum(double v, double* part)
{
	const int t = threadIdx.x;
	part[t] = v;
	__syncthreads();
	for (int stride = RED_BLOCK / 2; stride > 0; stride >>= 1) {
		if (t < stride && t + stride < (int)blockDim.x) {
			part[t] += part[t + stride];
		}
		__syncthreads();
	}
	const double s = part[0];
	__syncthreads();
	return s;
}

// actnorm computes out[r, c] = v[r, c]·e^s[c] + b[c] (forward) or
// (v[r, c] − b[c])·e^−s[c] (inverse != 0), v and out [n, d]. Grid-stride
// over n·d.
extern "C" __global__ void actnorm(const float* v, const float* s, const float* b, float* out, long long n,
	long long d, long long inverse)
{
	GRID_STRIDE(i, n * d)
	{
		const long long c = i % d;
		const double bc = (double)b[c];
		if (inverse) {
			out[i] = (float)(((double)v[i] - bc) * exp(-(double)s[c]));
		} else {
			out[i] = (float)__dadd_rn(__dmul_rn((double)v[i], exp((double)s[c])), bc);
		}
	}
}

// actnorm_grad_v computes the gradient with respect to v,
// out[r, c] = g[r, c]·e^±s[c] (+ forward, − inverse). Grid-stride over n·d.
extern "C" __global__ void actnorm_grad_v(const float* s, const float* g, float* out, long long n, long long d,
	long long inverse)
{
	GRID_STRIDE(i, n * d)
	{
		const double sc = (double)s[i % d];
		out[i] = (float)((double)g[i] * exp(inverse ? -sc : sc));
	}
}

// actnorm_grad_param computes the gradient with respect to s (wrt 1) or
// b (wrt 2), out [d]:
//
//	forward: ds = Σ_r g·v·e^s,      db = Σ_r g
//	inverse: ds = −Σ_r g·(v − b)·e^−s, db = −e^−s·Σ_r g
//
// One block per column (see the header).
extern "C" __global__ void actnorm_grad_param(const float* v, const float* s, const float* b, const float* g,
	float* out, long long n, long long d, long long inverse, long long wrt)
{
	__shared__ double part[RED_BLOCK];
	for (long long c = blockIdx.x; c < d; c += gridDim.x) {
		const double e = exp(inverse ? -(double)s[c] : (double)s[c]);
		const double bc = (double)b[c];
		double acc = 0;
		for (long long r = threadIdx.x; r < n; r += blockDim.x) {
			const double gi = (double)g[r * d + c];
			if (wrt == 2) {
				acc += gi;
			} else if (inverse) {
				acc -= __dmul_rn(__dmul_rn(gi, (double)v[r * d + c] - bc), e);
			} else {
				acc += __dmul_rn(__dmul_rn(gi, (double)v[r * d + c]), e);
			}
		}
		acc = block_sum(acc, part);
		if (threadIdx.x == 0) {
			out[c] = (float)(wrt == 2 && inverse ? -acc * e : acc);
		}
	}
}

// actnorm_logdet computes out[r] = sign·Σ_c s[c] for the n rows, summing
// c = 0..d−1 in order in double precision (sign_bits: the double sign).
// Grid-stride over n.
extern "C" __global__ void actnorm_logdet(const float* s, float* out, long long n, long long d, long long sign_bits)
{
	GRID_STRIDE(r, n)
	{
		double acc = 0;
		for (long long c = 0; c < d; c++) {
			acc += (double)s[c];
		}
		out[r] = (float)(__longlong_as_double(sign_bits) * acc);
	}
}

// actnorm_logdet_grad computes the gradient of actnorm_logdet with respect
// to s: out[c] = sign·Σ_r g[r] for every c < d, g [n]. One block of
// RED_BLOCK threads (grid 1): a tree sum as in the header, then every
// thread writes columns t, t + 256, ...
extern "C" __global__ void actnorm_logdet_grad(const float* g, float* out, long long n, long long d,
	long long sign_bits)
{
	__shared__ double part[RED_BLOCK];
	if (blockIdx.x != 0) {
		return;
	}
	double acc = 0;
	for (long long r = threadIdx.x; r < n; r += blockDim.x) {
		acc += (double)g[r];
	}
	const float v = (float)(__longlong_as_double(sign_bits) * block_sum(acc, part));
	for (long long c = threadIdx.x; c < d; c += blockDim.x) {
		out[c] = v;
	}
}
