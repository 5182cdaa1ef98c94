// Register-tiled matrix product for large batches: the dense layer's
// three products (y = act(x·W + b), dx = gz·Wᵀ, dW = (xᵀ·gz)∘mask) when
// the batch has thousands of rows (engine.SGEMMMinRows).
//
// A block of 256 threads computes a 128×128 tile of C = A·B, stepping k by
// 8. Each k step stages an 8×128 slice of A (stored k-major, As[k][m]) and
// of B (Bs[k][n]) in shared memory; the slices are double-buffered: the
// next step's 16-byte global loads are in registers while the current
// slice is multiplied, then stored into the other buffer, so one
// __syncthreads per step suffices. Loads are float4 where the operand's
// row is 16-byte aligned and whole inside the matrix, scalar with zero
// padding at the edges. Per k, thread (ty, tx) of the 16×16 grid reads
// two float4 of A and two of B from shared memory and does 64 FMAs into
// its 8×8 outputs: rows 4ty..4ty+3 and 64+4ty.., columns 4tx.. and
// 64+4tx.. (the split keeps the shared-memory reads conflict-free).
// Against tile_product's 32×32 tiles (160 shared loads per 128 FMAs) that
// is 4 float4 loads per 64 FMAs.
//
// TF32 (tf32 != 0, compiled for the GPU only): each of the 8 warps owns a
// 64×32 part of the tile (2 × 4 warps) and issues mma.sync m16n8k8 TF32
// tensor-core products with FP32 accumulation, 4 × 4 per k step, the
// operands rounded to TF32 (10-bit mantissa, relative error up to 2⁻¹¹ a
// factor) as they leave shared memory. Off by default (engine's
// LowerOptions.TF32 turns it on); the emulator, which compiles this file
// as C++ without __CUDA_ARCH__, always runs the FP32 path.
//
// layout: 0 y = x·W (A = x [M, K], B = W [K, N]); 1 dx = gz·Wᵀ (A = gz
// [M, K], B = W stored [N, K]); 2 dW = xᵀ·gz (A = x stored [K, M], B = gz
// [K, N]), whose batch dimension K splits over grid.z: block z sums rows
// [z·chunk, (z+1)·chunk) (chunk = ceil(K/S) rounded up to 8) and writes
// C + z·M·N. epi: 0 C = AB; 1 C = act(AB + e[col]) (bias); 2 C =
// act(AB + e[row, col]); 3 C = AB∘e (mask, may be null). Grid
// (ceil(N/128), ceil(M/128), S), block 256. Cost 2·M·N·K flops.

#include "flowmath.cuh"

#define SG_BM 128
#define SG_BN 128
#define SG_BK 8
#define SG_THREADS 256

#ifdef __CUDA_ARCH__
typedef float4 sg_vec;
#define SG_ALIGN __align__(16) // lets the shared-memory reads be 16-byte vectors
#else
#define SG_ALIGN
struct alignas(16) sg_vec {
	float x, y, z, w;
};
#endif

// sg_load4 reads the 4 floats p[0..3] of a row: one 16-byte load when the
// address is aligned and all 4 lie before the row's end (avail ≥ 4), else
// scalar loads, zero past the end.
__device__ __forceinline__ sg_vec sg_load4(const float* p, long long avail)
{
	if (avail >= 4 && ((unsigned long long)p & 15) == 0) {
		return *(const sg_vec*)p;
	}
	sg_vec v;
	v.x = avail > 0 ? p[0] : 0.0f;
	v.y = avail > 1 ? p[1] : 0.0f;
	v.z = avail > 2 ? p[2] : 0.0f;
	v.w = avail > 3 ? p[3] : 0.0f;
	return v;
}

