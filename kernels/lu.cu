// LU kernels (ops.LUMatvec, ops.LUMatvecGrad, ops.LULogDet,
// ops.LULogDetGrad): the invertible linear map W = Pᵀ·L·U of
// tfb.ScaleMatvecLU applied to each row of v [n, d],
//
//	forward: y = Pᵀ L U x        inverse: x = U⁻¹ L⁻¹ P y
//
// with (P v)_i = v[perm[i]], L unit lower triangular (the strictly lower
// triangle of lower [d, d]) and U upper triangular (the strictly upper
// triangle of upper [d, d], diagonal u_ii = upper[i,i], or
// diag_sign[i]·e^upper[i,i] when diag_sign is not null: Glow's log-|diag|
// parametrisation). Every kernel follows the CPU op's loops in the same
// order, accumulating in double precision and rounding to float32 where
// the CPU stores, with products rounded before they are added (__dmul_rn),
// so that no fused multiply-add changes a result.
//
// The per-row kernels run one thread per row (block 256, grid
// min(ceil(n/256), 65535), grid-stride). The batch sums of the matrix
// gradients run one block of RED_BLOCK threads per entry (grid
// min(d·d, 65535)) with a fixed binary tree, the triangular solves that
// follow one block (grid 1) whose threads own columns or rows; results
// depend only on the sizes, never on timing. A double scalar (sign_bits)
// travels as its IEEE-754 bits in a long long slot.

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

// lu_diag is u_ii (ops/lu.go luDiag).
__device__ __forceinline__ double lu_diag(const float* upper, const float* diag_sign, long long i, long long d)
{
	const double u = (double)upper[i * d + i];
	return diag_sign ? (double)diag_sign[i] * exp(u) : u;
}

// lu_matvec computes out = W v (forward) or W⁻¹ v (inverse != 0) row by
// row, v and out [n, d] (ops/lu.go luMatvec). One thread per row.
extern "C" __global__ void lu_matvec(const float* v, const float* lower, const float* upper, const long long* perm,
	const float* diag_sign, float* out, long long n, long long d, long long inverse)
{
	GRID_STRIDE(r, n)
	{
		const float* x = v + r * d;
		float* o = out + r * d;
		if (inverse) {
			// L w = P y (forward substitution), then U x = w in place.
			for (long long i = 0; i < d; i++) {
				double acc = (double)x[perm[i]];
				for (long long j = 0; j < i; j++) {
					acc -= __dmul_rn((double)lower[i * d + j], (double)o[j]);
				}
				o[i] = (float)acc;
			}
			for (long long i = d - 1; i >= 0; i--) {
				double acc = (double)o[i];
				for (long long j = i + 1; j < d; j++) {
					acc -= __dmul_rn((double)upper[i * d + j], (double)o[j]);
				}
				o[i] = (float)(acc / lu_diag(upper, diag_sign, i, d));
			}
			continue;
		}
		// t = U x stored at o[perm[i]], then z = L t in place (bottom up).
		for (long long i = 0; i < d; i++) {
			double acc = __dmul_rn(lu_diag(upper, diag_sign, i, d), (double)x[i]);
			for (long long j = i + 1; j < d; j++) {
				acc += __dmul_rn((double)upper[i * d + j], (double)x[j]);
			}
			o[perm[i]] = (float)acc;
		}
		for (long long i = d - 1; i > 0; i--) {
			double acc = (double)o[perm[i]];
			for (long long j = 0; j < i; j++) {
				acc += __dmul_rn((double)lower[i * d + j], (double)o[perm[j]]);
			}
			o[perm[i]] = (float)acc;
		}
	}
}

