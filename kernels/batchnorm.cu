// Batch normalization kernels (ops.BatchNorm, ops.BatchNormGrad,
// ops.BatchNormLogDet, ops.BatchNormLogDetGrad): tfb.BatchNormalization's
// map on v [n, d] with γ = e^log_gamma and σ = √(var + eps),
//
//	inverse: x = (y − μ)/σ·γ + β        forward: y = (x − β)/γ·σ + μ
//
// μ and var are the running moments mean [d] and variance [d] (modes 1
// inverse and 2 forward) or, in mode 0 (training, the inverse direction),
// the batch's mean and biased variance Σ_r (y − μ)²/n, each computed in
// two passes in double precision; the training kernel also updates the
// running moments in place, mean ← m·mean + (1 − m)·μ and likewise the
// variance, with momentum m. Values are computed in double precision and
// rounded to float32 once, as the CPU ops do (products are rounded before
// they are added, __dmul_rn, so that no fused multiply-add changes a
// result).
//
// The kernels run one block of RED_BLOCK threads per column (grid
// min(d, 65535), the blocks striding over further columns), except the
// log-det, which is one block: thread t sums rows t, t + 256, ... in
// order and a fixed binary tree adds the partial sums, so a result depends
// only on n and the block size, never on timing. The double scalars
// (eps_bits, momentum_bits, sign_bits) travel as their IEEE-754 bits in
// long long slots.

#define RED_BLOCK 256

#define BN_TRAINING 0
#define BN_INVERSE 1
#define BN_FORWARD 2

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

// batch_moments sets *mu and *var to the mean and biased variance of
// column c of v [n, d] (ops/batchnorm.go bnMoments). Every thread of the
// block must call it; all get the same values.
__device__ void batch_moments(const float* v, long long n, long long d, long long c, double* part, double* mu,
	double* var)
{
	double acc = 0;
	for (long long r = threadIdx.x; r < n; r += blockDim.x) {
		acc += (double)v[r * d + c];
	}
	const double m = block_sum(acc, part) / (double)n;
	acc = 0;
	for (long long r = threadIdx.x; r < n; r += blockDim.x) {
		const double e = (double)v[r * d + c] - m;
		acc += __dmul_rn(e, e);
	}
	*mu = m;
	*var = block_sum(acc, part) / (double)n;
}

// column_stats sets μ, var, 1/σ and γ of column c in the mode
// (ops/batchnorm.go bnStats). Every thread of the block must call it.
__device__ void column_stats(const float* v, const float* mean, const float* variance, const float* log_gamma,
	long long n, long long d, long long c, long long mode, double eps, double* part, double* mu, double* var,
	double* inv_sigma, double* gamma)
{
	if (mode == BN_TRAINING) {
		batch_moments(v, n, d, c, part, mu, var);
	} else {
		*mu = (double)mean[c];
		*var = (double)variance[c];
	}
	*inv_sigma = 1 / sqrt(*var + eps);
	*gamma = exp((double)log_gamma[c]);
}

// batchnorm computes out [n, d] in the mode (0 training, 1 inverse,
// 2 forward); in training mode thread 0 of each column's block then
// updates mean[c] and variance[c] in place. One block per column.
extern "C" __global__ void batchnorm(const float* v, float* mean, float* variance, const float* log_gamma,
	const float* beta, float* out, long long n, long long d, long long mode, long long eps_bits,
	long long momentum_bits)
{
	__shared__ double part[RED_BLOCK];
	const double eps = __longlong_as_double(eps_bits);
	for (long long c = blockIdx.x; c < d; c += gridDim.x) {
		double mu, var, is, gamma;
		column_stats(v, mean, variance, log_gamma, n, d, c, mode, eps, part, &mu, &var, &is, &gamma);
		const double b = (double)beta[c];
		if (mode == BN_FORWARD) {
			const double a = 1 / (is * gamma);
			for (long long r = threadIdx.x; r < n; r += blockDim.x) {
				out[r * d + c] = (float)__dadd_rn(__dmul_rn((double)v[r * d + c] - b, a), mu);
			}
			continue;
		}
		const double a = is * gamma;
		for (long long r = threadIdx.x; r < n; r += blockDim.x) {
			out[r * d + c] = (float)__dadd_rn(__dmul_rn((double)v[r * d + c] - mu, a), b);
		}
		if (mode == BN_TRAINING && threadIdx.x == 0) {
			const double m = __longlong_as_double(momentum_bits);
			mean[c] = (float)__dadd_rn(__dmul_rn(m, (double)mean[c]), __dmul_rn(1 - m, mu));
			variance[c] = (float)__dadd_rn(__dmul_rn(m, (double)variance[c]), __dmul_rn(1 - m, var));
		}
	}
}