// sg_loader fetches one k step's slices of A and B into registers and
// stores them into shared memory. Thread t loads one float4 of each.
template <int LAYOUT>
struct sg_loader {
	sg_vec a, b;
	// load reads the slices at k0 (rows of the chunk's k range [0, K)).
	__device__ __forceinline__ void load(const float* A, const float* B, long long M, long long N, long long K,
		long long m0, long long n0, long long k0, long long lda, long long ldb, int t)
	{
		if (LAYOUT == 2) { // A stored [K, M]: an 8×128 slice, row k = t/32, columns 4(t%32)..
			const long long k = k0 + t / 32, m = m0 + 4 * (t % 32);
			a = k < K && m < M ? sg_load4(A + k * lda + m, M - m) : sg_load4(A, 0);
		} else { // A [M, K]: row m = t/2, columns k 4(t%2)..
			const long long m = m0 + t / 2, k = k0 + 4 * (t % 2);
			a = m < M && k < K ? sg_load4(A + m * lda + k, K - k) : sg_load4(A, 0);
		}
		if (LAYOUT == 1) { // B stored [N, K]: row n = t/2, columns k 4(t%2)..
			const long long n = n0 + t / 2, k = k0 + 4 * (t % 2);
			b = n < N && k < K ? sg_load4(B + n * ldb + k, K - k) : sg_load4(B, 0);
		} else { // B [K, N]: row k = t/32, columns n 4(t%32)..
			const long long k = k0 + t / 32, n = n0 + 4 * (t % 32);
			b = k < K && n < N ? sg_load4(B + k * ldb + n, N - n) : sg_load4(B, 0);
		}
	}
	__device__ __forceinline__ void store(float (*As)[SG_BM], float (*Bs)[SG_BN], int t)
	{
		if (LAYOUT == 2) {
			float* d = &As[t / 32][4 * (t % 32)];
			d[0] = a.x, d[1] = a.y, d[2] = a.z, d[3] = a.w;
		} else {
			const int m = t / 2, k = 4 * (t % 2);
			As[k][m] = a.x, As[k + 1][m] = a.y, As[k + 2][m] = a.z, As[k + 3][m] = a.w;
		}
		if (LAYOUT == 1) {
			const int n = t / 2, k = 4 * (t % 2);
			Bs[k][n] = b.x, Bs[k + 1][n] = b.y, Bs[k + 2][n] = b.z, Bs[k + 3][n] = b.w;
		} else {
			float* d = &Bs[t / 32][4 * (t % 32)];
			d[0] = b.x, d[1] = b.y, d[2] = b.z, d[3] = b.w;
		}
	}
};

#ifdef __CUDA_ARCH__
// sg_tf32 rounds x to TF32 (round to nearest, ties away), as mma expects.
__device__ __forceinline__ unsigned sg_tf32(float x)
{
	unsigned r;
	asm("cvt.rna.tf32.f32 %0, %1;" : "=r"(r) : "f"(x));
	return r;
}

// sg_mma accumulates d += a·b for one m16n8k8 TF32 tile: lane l (g = l/4,
// q = l%4) holds a = A[g][q], A[g+8][q], A[g][q+4], A[g+8][q+4], b =
// B[q][g], B[q+4][g] and d = D[g][2q], D[g][2q+1], D[g+8][2q], D[g+8][2q+1].
__device__ __forceinline__ void sg_mma(float d[4], const unsigned a[4], const unsigned b[2])
{
	asm volatile("mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32 {%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, "
		     "{%0, %1, %2, %3};"
		     : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
		     : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]));
}
#endif

// sg_store applies the epilogue to C[r, c] = v. Not inlined: the 64
// stores of a thread would otherwise each expand activate's double-precision
// tanh, log1p and exp (a 17 MB PTX file).
__device__ __noinline__ void sg_store(float* C, const float* e, long long M, long long N, long long r, long long c,
	float v, long long epi, long long act)
{
	if (r >= M || c >= N) {
		return;
	}
	switch (epi) {
	case 1:
		v = activate(act, v + e[c]);
		break;
	case 2:
		v = activate(act, v + e[r * N + c]);
		break;
	case 3:
		if (e) {
			v *= e[r * N + c];
		}
		break;
	}
	C[r * N + c] = v;
}

