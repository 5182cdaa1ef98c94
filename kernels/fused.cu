// The fused block program: at small batches a whole run of flow ops (a
// training step's density pass, its loss and every gradient of the lab's
// model at batch 32) is one launch of one block, which executes the ops in
// order with a __syncthreads between them. A kernel launch and its
// dependency wait cost about 2.5 µs on an H200 while each of these ops is
// a few hundred nanoseconds of work, so one block doing all of them beats
// ninety launches that each fill a few SMs.
//
// The program is a table of PROG_SLOTS 8-byte slots per op (engine's
// CUDAPlan.Consts, Slots): slot 0 the opcode, slots 1.. the arguments of
// the general kernel of the same name, in that kernel's order and
// encoding (device pointers, long long integers, a float in the low 4
// bytes). So op k of the table computes exactly what the general kernel
// would, with the same per-element expressions (flowmath.cuh) and, for
// the matrix products, the same tiled body (tile.cuh): the weights and
// activations pass through shared memory 32×32 tiles at a time, and every
// output tile of a product is computed by the whole block in turn.
// Reductions over the batch (the weight and bias gradients, the loss) are
// exact in one block and need no second stage. The weight-gradient mask
// of a masked layer is applied as dense_grad_w writes it (no mask_mul op).
//
// Launch: grid 1, block (32, 8); element-wise ops use the 256 threads as
// one linear range. Cost: the sum of the ops' flops on one SM.

#include "flowmath.cuh"
#include "tile.cuh"

#define PROG_SLOTS 16
#define BLOCK_THREADS (TILE * TROWS)

// Opcodes: engine/cuda_fuse.go's blockOps lists the same kernels in the
// same order.
#define OP_DENSE_FWD 0
#define OP_DENSE_FWD_ADD 1
#define OP_DENSE_GRAD_X 2
#define OP_DENSE_GRAD_W 3
#define OP_ACT_GRAD 4
#define OP_COL_SUM 5
#define OP_MASK_MUL 6
#define OP_AFFINE_AR 7
#define OP_AFFINE_AR_GRAD_V 8
#define OP_AFFINE_AR_GRAD_H 9
#define OP_LOG_SCALE_SUM 10
#define OP_LOG_SCALE_SUM_GRAD 11
#define OP_NORMAL_LOG_PROB 12
#define OP_NORMAL_LOG_PROB_GRAD 13
#define OP_NEG_MEAN 14
#define OP_NEG_MEAN_GRAD 15
#define OP_GATHER_COLS 16
#define OP_FILL 17
#define OP_ADD 18

#define PF(k) ((float*)a[k])
#define PI(k) ((const long long*)a[k])
#define NUM(k) (a[k])
#define FLT(k) __int_as_float((int)(unsigned int)(a[k] & 0xffffffffLL))
#define EACH(i, count) for (long long i = lt; i < (count); i += BLOCK_THREADS)

// block_matmul computes every TILE×TILE output tile of C = A·B (strides as
// tile_product), handing each tile's accumulators to store(r0, c0, acc).
template <bool A_K_CONTIG, bool B_C_CONTIG, typename Store>
__device__ __forceinline__ void block_matmul(const float* A, long long ar, long long ak, const float* B, long long bk,
	long long bc, long long M, long long N, long long K, Store store)
{
	for (long long r0 = 0; r0 < M; r0 += TILE) {
		for (long long c0 = 0; c0 < N; c0 += TILE) {
			float acc[TPT];
			tile_product<A_K_CONTIG, B_C_CONTIG>(A, ar, ak, B, bk, bc, M, N, K, r0, c0, acc);
			store(r0, c0, acc);
		}
	}
}