// batchnorm_grad computes the gradient of batchnorm in the mode with
// respect to v (wrt 0, out [n, d]), log_gamma (wrt 3, out [d]) or beta
// (wrt 4, out [d]); it never updates the running moments. With
// sg = Σ_r g and sgx = Σ_r g·x̂ (x̂ = (v − μ)/σ, or v − β forward):
//
//	inverse: dv = g·γ/σ,  dλ = γ·sgx,        dβ = sg
//	forward: dv = g·σ/γ,  dλ = −sgx·σ/γ,     dβ = −sg·σ/γ
//	training: dv = γ/σ·(g − sg/n − x̂·sgx/n), dλ and dβ as inverse
//
// One block per column.
extern "C" __global__ void batchnorm_grad(const float* v, const float* mean, const float* variance,
	const float* log_gamma, const float* beta, const float* g, float* out, long long n, long long d, long long mode,
	long long wrt, long long eps_bits)
{
	__shared__ double part[RED_BLOCK];
	const double eps = __longlong_as_double(eps_bits);
	for (long long c = blockIdx.x; c < d; c += gridDim.x) {
		double mu, var, is, gamma;
		column_stats(v, mean, variance, log_gamma, n, d, c, mode, eps, part, &mu, &var, &is, &gamma);
		const double b = (double)beta[c];
		if (wrt == 0 && mode != BN_TRAINING) {
			const double a = mode == BN_FORWARD ? 1 / (is * gamma) : is * gamma;
			for (long long r = threadIdx.x; r < n; r += blockDim.x) {
				out[r * d + c] = (float)((double)g[r * d + c] * a);
			}
			continue;
		}
		double sg = 0, sgx = 0;
		for (long long r = threadIdx.x; r < n; r += blockDim.x) {
			const double gi = (double)g[r * d + c];
			sg += gi;
			if (mode == BN_FORWARD) {
				sgx += __dmul_rn(gi, (double)v[r * d + c] - b);
			} else {
				sgx += __dmul_rn(__dmul_rn(gi, (double)v[r * d + c] - mu), is);
			}
		}
		sg = block_sum(sg, part);
		sgx = block_sum(sgx, part);
		if (wrt == 0) { // training
			const double mg = sg / (double)n, mgx = sgx / (double)n;
			for (long long r = threadIdx.x; r < n; r += blockDim.x) {
				const double xh = ((double)v[r * d + c] - mu) * is;
				out[r * d + c] = (float)(gamma * is * ((double)g[r * d + c] - mg - __dmul_rn(xh, mgx)));
			}
			continue;
		}
		if (threadIdx.x == 0) {
			double val;
			if (wrt == 3) {
				val = mode == BN_FORWARD ? -sgx / (is * gamma) : gamma * sgx;
			} else {
				val = mode == BN_FORWARD ? -sg / (is * gamma) : sg;
			}
			out[c] = (float)val;
		}
	}
}

// batchnorm_logdet computes out[r] = sign·Σ_c (log_gamma[c] − ½ log(var_c + eps))
// for the n rows, var_c the batch's biased variance of column c of v
// (training != 0) or variance[c], the columns summed in order. One block
// of RED_BLOCK threads (grid 1) walks the columns.
extern "C" __global__ void batchnorm_logdet(const float* v, const float* variance, const float* log_gamma, float* out,
	long long n, long long d, long long training, long long sign_bits, long long eps_bits)
{
	__shared__ double part[RED_BLOCK];
	if (blockIdx.x != 0) {
		return;
	}
	const double eps = __longlong_as_double(eps_bits);
	double s = 0;
	for (long long c = 0; c < d; c++) {
		double var = (double)variance[c];
		if (training) {
			double mu;
			batch_moments(v, n, d, c, part, &mu, &var);
		}
		s += (double)log_gamma[c] - __dmul_rn(0.5, log(var + eps));
	}
	const float val = (float)(__longlong_as_double(sign_bits) * s);
	for (long long r = threadIdx.x; r < n; r += blockDim.x) {
		out[r] = val;
	}
}

// batchnorm_logdet_grad computes the gradient of batchnorm_logdet with
// gs = sign·Σ_r g[r], g [n]: with respect to log_gamma (wrt 2), out[c] = gs
// for every c < d; with respect to v (wrt 0, training only, out [n, d]),
// out[r, c] = −gs·(v[r, c] − μ_c)/(n·(var_c + eps)). One block per column;
// every block sums g by the same tree.
extern "C" __global__ void batchnorm_logdet_grad(const float* v, const float* g, float* out, long long n,
	long long d, long long wrt, long long sign_bits, long long eps_bits)
{
	__shared__ double part[RED_BLOCK];
	const double eps = __longlong_as_double(eps_bits);
	double acc = 0;
	for (long long r = threadIdx.x; r < n; r += blockDim.x) {
		acc += (double)g[r];
	}
	const double gs = __longlong_as_double(sign_bits) * block_sum(acc, part);
	for (long long c = blockIdx.x; c < d; c += gridDim.x) {
		if (wrt == 2) {
			if (threadIdx.x == 0) {
				out[c] = (float)gs;
			}
			continue;
		}
		double mu, var;
		batch_moments(v, n, d, c, part, &mu, &var);
		const double a = -gs / ((double)n * (var + eps));
		for (long long r = threadIdx.x; r < n; r += blockDim.x) {
			out[r * d + c] = (float)(a * ((double)v[r * d + c] - mu));
		}
	}
}