// lu_matvec_grad_v computes the gradient with respect to v, out [n, d]:
// Uᵀ Lᵀ P g (forward) or Pᵀ L⁻ᵀ U⁻ᵀ g (inverse), row by row (ops/lu.go
// luGradV). One thread per row.
extern "C" __global__ void lu_matvec_grad_v(const float* g, const float* lower, const float* upper,
	const long long* perm, const float* diag_sign, float* out, long long n, long long d, long long inverse)
{
	GRID_STRIDE(r, n)
	{
		const float* gr = g + r * d;
		float* o = out + r * d;
		if (inverse) {
			// Uᵀ w = g stored at o[perm[i]]; then Lᵀ z = w in place.
			for (long long i = 0; i < d; i++) {
				double acc = (double)gr[i];
				for (long long j = 0; j < i; j++) {
					acc -= __dmul_rn((double)upper[j * d + i], (double)o[perm[j]]);
				}
				o[perm[i]] = (float)(acc / lu_diag(upper, diag_sign, i, d));
			}
			for (long long i = d - 1; i >= 0; i--) {
				double acc = (double)o[perm[i]];
				for (long long j = i + 1; j < d; j++) {
					acc -= __dmul_rn((double)lower[j * d + i], (double)o[perm[j]]);
				}
				o[perm[i]] = (float)acc;
			}
			continue;
		}
		// b = Lᵀ P g, then dv = Uᵀ b in place (top entries last).
		for (long long i = 0; i < d; i++) {
			double acc = (double)gr[perm[i]];
			for (long long j = i + 1; j < d; j++) {
				acc += __dmul_rn((double)lower[j * d + i], (double)gr[perm[j]]);
			}
			o[i] = (float)acc;
		}
		for (long long k = d - 1; k >= 0; k--) {
			double acc = __dmul_rn(lu_diag(upper, diag_sign, k, d), (double)o[k]);
			for (long long i = 0; i < k; i++) {
				acc += __dmul_rn((double)upper[i * d + k], (double)o[i]);
			}
			o[k] = (float)acc;
		}
	}
}

// lu_outer computes m [d, d], m[i, k] = Σ_r g[r, p(i)]·x[r, k] with
// p(i) = perm[i] (forward; x is the op's input v) or i (inverse != 0; x is
// the op's output), rows whose g entry is 0 skipped as on the CPU. The
// first launch of a matrix gradient (lu_grad_finish follows). One block
// per entry, a tree sum in double.
extern "C" __global__ void lu_outer(const float* g, const float* x, const long long* perm, float* m, long long n,
	long long d, long long inverse)
{
	__shared__ double part[RED_BLOCK];
	for (long long e = blockIdx.x; e < d * d; e += gridDim.x) {
		const long long i = e / d, k = e - i * d;
		const long long gi = inverse ? i : perm[i];
		double acc = 0;
		for (long long r = threadIdx.x; r < n; r += blockDim.x) {
			const double gv = (double)g[r * d + gi];
			if (gv != 0) {
				acc += __dmul_rn(gv, (double)x[r * d + k]);
			}
		}
		acc = block_sum(acc, part);
		if (threadIdx.x == 0) {
			m[e] = (float)acc;
		}
	}
}

