// Elementwise kernels: column permutation (ops.Gather), constants
// (ops.ConstRows, ops.ZerosLike), row broadcast (ops.RepeatRows), sums,
// fixed affine maps (ops.ConstAffine) and the pointwise bijector functions
// (ops.Pointwise). All use a 1-D grid-stride loop (block 256, grid
// min(ceil(count/256), 65535)).

#include "flowmath.cuh" // softplus_d, sigmoid_d

#define GRID_STRIDE(i, count) \
	for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < (count); i += (long long)gridDim.x * blockDim.x)

// gather_cols computes y[r, i] = x[r, perm[i]], x and y [n, d] (TFP's
// Permute convention).
extern "C" __global__ void gather_cols(const float* x, const long long* perm, float* y, long long n, long long d)
{
	GRID_STRIDE(i, n * d)
	{
		const long long r = i / d;
		y[i] = x[r * d + perm[i - r * d]];
	}
}

// fill sets out[i] = v for i < count.
extern "C" __global__ void fill(float* out, long long count, float v)
{
	GRID_STRIDE(i, count)
	{
		out[i] = v;
	}
}

// repeat_rows broadcasts the row h [1, k] to out [n, k]: out[r, :] = h[0, :].
extern "C" __global__ void repeat_rows(const float* h, float* out, long long n, long long k)
{
	GRID_STRIDE(i, n * k)
	{
		out[i] = h[i % k];
	}
}

// add computes out = a + sign·b elementwise (sign is ±1 for a sum or a
// difference), rounded once.
extern "C" __global__ void add(const float* a, const float* b, float* out, long long count, float sign)
{
	GRID_STRIDE(i, count)
	{
		out[i] = __fadd_rn(a[i], __fmul_rn(sign, b[i]));
	}
}

// const_affine computes out[i] = x[i]·a[i mod d] + b[i mod d] for x [n, d]
// (count = n·d entries), in double precision rounded once, as
// ops.ConstAffine does.
extern "C" __global__ void const_affine(const float* x, const float* a, const float* b, float* out,
	long long count, long long d)
{
	GRID_STRIDE(i, count)
	{
		const long long j = i % d;
		out[i] = (float)__dadd_rn(__dmul_rn((double)x[i], (double)a[j]), (double)b[j]);
	}
}

// Pointwise function codes (ops.Func) and modes.
#define FN_EXP 0
#define FN_LOG 1
#define FN_SIGMOID 2
#define FN_LOGIT 3
#define FN_TANH 4
#define FN_ATANH 5
#define FN_SOFTPLUS 6
#define FN_SOFTPLUS_INV 7

#define MODE_VALUE 0    // out[i] = f(x[i])
#define MODE_GRAD 1     // out[i] = g[i]·f'(x[i])
#define MODE_LDJ 2      // out[r] = Σ_j log|f'(x[r, j])|, one thread per row
#define MODE_LDJ_GRAD 3 // out[i] = g[i / d]·(log|f'|)'(x[i])

#define LN2 0.6931471805599453

// fn_value returns f(x) (ops.Func.eval's y). Unknown codes give NaN.
__device__ __forceinline__ double fn_value(long long fn, double x)
{
	switch (fn) {
	case FN_EXP:
		return exp(x);
	case FN_LOG:
		return log(x);
	case FN_SIGMOID:
		return sigmoid_d(x);
	case FN_LOGIT:
		return log(x) - log1p(-x);
	case FN_TANH:
		return tanh(x);
	case FN_ATANH:
		return atanh(x);
	case FN_SOFTPLUS:
		return softplus_d(x);
	case FN_SOFTPLUS_INV:
		return log(expm1(x));
	}
	return nan("");
}