// block_program runs count ops of the table prog in order (see above).
extern "C" __global__ void block_program(const long long* prog, long long count)
{
	__shared__ double red[BLOCK_THREADS];
	const int lt = threadIdx.y * TILE + threadIdx.x;
	const int tx = threadIdx.x, ty = threadIdx.y;
	for (long long k = 0; k < count; k++) {
		const long long op = prog[k * PROG_SLOTS];
		const long long* a = prog + k * PROG_SLOTS + 1;
		switch (op) {
		case OP_DENSE_FWD:
		case OP_DENSE_FWD_ADD: { // x, w, b (or a [n, out]), y, n, in, out, act
			const float *x = PF(0), *w = PF(1), *b = PF(2);
			float* y = PF(3);
			const long long n = NUM(4), in = NUM(5), out = NUM(6), act = NUM(7);
			const bool add = op == OP_DENSE_FWD_ADD;
			block_matmul<true, true>(x, in, 1, w, out, 1, n, out, in, [&](long long r0, long long c0, float* acc) {
				const long long c = c0 + tx;
				if (c >= out) {
					return;
				}
				for (int j = 0; j < TPT; j++) {
					const long long r = r0 + ty + TROWS * j;
					if (r < n) {
						y[r * out + c] = activate(act, acc[j] + (add ? b[r * out + c] : b[c]));
					}
				}
			});
			break;
		}
		case OP_DENSE_GRAD_X: { // gz, w, dx, n, in, out
			const float *gz = PF(0), *w = PF(1);
			float* dx = PF(2);
			const long long n = NUM(3), in = NUM(4), out = NUM(5);
			block_matmul<true, false>(gz, out, 1, w, 1, out, n, in, out, [&](long long r0, long long c0, float* acc) {
				const long long c = c0 + tx;
				if (c >= in) {
					return;
				}
				for (int j = 0; j < TPT; j++) {
					const long long r = r0 + ty + TROWS * j;
					if (r < n) {
						dx[r * in + c] = acc[j];
					}
				}
			});
			break;
		}
		case OP_DENSE_GRAD_W: { // x, gz, dw, n, in, out, mask (may be null)
			const float *x = PF(0), *gz = PF(1), *mask = PF(6);
			float* dw = PF(2);
			const long long n = NUM(3), in = NUM(4), out = NUM(5);
			block_matmul<false, true>(x, 1, in, gz, out, 1, in, out, n, [&](long long r0, long long c0, float* acc) {
				const long long c = c0 + tx;
				if (c >= out) {
					return;
				}
				for (int j = 0; j < TPT; j++) {
					const long long r = r0 + ty + TROWS * j;
					if (r < in) {
						dw[r * out + c] = mask ? acc[j] * mask[r * out + c] : acc[j];
					}
				}
			});
			break;
		}
		case OP_ACT_GRAD: { // y, gy, gz, count, act
			const float *y = PF(0), *gy = PF(1);
			float* gz = PF(2);
			EACH(i, NUM(3)) { gz[i] = act_grad_of(NUM(4), y[i], gy[i]); }
			break;
		}
		case OP_COL_SUM: { // g, out, n, d: one thread per column, rows in order
			const float* g = PF(0);
			float* out = PF(1);
			const long long n = NUM(2), d = NUM(3);
			EACH(c, d)
			{
				double s = 0;
				for (long long r = 0; r < n; r++) {
					s += (double)g[r * d + c];
				}
				out[c] = (float)s;
			}
			break;
		}
		case OP_MASK_MUL: { // a, m, out, count
			const float *x = PF(0), *m = PF(1);
			float* out = PF(2);
			EACH(i, NUM(3)) { out[i] = x[i] * m[i]; }
			break;
		}
		case OP_AFFINE_AR: { // v, h, out, count, inverse, scale_fn
			const float *v = PF(0), *h = PF(1);
			float* out = PF(2);
			EACH(i, NUM(3)) { out[i] = affine_ar_at(v, h, i, NUM(4), NUM(5)); }
			break;
		}
		case OP_AFFINE_AR_GRAD_V: { // v, h, g, out, count, inverse, scale_fn
			const float *h = PF(1), *g = PF(2);
			float* out = PF(3);
			EACH(i, NUM(4)) { out[i] = affine_ar_grad_v_at(h, g, i, NUM(5), NUM(6)); }
			break;
		}
		case OP_AFFINE_AR_GRAD_H: {
			const float *v = PF(0), *h = PF(1), *g = PF(2);
			float* out = PF(3);
			EACH(i, NUM(4)) { affine_ar_grad_h_at(v, h, g, out, i, NUM(5), NUM(6)); }
			break;
		}
		case OP_LOG_SCALE_SUM: { // h, out, n, d, scale_fn, sign
			const float* h = PF(0);
			float* out = PF(1);
			EACH(r, NUM(2)) { out[r] = log_scale_sum_at(h, r, NUM(3), NUM(4), FLT(5)); }
			break;
		}
		case OP_LOG_SCALE_SUM_GRAD: { // h, g, out, n, d, scale_fn, sign
			const float *h = PF(0), *g = PF(1);
			float* out = PF(2);
			EACH(i, NUM(3) * NUM(4)) { log_scale_sum_grad_at(h, g, out, i, NUM(4), NUM(5), FLT(6)); }
			break;
		}
		case OP_NORMAL_LOG_PROB: { // x, loc, scale, out, n, d, c
			const float *x = PF(0), *loc = PF(1), *scale = PF(2);
			float* out = PF(3);
			EACH(r, NUM(4)) { out[r] = normal_log_prob_at(x, loc, scale, r, NUM(5), FLT(6)); }
			break;
		}
		case OP_NORMAL_LOG_PROB_GRAD: { // x, g, loc, scale, out, n, d
			const float *x = PF(0), *g = PF(1), *loc = PF(2), *scale = PF(3);
			float* out = PF(4);
			EACH(i, NUM(5) * NUM(6)) { out[i] = normal_log_prob_grad_at(x, g, loc, scale, i, NUM(6)); }
			break;
		}
		case OP_NEG_MEAN: { // x, out, n: per-thread sums in order, then a fixed tree
			const float* x = PF(0);
			const long long n = NUM(2);
			double s = 0;
			EACH(i, n) { s += (double)x[i]; }
			red[lt] = s;
			__syncthreads();
			for (int stride = BLOCK_THREADS / 2; stride > 0; stride >>= 1) {
				if (lt < stride) {
					red[lt] += red[lt + stride];
				}
				__syncthreads();
			}
			if (lt == 0) {
				PF(1)[0] = (float)(-red[0] / (double)n);
			}
			break;
		}
		case OP_NEG_MEAN_GRAD: { // g, out, n
			const long long n = NUM(2);
			const float v = -PF(0)[0] / (float)n;
			float* out = PF(1);
			EACH(i, n) { out[i] = v; }
			break;
		}
		case OP_GATHER_COLS: { // x, perm, y, n, d
			const float* x = PF(0);
			const long long* perm = PI(1);
			float* y = PF(2);
			const long long d = NUM(4);
			EACH(i, NUM(3) * d)
			{
				const long long r = i / d;
				y[i] = x[r * d + perm[i - r * d]];
			}
			break;
		}
		case OP_FILL: { // out, count, v
			float* out = PF(0);
			const float v = FLT(2);
			EACH(i, NUM(1)) { out[i] = v; }
			break;
		}
		case OP_ADD: { // a, b, out, count, sign
			const float *x = PF(0), *y = PF(1);
			float* out = PF(2);
			const float sign = FLT(4);
			EACH(i, NUM(3)) { out[i] = __fadd_rn(x[i], __fmul_rn(sign, y[i])); }
			break;
		}
		}
		__syncthreads(); // op k's writes are visible to op k + 1
	}
}
