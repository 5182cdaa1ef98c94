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

#define TILE 32    // output tile edge and k step
#define TROWS 8    // blockDim.y: each thread computes TILE/TROWS rows
#define TPT (TILE / TROWS)

// Activation codes (ops.Activation).
#define ACT_IDENTITY 0
#define ACT_RELU 1
#define ACT_TANH 2
#define ACT_SIGMOID 3
#define ACT_SOFTPLUS 4
#define ACT_ELU 5

// softplus(x) = log(1 + e^x), linear above 30 and e^x below -30
// (ops/activation.go softplus).
__device__ __forceinline__ double softplus_d(double x)
{
	if (x > 30) {
		return x;
	}
	if (x < -30) {
		return exp(x);
	}
	return log1p(exp(x));
}

// sigmoid(x) = 1/(1+e^-x) without overflow on either side
// (ops/activation.go sigmoid).
__device__ __forceinline__ double sigmoid_d(double x)
{
	if (x >= 0) {
		return 1 / (1 + exp(-x));
	}
	double e = exp(x);
	return e / (1 + e);
}

// activate returns act(z), evaluated in double precision and rounded once,
// as ops.activate does.
__device__ __forceinline__ float activate(long long act, float z)
{
	switch (act) {
	case ACT_RELU:
		return z < 0 ? 0.0f : z;
	case ACT_TANH:
		return (float)tanh((double)z);
	case ACT_SIGMOID:
		return (float)sigmoid_d((double)z);
	case ACT_SOFTPLUS:
		return (float)softplus_d((double)z);
	case ACT_ELU:
		return z <= 0 ? (float)expm1((double)z) : z;
	}
	return z;
}

// tile_product accumulates the TILE×TILE tile at (r0, c0) of C = A·B,
// A [M, K], B [K, N], into acc: acc[j] = C[r0 + ty + TROWS·j, c0 + tx].
// Element (i, k) of A is A[i·ar + k·ak] and element (k, c) of B is
// B[k·bk + c·bc]; A_K_CONTIG says ak = 1 (else ar = 1), B_C_CONTIG says
// bc = 1 (else bk = 1), which picks the coalesced load pattern. Every
// thread of the block must call it (it synchronizes).
template <bool A_K_CONTIG, bool B_C_CONTIG>
__device__ __forceinline__ void tile_product(const float* A, long long ar, long long ak,
	const float* B, long long bk, long long bc, long long M, long long N, long long K,
	long long r0, long long c0, float acc[TPT])
{
	__shared__ float as[TILE][TILE + 1]; // as[i][k]: the +1 avoids bank conflicts on transposed stores
	__shared__ float bs[TILE][TILE + 1]; // bs[k][c]
	const int tx = threadIdx.x, ty = threadIdx.y;
	float ra[TPT], rb[TPT];

	// load fetches the k-tile at k0 into registers, zero outside the matrices.
	auto load = [&](long long k0) {
#pragma unroll
		for (int j = 0; j < TPT; j++) {
			const int s = ty + TROWS * j;
			long long i, k;
			if (A_K_CONTIG) {
				i = r0 + s, k = k0 + tx;
			} else {
				i = r0 + tx, k = k0 + s;
			}
			ra[j] = (i < M && k < K) ? A[i * ar + k * ak] : 0.0f;
			long long c;
			if (B_C_CONTIG) {
				k = k0 + s, c = c0 + tx;
			} else {
				k = k0 + tx, c = c0 + s;
			}
			rb[j] = (k < K && c < N) ? B[k * bk + c * bc] : 0.0f;
		}
	};

#pragma unroll
	for (int j = 0; j < TPT; j++) {
		acc[j] = 0.0f;
	}
	load(0);
	for (long long k0 = 0; k0 < K; k0 += TILE) {
#pragma unroll
		for (int j = 0; j < TPT; j++) {
			const int s = ty + TROWS * j;
			if (A_K_CONTIG) {
				as[s][tx] = ra[j];
			} else {
				as[tx][s] = ra[j];
			}
			if (B_C_CONTIG) {
				bs[s][tx] = rb[j];
			} else {
				bs[tx][s] = rb[j];
			}
		}
		__syncthreads();
		if (k0 + TILE < K) {
			load(k0 + TILE); // in flight while the tile below is multiplied
		}
#pragma unroll
		for (int k = 0; k < TILE; k++) {
			const float b = bs[k][tx];
#pragma unroll
			for (int j = 0; j < TPT; j++) {
				acc[j] += as[ty + TROWS * j][k] * b;
			}
		}
		__syncthreads();
	}
}

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

