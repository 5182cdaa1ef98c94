// Affine autoregressive transform kernels (ops.AffineAR, ops.AffineARGrad,
// ops.LogScaleSum, ops.LogScaleSumGrad). The network output h [n, 2d] is
// interleaved as TFP's AutoregressiveNetwork emits it: h[r, 2e] is the
// shift m and h[r, 2e+1] the unconstrained scale u of feature e, so element
// i of v [n, d] pairs with h[2i] and h[2i+1].
//
//	forward: y = v·σ(u) + m
//	inverse: x = (v − m) / σ(u)
//
// σ, log σ and (log σ)' are evaluated in double precision and each result
// is rounded to float32 once, as the CPU ops do.

// Scale function codes (ops.ScaleFn).
#define SCALE_SOFTPLUS 0
#define SCALE_EXP 1
#define SCALE_SOFTCLIP 2

#define SOFTPLUS_SHIFT 0.541324854612918 // log(e − 1): softplus(0 + shift) = 1
#define SOFTPLUS_EPS 1e-3
#define SOFTCLIP_BOUND 6.9

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

// scale_of returns σ(u) and sets *log_s = log σ(u), *dlog_s = d log σ / du
// (ops/affine_ar.go scaleOf). Unknown codes take the softplus branch, as
// scaleOf's default does.
//
//	softplus: σ = softplus(u + log(e−1)) + 1e-3, (log σ)' = sigmoid(u + log(e−1)) / σ
//	exp:      σ = e^u, log σ = u, (log σ)' = 1
//	softclip: σ = exp(u / (1 + |u|/6.9)), (log σ)' = 1 / (1 + |u|/6.9)²
__device__ __forceinline__ double scale_of(long long f, double u, double* log_s, double* dlog_s)
{
	switch (f) {
	case SCALE_EXP:
		*log_s = u;
		*dlog_s = 1;
		return exp(u);
	case SCALE_SOFTCLIP: {
		const double d = 1 + fabs(u) / SOFTCLIP_BOUND;
		const double l = u / d;
		*log_s = l;
		*dlog_s = 1 / __dmul_rn(d, d);
		return exp(l);
	}
	default: {
		const double v = u + SOFTPLUS_SHIFT;
		const double s = softplus_d(v) + SOFTPLUS_EPS;
		*log_s = log(s);
		*dlog_s = sigmoid_d(v) / s;
		return s;
	}
	}
}

// affine_ar computes out[i] = v[i]·σ(h[2i+1]) + h[2i] (forward) or
// (v[i] − h[2i]) / σ(h[2i+1]) (inverse != 0), for the count = n·d elements
// of v. Grid-stride over count.
extern "C" __global__ void affine_ar(const float* v, const float* h, float* out, long long count,
	long long inverse, long long scale_fn)
{
	for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < count; i += (long long)gridDim.x * blockDim.x) {
		double l, dl;
		const double s = scale_of(scale_fn, (double)h[2 * i + 1], &l, &dl);
		const double m = (double)h[2 * i], vi = (double)v[i];
		out[i] = inverse ? (float)((vi - m) / s) : (float)__dadd_rn(__dmul_rn(vi, s), m);
	}
}

// affine_ar_grad_v computes the gradient with respect to v of
// Σ g·affine_ar(v, h): out[i] = g[i]·σ (forward) or g[i]/σ (inverse).
// Grid-stride over count = n·d.
extern "C" __global__ void affine_ar_grad_v(const float* v, const float* h, const float* g, float* out,
	long long count, long long inverse, long long scale_fn)
{
	for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < count; i += (long long)gridDim.x * blockDim.x) {
		double l, dl;
		const double s = scale_of(scale_fn, (double)h[2 * i + 1], &l, &dl);
		const double gi = (double)g[i];
		out[i] = inverse ? (float)(gi / s) : (float)(gi * s);
	}
}

// affine_ar_grad_h computes the gradient with respect to h, out [n, 2d]
// (2·count entries):
//
//	forward: out[2i] = g,    out[2i+1] = g·v·σ·(log σ)'
//	inverse: out[2i] = −g/σ, out[2i+1] = −g·x·(log σ)' with x = (v − m)/σ
//
// Grid-stride over count = n·d.
extern "C" __global__ void affine_ar_grad_h(const float* v, const float* h, const float* g, float* out,
	long long count, long long inverse, long long scale_fn)
{
	for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < count; i += (long long)gridDim.x * blockDim.x) {
		double l, dl;
		const double s = scale_of(scale_fn, (double)h[2 * i + 1], &l, &dl);
		const double gi = (double)g[i], m = (double)h[2 * i], vi = (double)v[i];
		if (inverse) {
			const double x = (vi - m) / s;
			out[2 * i] = (float)(-gi / s);
			out[2 * i + 1] = (float)(-gi * x * dl);
		} else {
			out[2 * i] = (float)gi;
			out[2 * i + 1] = (float)(gi * vi * s * dl);
		}
	}
}

// log_scale_sum computes out[r] = sign·Σ_e log σ(h[r, 2e+1]) for the n rows
// of h [n, 2d] (d is the event size; h has 2d columns), summing e = 0..d−1
// in order in double precision. One thread per row, grid-stride over n.
extern "C" __global__ void log_scale_sum(const float* h, float* out, long long n, long long d,
	long long scale_fn, float sign)
{
	for (long long r = (long long)blockIdx.x * blockDim.x + threadIdx.x; r < n; r += (long long)gridDim.x * blockDim.x) {
		const float* row = h + r * 2 * d;
		double acc = 0;
		for (long long e = 0; e < d; e++) {
			double l, dl;
			scale_of(scale_fn, (double)row[2 * e + 1], &l, &dl);
			acc += l;
		}
		out[r] = (float)((double)sign * acc);
	}
}

// log_scale_sum_grad computes the gradient of log_scale_sum, out [n, 2d]:
// out[r, 2e] = 0 and out[r, 2e+1] = sign·g[r]·(log σ)'(h[r, 2e+1]).
// Grid-stride over the n·d (shift, scale) pairs.
extern "C" __global__ void log_scale_sum_grad(const float* h, const float* g, float* out, long long n,
	long long d, long long scale_fn, float sign)
{
	const long long count = n * d;
	for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < count; i += (long long)gridDim.x * blockDim.x) {
		double l, dl;
		scale_of(scale_fn, (double)h[2 * i + 1], &l, &dl);
		out[2 * i] = 0.0f;
		out[2 * i + 1] = (float)((double)sign * (double)g[i / d] * dl);
	}
}
