// Dense layer kernels: the product y = act(x·W + b) and its gradients
// (ops.Dense, ops.ActGrad, ops.DenseGradX, ops.DenseGradW, ops.ColSum,
// ops.Mask). Matrices are row-major float32; x [n, in], W [in, out],
// b [out], y [n, out].
//
// The three products share one tiled kernel body: a block of 32×8 threads
// computes a 32×32 output tile, thread (tx, ty) the column tx of rows
// ty, ty+8, ty+16, ty+24. Each step of the k loop stages a 32×32 tile of
// each operand in shared memory (loaded with consecutive threads on
// consecutive addresses, whichever operand dimension is contiguous) and
// prefetches the next pair into registers while it multiplies. Tiles past
// the matrix edges are padded with zeros, so any n, in, out ≥ 1 work.
// Cost: 2·M·N·K flops, K/32 shared-memory steps per tile.

#include "flowmath.cuh"
#include "tile.cuh"

// dense_fwd computes y = act(x·w + b), x [n, in], w [in, out], b [out],
// y [n, out]. Block (32, 8), grid (ceil(out/32), ceil(n/32)); a smaller
// grid.y loops over the remaining row tiles.
extern "C" __global__ void dense_fwd(const float* x, const float* w, const float* b, float* y,
	long long n, long long in, long long out, long long act)
{
	const long long c = (long long)blockIdx.x * TILE + threadIdx.x;
	const long long rowTiles = (n + TILE - 1) / TILE;
	for (long long t = blockIdx.y; t < rowTiles; t += gridDim.y) {
		const long long r0 = t * TILE;
		float acc[TPT];
		tile_product<true, true>(x, in, 1, w, out, 1, n, out, in, r0, (long long)blockIdx.x * TILE, acc);
		if (c < out) {
			const float bias = b[c];
#pragma unroll
			for (int j = 0; j < TPT; j++) {
				const long long r = r0 + threadIdx.y + TROWS * j;
				if (r < n) {
					y[r * out + c] = activate(act, acc[j] + bias);
				}
			}
		}
	}
}

// dense_fwd_add computes y = act(x·w + a), a [n, out] (a conditional
// layer's context term): dense_fwd with a matrix in place of the bias.
// Same launch shape as dense_fwd.
extern "C" __global__ void dense_fwd_add(const float* x, const float* w, const float* a, float* y,
	long long n, long long in, long long out, long long act)
{
	const long long c = (long long)blockIdx.x * TILE + threadIdx.x;
	const long long rowTiles = (n + TILE - 1) / TILE;
	for (long long t = blockIdx.y; t < rowTiles; t += gridDim.y) {
		const long long r0 = t * TILE;
		float acc[TPT];
		tile_product<true, true>(x, in, 1, w, out, 1, n, out, in, r0, (long long)blockIdx.x * TILE, acc);
		if (c < out) {
#pragma unroll
			for (int j = 0; j < TPT; j++) {
				const long long r = r0 + threadIdx.y + TROWS * j;
				if (r < n) {
					y[r * out + c] = activate(act, acc[j] + a[r * out + c]);
				}
			}
		}
	}
}

// dense_grad_x computes dx = gz·wᵀ, gz [n, out], w [in, out], dx [n, in].
// Block (32, 8), grid (ceil(in/32), ceil(n/32)).
extern "C" __global__ void dense_grad_x(const float* gz, const float* w, float* dx,
	long long n, long long in, long long out)
{
	const long long c = (long long)blockIdx.x * TILE + threadIdx.x;
	const long long rowTiles = (n + TILE - 1) / TILE;
	for (long long t = blockIdx.y; t < rowTiles; t += gridDim.y) {
		const long long r0 = t * TILE;
		float acc[TPT];
		// B(k, c) = w[c, k]: bk = 1, bc = out.
		tile_product<true, false>(gz, out, 1, w, 1, out, n, in, out, r0, (long long)blockIdx.x * TILE, acc);
		if (c < in) {
#pragma unroll
			for (int j = 0; j < TPT; j++) {
				const long long r = r0 + threadIdx.y + TROWS * j;
				if (r < n) {
					dx[r * in + c] = acc[j];
				}
			}
		}
	}
}

// dense_grad_w computes dw = (xᵀ·gz)∘mask, x [n, in], gz [n, out],
// dw [in, out]; the sum runs over the n rows of the batch and mask [in, out]
// may be null (no mask: the masked layer's gradient mask is applied here,
// so no mask_mul runs). Block (32, 8), grid (ceil(out/32), ceil(in/32), S):
// with S > 1 the batch splits into S chunks of ceil(n/S) rows (rounded up
// to 32) and block z writes the partial product of chunk z to
// dw + z·in·out, which sum_parts then adds; S = 1 writes dw itself.
extern "C" __global__ void dense_grad_w(const float* x, const float* gz, float* dw,
	long long n, long long in, long long out, const float* mask)
{
	const long long S = gridDim.z, z = blockIdx.z;
	const long long chunk = ((n + S - 1) / S + TILE - 1) / TILE * TILE;
	const long long lo = z * chunk, rows = min(n, lo + chunk) - lo;
	float* dst = dw + z * in * out;
	const long long c = (long long)blockIdx.x * TILE + threadIdx.x;
	const long long rowTiles = (in + TILE - 1) / TILE;
	for (long long t = blockIdx.y; t < rowTiles; t += gridDim.y) {
		const long long r0 = t * TILE;
		float acc[TPT];
		// A(i, k) = x[k, i]: ar = 1, ak = in.
		if (rows > 0) {
			tile_product<false, true>(x + lo * in, 1, in, gz + lo * out, out, 1, in, out, rows, r0, (long long)blockIdx.x * TILE, acc);
		} else {
#pragma unroll
			for (int j = 0; j < TPT; j++) {
				acc[j] = 0.0f;
			}
		}
		if (c < out) {
#pragma unroll
			for (int j = 0; j < TPT; j++) {
				const long long r = r0 + threadIdx.y + TROWS * j;
				if (r < in) {
					dst[r * out + c] = mask ? acc[j] * mask[r * out + c] : acc[j];
				}
			}
		}
	}
}