// dense_grad_w computes dw = xᵀ·gz, x [n, in], gz [n, out], dw [in, out];
// the sum runs over the n rows of the batch. Block (32, 8), grid
// (ceil(out/32), ceil(in/32)).
extern "C" __global__ void dense_grad_w(const float* x, const float* gz, float* dw,
	long long n, long long in, long long out)
{
	const long long c = (long long)blockIdx.x * TILE + threadIdx.x;
	const long long rowTiles = (in + TILE - 1) / TILE;
	for (long long t = blockIdx.y; t < rowTiles; t += gridDim.y) {
		const long long r0 = t * TILE;
		float acc[TPT];
		// A(i, k) = x[k, i]: ar = 1, ak = in.
		tile_product<false, true>(x, 1, in, gz, out, 1, in, out, n, r0, (long long)blockIdx.x * TILE, acc);
		if (c < out) {
#pragma unroll
			for (int j = 0; j < TPT; j++) {
				const long long r = r0 + threadIdx.y + TROWS * j;
				if (r < in) {
					dw[r * out + c] = acc[j];
				}
			}
		}
	}
}

// act_grad computes gz = gy·act'(z) from the layer output y = act(z), in
// float32 as ops.activationGrad does: relu [y > 0], tanh 1 − y², sigmoid
// y(1 − y), softplus 1 − e^−y, elu 1 (y > 0) or y + 1. Grid-stride over count.
extern "C" __global__ void act_grad(const float* y, const float* gy, float* gz, long long count, long long act)
{
	for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < count; i += (long long)gridDim.x * blockDim.x) {
		const float v = y[i], g = gy[i];
		float r;
		switch (act) {
		case ACT_RELU:
			r = v > 0 ? g : 0.0f;
			break;
		case ACT_TANH:
			r = g * (1.0f - __fmul_rn(v, v)); // no fused multiply-add, as on the CPU
			break;
		case ACT_SIGMOID:
			r = __fmul_rn(g, v) * (1.0f - v);
			break;
		case ACT_SOFTPLUS:
			r = g * (float)(-expm1(-(double)v));
			break;
		case ACT_ELU:
			r = v > 0 ? g : g * (v + 1.0f);
			break;
		default:
			r = g;
		}
		gz[i] = r;
	}
}

// col_sum computes out[c] = Σ_r g[r, c], g [n, d], out [d]: the bias
// gradient. Block 256, grid ceil(d/256): block b owns columns
// [256b, 256b + 256). When it owns w < 256 columns its threads split the
// rows too: thread t sums column t mod w over rows ≡ t / w (mod 256 / w),
// with four interleaved double accumulators, and thread c < w adds the
// partial sums in order. The result depends only on n, d and the block
// size, never on timing.
#define COL_SUM_MAX_BLOCK 1024
extern "C" __global__ void col_sum(const float* g, float* out, long long n, long long d)
{
	__shared__ double part[COL_SUM_MAX_BLOCK];
	const int t = threadIdx.x;
	for (long long c0 = (long long)blockIdx.x * blockDim.x; c0 < d; c0 += (long long)gridDim.x * blockDim.x) {
		const int w = (int)min((long long)blockDim.x, d - c0);
		const int slices = blockDim.x / w;
		const int s = t / w;
		const long long c = c0 + t % w;
		double a0 = 0, a1 = 0, a2 = 0, a3 = 0;
		if (s < slices) {
			const long long step = slices;
			long long r = s;
			for (; r + 3 * step < n; r += 4 * step) {
				a0 += g[r * d + c];
				a1 += g[(r + step) * d + c];
				a2 += g[(r + 2 * step) * d + c];
				a3 += g[(r + 3 * step) * d + c];
			}
			for (; r < n; r += step) {
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

// mask_mul computes out = a∘m elementwise (W∘M of a masked layer, and the
// masked weight gradient). Grid-stride over count.
extern "C" __global__ void mask_mul(const float* a, const float* m, float* out, long long count)
{
	for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < count; i += (long long)gridDim.x * blockDim.x) {
		out[i] = a[i] * m[i];
	}
}
