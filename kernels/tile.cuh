// The tiled matrix-product body shared by the dense kernels (dense.cu)
// and the fused block program (fused.cu).
#pragma once

#define TILE 32    // output tile edge and k step
#define TROWS 8    // blockDim.y: each thread computes TILE/TROWS rows
#define TPT (TILE / TROWS)

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
