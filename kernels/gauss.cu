// Diagonal Gaussian base distribution kernels (ops.NormalLogProb,
// ops.NormalLogProbGrad): location loc [d] and scale [d] are fixed,
// x [n, d], and the log-density of a row is
//
//	log p(x_r) = c − ½ Σ_j ((x[r,j] − loc_j) / scale_j)²,
//	c = −Σ_j log scale_j − (d/2) log 2π,
//
// accumulated in double precision as the CPU op does.

#include "flowmath.cuh"

// normal_log_prob computes out[r] = c − ½ Σ_j z², z = (x[r,j] − loc[j]) / scale[j],
// summing j = 0..d−1 in order. One thread per row, grid-stride over n.
extern "C" __global__ void normal_log_prob(const float* x, const float* loc, const float* scale, float* out,
	long long n, long long d, float c)
{
	for (long long r = (long long)blockIdx.x * blockDim.x + threadIdx.x; r < n; r += (long long)gridDim.x * blockDim.x) {
		out[r] = normal_log_prob_at(x, loc, scale, r, d, c);
	}
}

// normal_log_prob_grad computes out[r, j] = −g[r]·(x[r,j] − loc[j]) / scale[j]²,
// the gradient of Σ_r g[r]·log p(x_r) with respect to x. Grid-stride over n·d.
extern "C" __global__ void normal_log_prob_grad(const float* x, const float* g, const float* loc,
	const float* scale, float* out, long long n, long long d)
{
	const long long count = n * d;
	for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < count; i += (long long)gridDim.x * blockDim.x) {
		out[i] = normal_log_prob_grad_at(x, g, loc, scale, i, d);
	}
}