// lu_grad_finish turns m = lu_outer's M [d, d] in place into the gradient
// with respect to lower (wrt 1) or upper (wrt 2) (ops/lu.go luMatvecGrad):
//
//	forward: dL = tril₋₁(M Uᵀ),            dU = triu(Lᵀ M)
//	inverse: dL = −tril₋₁(L⁻ᵀ U⁻ᵀ M Uᵀ),   dU = −triu(U⁻ᵀ M)
//
// dU_ii times u_ii when diag_sign is not null. One block (grid 1, block
// 256): each triangular solve or product runs column by column (or row by
// row) in the CPU's order, one thread a column (row), with a barrier
// between the phases.
extern "C" __global__ void lu_grad_finish(const float* lower, const float* upper, const float* diag_sign, float* m,
	long long d, long long inverse, long long wrt)
{
	if (blockIdx.x != 0) {
		return;
	}
	const long long t = threadIdx.x, stride = blockDim.x;
	if (inverse) { // Z = U⁻ᵀ M: forward substitution down each column
		for (long long k = t; k < d; k += stride) {
			for (long long i = 0; i < d; i++) {
				const double u = lu_diag(upper, diag_sign, i, d);
				double acc = (double)m[i * d + k];
				for (long long j = 0; j < i; j++) {
					acc -= __dmul_rn((double)upper[j * d + i], (double)m[j * d + k]);
				}
				m[i * d + k] = (float)(acc / u);
			}
		}
		__syncthreads();
	}
	if (wrt == 2) {
		if (!inverse) { // Lᵀ M on and above the diagonal, rows ascending down each column
			for (long long k = t; k < d; k += stride) {
				for (long long i = 0; i <= k; i++) {
					double acc = (double)m[i * d + k];
					for (long long j = i + 1; j < d; j++) {
						acc += __dmul_rn((double)lower[j * d + i], (double)m[j * d + k]);
					}
					m[i * d + k] = (float)acc;
				}
			}
			__syncthreads();
		}
		for (long long e = t; e < d * d; e += stride) {
			const long long i = e / d, k = e - i * d;
			if (k < i) {
				m[e] = 0.0f;
				continue;
			}
			float val = inverse ? -m[e] : m[e];
			if (k == i && diag_sign) {
				val = (float)((double)val * lu_diag(upper, diag_sign, i, d));
			}
			m[e] = val;
		}
		return;
	}
	// Strictly lower part of (·) Uᵀ, each row in place.
	for (long long i = t; i < d; i += stride) {
		for (long long j = 0; j < i; j++) {
			double acc = __dmul_rn(lu_diag(upper, diag_sign, j, d), (double)m[i * d + j]);
			for (long long k = j + 1; k < d; k++) {
				acc += __dmul_rn((double)m[i * d + k], (double)upper[j * d + k]);
			}
			m[i * d + j] = (float)acc;
		}
		for (long long k = i; k < d; k++) {
			m[i * d + k] = 0.0f;
		}
	}
	if (!inverse) {
		return;
	}
	__syncthreads();
	// −L⁻ᵀ R: Lᵀ Q = R by back substitution up each column (strictly lower part).
	for (long long c = t; c < d; c += stride) {
		for (long long i = d - 1; i > c; i--) {
			double acc = (double)m[i * d + c];
			for (long long j = i + 1; j < d; j++) {
				acc -= __dmul_rn((double)lower[j * d + i], (double)m[j * d + c]);
			}
			m[i * d + c] = (float)acc;
		}
	}
	__syncthreads();
	for (long long e = t; e < d * d; e += stride) {
		m[e] = -m[e];
	}
}

// lu_logdet computes out[r] = sign·Σ_i log|u_ii| for the n rows, with
// log|u_ii| = upper[i,i] (log_diag != 0) or log|upper[i,i]|, summing
// i = 0..d−1 in order in double precision. Grid-stride over n.
extern "C" __global__ void lu_logdet(const float* upper, float* out, long long n, long long d, long long sign_bits,
	long long log_diag)
{
	GRID_STRIDE(r, n)
	{
		double acc = 0;
		for (long long i = 0; i < d; i++) {
			const double u = (double)upper[i * d + i];
			acc += log_diag ? u : log(fabs(u));
		}
		out[r] = (float)(__longlong_as_double(sign_bits) * acc);
	}
}

// lu_logdet_grad computes the gradient of lu_logdet with respect to upper,
// out [d, d]: zero off the diagonal, gs = sign·Σ_r g[r] (log_diag != 0) or
// gs/upper[i,i] on it, g [n]. One block of RED_BLOCK threads (grid 1): a
// tree sum, then the threads stride over the d·d entries.
extern "C" __global__ void lu_logdet_grad(const float* upper, const float* g, float* out, long long n, long long d,
	long long sign_bits, long long log_diag)
{
	__shared__ double part[RED_BLOCK];
	if (blockIdx.x != 0) {
		return;
	}
	double acc = 0;
	for (long long r = threadIdx.x; r < n; r += blockDim.x) {
		acc += (double)g[r];
	}
	const double gs = __longlong_as_double(sign_bits) * block_sum(acc, part);
	for (long long e = threadIdx.x; e < d * d; e += blockDim.x) {
		const long long i = e / d;
		if (e != i * d + i) {
			out[e] = 0.0f;
		} else {
			out[e] = log_diag ? (float)gs : (float)(gs / (double)upper[e]);
		}
	}
}
