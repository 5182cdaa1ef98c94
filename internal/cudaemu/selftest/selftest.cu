// Kernels that exercise what the project's kernels/*.cu do not use yet, for
// the emulator's self-test (main.cc): warp shuffles and votes, atomics,
// dynamic shared memory, and a barrier reached divergently.

// warp_sums writes, for each thread, the sum of its warp's values
// v = 1 + linear thread index over the lanes that exist, twice: by a
// __shfl_down_sync tree broadcast from lane 0 with __shfl_sync, and by a
// butterfly of __shfl_xor_sync (which sums a warp only when its lane count
// is a power of two; other warps repeat the first sum). out has
// 2·blockDim.x entries per block.
extern "C" __global__ void warp_sums(float* out)
{
	const int t = threadIdx.x, lane = t % 32;
	const int width = min(32, (int)blockDim.x - (t - lane)); // lanes in this warp
	const unsigned mask = width == 32 ? 0xffffffffu : (1u << width) - 1;
	const float v = 1.0f + t;
	float d = v;
	for (int o = 16; o > 0; o >>= 1) {
		const float y = __shfl_down_sync(mask, d, o);
		d += lane + o < width ? y : 0.0f;
	}
	d = __shfl_sync(mask, d, 0);
	float x = d;
	if ((width & (width - 1)) == 0) {
		x = v;
		for (int o = 16; o > 0; o >>= 1) {
			const float y = __shfl_xor_sync(mask, x, o);
			x += (lane ^ o) < width ? y : 0.0f;
		}
	}
	const long long base = 2LL * blockIdx.x * blockDim.x;
	out[base + t] = x;
	out[base + blockDim.x + t] = d;
}

// ballots writes, per warp of a full block, the ballot of lanes whose index
// is a multiple of 3 and whether any and all lanes are below 40; and, for
// the third warp (a block of 96), __activemask() in lane 31 once lanes
// 0..9 have exited and 10..31 met at a __syncwarp.
extern "C" __global__ void ballots(unsigned* out)
{
	const int t = threadIdx.x;
	if (t >= 64) {
		if (t >= 74) {
			__syncwarp(0xfffffc00u);
			if (t == 95) {
				out[6] = __activemask();
			}
		}
		return;
	}
	const unsigned b = __ballot_sync(0xffffffffu, t % 3 == 0);
	const bool any = __any_sync(0xffffffffu, t < 40), all = __all_sync(0xffffffffu, t < 40);
	if (t % 32 == 0) {
		out[3 * (t / 32)] = b;
		out[3 * (t / 32) + 1] = any;
		out[3 * (t / 32) + 2] = all;
	}
}

// atomic_sums adds 1 + i for every thread i of the grid into f[0] (float),
// d[0] (double) and n[0] (unsigned long long), and the largest index into
// m[0] by atomicMax.
extern "C" __global__ void atomic_sums(float* f, double* d, unsigned long long* n, int* m)
{
	const int i = blockIdx.x * blockDim.x + threadIdx.x;
	atomicAdd(f, 1.0f + i);
	atomicAdd(d, 1.0 + i);
	atomicAdd(n, 1ULL + i);
	atomicMax(m, i);
}

// reverse_shared reverses each block's slice of x through dynamic shared
// memory of blockDim.x + 1 floats, and reports in nan[block] whether the
// extra float, which nothing wrote, reads as NaN.
extern "C" __global__ void reverse_shared(const float* x, float* y, float* nan)
{
	extern __shared__ float buf[];
	const int t = threadIdx.x, n = blockDim.x;
	buf[t] = x[blockIdx.x * n + t];
	__syncthreads();
	y[blockIdx.x * n + t] = buf[n - 1 - t];
	if (t == 0) {
		nan[blockIdx.x] = isnan(buf[n]) ? 1.0f : 0.0f;
	}
}

// barrier_votes writes, per block, __syncthreads_count of threads whose
// index is odd, then __syncthreads_or and __syncthreads_and of t < 5, the
// count again (the sums of consecutive barriers must not mix), and
// __umulhi(t + 1, 0x80000000) for thread 7 (= 4).
extern "C" __global__ void barrier_votes(int* out)
{
	const int t = threadIdx.x;
	const int c = __syncthreads_count(t % 2);
	const int o = __syncthreads_or(t < 5), a = __syncthreads_and(t < 5);
	const int c2 = __syncthreads_count(t % 2);
	if (t == 7) {
		out[5 * blockIdx.x] = c;
		out[5 * blockIdx.x + 1] = o;
		out[5 * blockIdx.x + 2] = a;
		out[5 * blockIdx.x + 3] = c2;
		out[5 * blockIdx.x + 4] = (int)__umulhi(t + 1, 0x80000000u);
	}
}

// divergent_barrier is wrong on purpose: only half the block reaches the
// barrier, which the emulator must report.
extern "C" __global__ void divergent_barrier(float* out)
{
	if (threadIdx.x < blockDim.x / 2) {
		__syncthreads();
	}
	out[threadIdx.x] = 1;
}