// fn_deriv returns f'(x) (ops.Func.eval's dy).
__device__ __forceinline__ double fn_deriv(long long fn, double x)
{
	switch (fn) {
	case FN_EXP:
		return exp(x);
	case FN_LOG:
		return 1 / x;
	case FN_SIGMOID: {
		const double s = sigmoid_d(x);
		return s * (1 - s);
	}
	case FN_LOGIT:
		return 1 / (x * (1 - x));
	case FN_TANH: {
		const double t = tanh(x);
		return 1 - __dmul_rn(t, t);
	}
	case FN_ATANH:
		return 1 / (1 - __dmul_rn(x, x));
	case FN_SOFTPLUS:
		return sigmoid_d(x);
	case FN_SOFTPLUS_INV:
		return 1 / -expm1(-x);
	}
	return nan("");
}

// fn_ldj returns log|f'(x)| in the stable forms of ops.Func.eval:
// exp x; log −log x; sigmoid −softplus(−x) − softplus(x); logit
// −log x − log(1−x); tanh 2(log 2 − x − softplus(−2x)); atanh −log(1−x²);
// softplus −softplus(−x); softplus_inverse −log(−expm1(−x)).
__device__ __forceinline__ double fn_ldj(long long fn, double x)
{
	switch (fn) {
	case FN_EXP:
		return x;
	case FN_LOG:
		return -log(x);
	case FN_SIGMOID:
		return -softplus_d(-x) - softplus_d(x);
	case FN_LOGIT:
		return -log(x) - log1p(-x);
	case FN_TANH:
		return 2 * (LN2 - x - softplus_d(-2 * x));
	case FN_ATANH:
		return -log1p(-__dmul_rn(x, x));
	case FN_SOFTPLUS:
		return -softplus_d(-x);
	case FN_SOFTPLUS_INV:
		return -log(-expm1(-x));
	}
	return nan("");
}

// fn_dldj returns d/dx log|f'(x)| (ops.Func.eval's dldj).
__device__ __forceinline__ double fn_dldj(long long fn, double x)
{
	switch (fn) {
	case FN_EXP:
		return 1;
	case FN_LOG:
		return -1 / x;
	case FN_SIGMOID:
		return 1 - 2 * sigmoid_d(x);
	case FN_LOGIT:
		return -1 / x + 1 / (1 - x);
	case FN_TANH:
		return -2 * tanh(x);
	case FN_ATANH:
		return 2 * x / (1 - __dmul_rn(x, x));
	case FN_SOFTPLUS:
		return 1 - sigmoid_d(x);
	case FN_SOFTPLUS_INV:
		return -1 / expm1(x);
	}
	return nan("");
}

// pointwise applies the elementwise function fn to x [n, d] in the given
// mode (see MODE_*), evaluating in double precision and rounding once:
// modes 0, 1 and 3 write n·d entries (grid-stride over n·d), mode 2 writes
// n row sums, each summed j = 0..d−1 in order (one thread per row,
// grid-stride over n). g is not read, and may be null, in modes 0 and 2;
// in mode 1 it is [n, d], in mode 3 [n].
extern "C" __global__ void pointwise(const float* x, const float* g, float* out, long long n, long long d,
	long long fn, long long mode)
{
	switch (mode) {
	case MODE_VALUE:
		GRID_STRIDE(i, n * d)
		{
			out[i] = (float)fn_value(fn, (double)x[i]);
		}
		break;
	case MODE_GRAD:
		GRID_STRIDE(i, n * d)
		{
			out[i] = (float)((double)g[i] * fn_deriv(fn, (double)x[i]));
		}
		break;
	case MODE_LDJ:
		GRID_STRIDE(r, n)
		{
			const float* row = x + r * d;
			double acc = 0;
			for (long long j = 0; j < d; j++) {
				acc += fn_ldj(fn, (double)row[j]);
			}
			out[r] = (float)acc;
		}
		break;
	case MODE_LDJ_GRAD:
		GRID_STRIDE(i, n * d)
		{
			out[i] = (float)((double)g[i / d] * fn_dldj(fn, (double)x[i]));
		}
		break;
	}
}