// act_grad computes gz = gy·act'(z) from the layer output y = act(z)
// (act_grad_of). Grid-stride over count.
extern "C" __global__ void act_grad(const float* y, const float* gy, float* gz, long long count, long long act)
{
	for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < count; i += (long long)gridDim.x * blockDim.x) {
		gz[i] = act_grad_of(act, y[i], gy[i]);
	}
}

// col_sum computes out[c] = Σ_r g[r, c], g [n, d], out [d]: the bias
// gradient. Block 256, grid (ceil(d/256), S): block (b, z) owns columns
// [256b, 256b + 256) of the z-th chunk of ceil(n/S) rows and writes its
// partial sums to out + z·d (S = 1: out itself; S > 1: sum_parts adds the
// S partials). When a block owns w < 256 columns its threads split the
// rows too: thread t sums column t mod w over rows ≡ t / w (mod 256 / w),
// with four interleaved double accumulators, and thread c < w adds the
// partial sums in order. The result depends only on n, d, S and the block
// size, never on timing.
#define COL_SUM_MAX_BLOCK 1024
extern "C" __global__ void col_sum(const float* g, float* out, long long n, long long d)
{
	__shared__ double part[COL_SUM_MAX_BLOCK];
	const int t = threadIdx.x;
	const long long S = gridDim.y, chunk = (n + S - 1) / S;
	const long long lo = blockIdx.y * chunk, hi = min(n, lo + chunk);
	out += blockIdx.y * d;
	for (long long c0 = (long long)blockIdx.x * blockDim.x; c0 < d; c0 += (long long)gridDim.x * blockDim.x) {
		const int w = (int)min((long long)blockDim.x, d - c0);
		const int slices = blockDim.x / w;
		const int s = t / w;
		const long long c = c0 + t % w;
		double a0 = 0, a1 = 0, a2 = 0, a3 = 0;
		if (s < slices) {
			const long long step = slices;
			long long r = lo + s;
			for (; r + 3 * step < hi; r += 4 * step) {
				a0 += g[r * d + c];
				a1 += g[(r + step) * d + c];
				a2 += g[(r + 2 * step) * d + c];
				a3 += g[(r + 3 * step) * d + c];
			}
			for (; r < hi; r += step) {
				a0 += g[r * d + c];
			}
		}
		part[t] = (a0 + a1) + (a2 + a3);
		__syncthreads();
		if (t < w) {
			double sum = 0;
			for (int k = 0; k < slices; k++) {
				sum += part[k * w + t];
			}
			out[c0 + t] = (float)sum;
		}
		__syncthreads();
	}
}

// sum_parts computes out[i] = scale·Σ_p part[p·size + i] for i < size, the
// second stage of a reduction split over the batch (dense_grad_w, col_sum,
// row_sum_parts; scale is −1/n for the mean negative log-likelihood, 1
// otherwise). Block (32, 8), grid min(ceil(size/32), 65535): thread (x, y)
// of a block owns output x of a group of 32 consecutive outputs (coalesced
// loads) and sums the parts ≡ y (mod 8) in order in double precision; row
// y = 0 then adds the 8 partial sums in order and rounds once, so the
// result depends only on size and parts. Grid-stride over the groups.
extern "C" __global__ void sum_parts(const float* part, float* out, long long size, long long parts, float scale)
{
	__shared__ double acc[TROWS][TILE];
	for (long long i0 = (long long)blockIdx.x * TILE; i0 < size; i0 += (long long)gridDim.x * TILE) {
		const long long i = i0 + threadIdx.x;
		double s = 0;
		if (i < size) {
			for (long long p = threadIdx.y; p < parts; p += TROWS) {
				s += (double)part[p * size + i];
			}
		}
		acc[threadIdx.y][threadIdx.x] = s;
		__syncthreads();
		if (threadIdx.y == 0 && i < size) {
			double t = 0;
			for (int y = 0; y < TROWS; y++) {
				t += acc[y][threadIdx.x];
			}
			out[i] = (float)((double)scale * t);
		}
		__syncthreads();
	}
}

// mask_mul computes out = a∘m elementwise (W∘M of a masked layer, and the
// masked weight gradient). Grid-stride over count.
extern "C" __global__ void mask_mul(const float* a, const float* m, float* out, long long count)
{
	for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < count; i += (long long)gridDim.x * blockDim.x) {
		out[i] = a[i] * m[i];
	}
}
