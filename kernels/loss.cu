// Loss kernels (ops.NegMean, ops.NegMeanGrad): the mean negative
// log-likelihood −(1/n) Σ_r x[r] of a vector of log-densities and its
// gradient.

#define NEG_MEAN_MAX_BLOCK 1024

// neg_mean computes out[0] = −(1/n) Σ_i x[i] in double precision, rounded
// once. Launched as one block of 1024 threads (any block of up to 1024
// works; blocks other than the first do nothing): thread t sums
// x[t], x[t + blockDim], ... in order, then a fixed binary tree adds the
// partial sums, so the result depends only on n and the block size.
extern "C" __global__ void neg_mean(const float* x, float* out, long long n)
{
	__shared__ double part[NEG_MEAN_MAX_BLOCK];
	if (blockIdx.x != 0) {
		return;
	}
	const int t = threadIdx.x;
	double acc = 0;
	for (long long i = t; i < n; i += blockDim.x) {
		acc += (double)x[i];
	}
	part[t] = acc;
	__syncthreads();
	for (int stride = NEG_MEAN_MAX_BLOCK / 2; stride > 0; stride >>= 1) {
		if (t < stride && t + stride < (int)blockDim.x) {
			part[t] += part[t + stride];
		}
		__syncthreads();
	}
	if (t == 0) {
		out[0] = (float)(-part[0] / (double)n);
	}
}

// neg_mean_grad computes out[i] = −g[0]/n for i < n, in float32 as
// ops.NegMeanGrad does. Grid-stride over n.
extern "C" __global__ void neg_mean_grad(const float* g, float* out, long long n)
{
	const float v = -g[0] / (float)n;
	for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (long long)gridDim.x * blockDim.x) {
		out[i] = v;
	}
}

// row_sum_parts is the first stage of neg_mean split over the batch:
// block b of S = gridDim.x sums the b-th chunk of ceil(n/S) entries of x
// (thread t the entries t, t + blockDim, ... of the chunk, then a fixed
// binary tree, in double precision) and writes part[b]; sum_parts with
// scale −1/n finishes the mean. Block 256 (at most 1024).
extern "C" __global__ void row_sum_parts(const float* x, float* part, long long n)
{
	__shared__ double sum[NEG_MEAN_MAX_BLOCK];
	const long long chunk = (n + gridDim.x - 1) / gridDim.x;
	const long long lo = blockIdx.x * chunk, hi = min(n, lo + chunk);
	const int t = threadIdx.x;
	double acc = 0;
	for (long long i = lo + t; i < hi; i += blockDim.x) {
		acc += (double)x[i];
	}
	sum[t] = acc;
	__syncthreads();
	for (int stride = NEG_MEAN_MAX_BLOCK / 2; stride > 0; stride >>= 1) {
		if (t < stride && t + stride < (int)blockDim.x) {
			sum[t] += sum[t + stride];
		}
		__syncthreads();
	}
	if (t == 0) {
		part[blockIdx.x] = (float)sum[0];
	}
}