template <int LAYOUT>
__device__ __forceinline__ void sgemm_body(const float* A, const float* B, float* C, const float* e, long long M,
	long long N, long long K, long long epi, long long act, long long tf32, float (*As)[SG_BK][SG_BM],
	float (*Bs)[SG_BK][SG_BN])
{
	const int t = threadIdx.x;
	const long long m0 = (long long)blockIdx.y * SG_BM, n0 = (long long)blockIdx.x * SG_BN;
	const long long lda = LAYOUT == 2 ? M : K, ldb = LAYOUT == 1 ? K : N;
	if (LAYOUT == 2) { // this block's chunk of the batch
		const long long S = gridDim.z;
		const long long chunk = ((K + S - 1) / S + SG_BK - 1) / SG_BK * SG_BK;
		const long long lo = min(K, (long long)blockIdx.z * chunk);
		A += lo * lda;
		B += lo * ldb;
		C += (long long)blockIdx.z * M * N;
		K = min(K, lo + chunk) - lo;
	}
	sg_loader<LAYOUT> ld;
	ld.load(A, B, M, N, K, m0, n0, 0, lda, ldb, t);
	ld.store(As[0], Bs[0], t);
	__syncthreads();
	float acc[64]; // FP32: output (i, j) of the thread's 8×8 at 8i + j; TF32: d[r] of mma tile (i, j) at 16i + 4j + r
#pragma unroll
	for (int i = 0; i < 64; i++) {
		acc[i] = 0.0f;
	}
#ifdef __CUDA_ARCH__
	const bool tc = tf32 != 0;
#else
	const bool tc = false; // the emulator runs the FP32 path
	(void)tf32;
#endif
	const int ty = t / 16, tx = t % 16;
	int cur = 0;
	for (long long k0 = 0; k0 < K; k0 += SG_BK) {
		const bool more = k0 + SG_BK < K;
		if (more) {
			ld.load(A, B, M, N, K, m0, n0, k0 + SG_BK, lda, ldb, t); // in flight during the products below
		}
		if (!tc) {
#pragma unroll
			for (int k = 0; k < SG_BK; k++) {
				float a[8], b[8];
#pragma unroll
				for (int i = 0; i < 4; i++) {
					a[i] = As[cur][k][4 * ty + i];
					a[4 + i] = As[cur][k][64 + 4 * ty + i];
					b[i] = Bs[cur][k][4 * tx + i];
					b[4 + i] = Bs[cur][k][64 + 4 * tx + i];
				}
#pragma unroll
				for (int i = 0; i < 8; i++) {
#pragma unroll
					for (int j = 0; j < 8; j++) {
						acc[8 * i + j] = fmaf(a[i], b[j], acc[8 * i + j]);
					}
				}
			}
		}
#ifdef __CUDA_ARCH__
		else {
			// Warp w owns rows 64(w/4).. and columns 32(w%4)..: mma tile
			// (i, j) is rows +16i, columns +8j.
			const int w = t / 32, l = t % 32, g = l / 4, q = l % 4;
			const int wm = 64 * (w / 4), wn = 32 * (w % 4);
			unsigned a[4][4], b[4][2];
#pragma unroll
			for (int i = 0; i < 4; i++) {
				const int r = wm + 16 * i + g;
				a[i][0] = sg_tf32(As[cur][q][r]);
				a[i][1] = sg_tf32(As[cur][q][r + 8]);
				a[i][2] = sg_tf32(As[cur][q + 4][r]);
				a[i][3] = sg_tf32(As[cur][q + 4][r + 8]);
			}
#pragma unroll
			for (int j = 0; j < 4; j++) {
				const int c = wn + 8 * j + g;
				b[j][0] = sg_tf32(Bs[cur][q][c]);
				b[j][1] = sg_tf32(Bs[cur][q + 4][c]);
			}
#pragma unroll
			for (int i = 0; i < 4; i++) {
#pragma unroll
				for (int j = 0; j < 4; j++) {
					sg_mma(&acc[16 * i + 4 * j], a[i], b[j]);
				}
			}
		}
#endif
		if (more) {
			ld.store(As[cur ^ 1], Bs[cur ^ 1], t); // the other buffer: nobody reads it this step
		}
		__syncthreads();
		cur ^= 1;
	}
	if (!tc) {
#pragma unroll
		for (int i = 0; i < 8; i++) {
			const long long r = m0 + (i < 4 ? 4 * ty + i : 64 + 4 * ty + i - 4);
#pragma unroll
			for (int j = 0; j < 8; j++) {
				const long long c = n0 + (j < 4 ? 4 * tx + j : 64 + 4 * tx + j - 4);
				sg_store(C, e, M, N, r, c, acc[8 * i + j], epi, act);
			}
		}
	} else {
		const int w = t / 32, l = t % 32, g = l / 4, q = l % 4;
		const int wm = 64 * (w / 4), wn = 32 * (w % 4);
#pragma unroll
		for (int i = 0; i < 4; i++) {
#pragma unroll
			for (int j = 0; j < 4; j++) {
#pragma unroll
				for (int r = 0; r < 4; r++) {
					const long long row = m0 + wm + 16 * i + g + 8 * (r / 2);
					const long long col = n0 + wn + 8 * j + 2 * q + r % 2;
					sg_store(C, e, M, N, row, col, acc[16 * i + 4 * j + r], epi, act);
				}
			}
		}
	}
}

// sgemm computes C = epi(A·B) for the given layout (see above).
extern "C" __global__ void sgemm(const float* A, const float* B, float* C, const float* e, long long M, long long N,
	long long K, long long layout, long long epi, long long act, long long tf32)
{
	__shared__ SG_ALIGN float As[2][SG_BK][SG_BM]; // 16 KB with Bs: two k slices of each operand
	__shared__ SG_ALIGN float Bs[2][SG_BK][SG_BN];
	switch (layout) {
	case 0:
		sgemm_body<0>(A, B, C, e, M, N, K, epi, act, tf32, As, Bs);
		break;
	case 1:
		sgemm_body<1>(A, B, C, e, M, N, K, epi, act, tf32, As, Bs);
		break;
	default:
		sgemm_body<2>(A, B, C, e, M, N, K, epi, act, tf32, As, Bs);
	}
}
