// Shared device functions of the flow ops: activations and their
// derivatives (ops.Activation), and the affine transform's scale functions
// (ops.ScaleFn). Included by every kernel file that needs them, so the fused
// kernels evaluate exactly the expressions of the general ones.
#pragma once

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

// act_grad_of returns gy·act'(z) from the layer output y = act(z), in
// float32 as ops.activationGrad does: relu [y > 0], tanh 1 − y², sigmoid
// y(1 − y), softplus 1 − e^−y, elu 1 (y > 0) or y + 1.
__device__ __forceinline__ float act_grad_of(long long act, float v, float g)
{
	switch (act) {
	case ACT_RELU:
		return v > 0 ? g : 0.0f;
	case ACT_TANH:
		return g * (1.0f - __fmul_rn(v, v)); // no fused multiply-add, as on the CPU
	case ACT_SIGMOID:
		return __fmul_rn(g, v) * (1.0f - v);
	case ACT_SOFTPLUS:
		return g * (float)(-expm1(-(double)v));
	case ACT_ELU:
		return v > 0 ? g : g * (v + 1.0f);
	}
	return g;
}

// Scale function codes (ops.ScaleFn).
#define SCALE_SOFTPLUS 0
#define SCALE_EXP 1
#define SCALE_SOFTCLIP 2

#define SOFTPLUS_SHIFT 0.541324854612918 // log(e − 1): softplus(0 + shift) = 1
#define SOFTPLUS_EPS 1e-3
#define SOFTCLIP_BOUND 6.9

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

// The per-element bodies of the affine autoregressive kernels (affine.cu),
// shared with the fused block program (fused.cu). h is interleaved: h[2i]
// the shift m, h[2i+1] the unconstrained scale u of element i.

// affine_ar_at returns v·σ(u) + m (forward) or (v − m)/σ(u) (inverse).
__device__ __forceinline__ float affine_ar_at(const float* v, const float* h, long long i, long long inverse, long long f)
{
	double l, dl;
	const double s = scale_of(f, (double)h[2 * i + 1], &l, &dl);
	const double m = (double)h[2 * i], vi = (double)v[i];
	return inverse ? (float)((vi - m) / s) : (float)__dadd_rn(__dmul_rn(vi, s), m);
}

// affine_ar_grad_v_at returns g·σ (forward) or g/σ (inverse).
__device__ __forceinline__ float affine_ar_grad_v_at(const float* h, const float* g, long long i, long long inverse, long long f)
{
	double l, dl;
	const double s = scale_of(f, (double)h[2 * i + 1], &l, &dl);
	const double gi = (double)g[i];
	return inverse ? (float)(gi / s) : (float)(gi * s);
}

// affine_ar_grad_h_at writes out[2i], out[2i+1], the gradient with respect
// to the shift and the unconstrained scale of element i (affine_ar_grad_h).
__device__ __forceinline__ void affine_ar_grad_h_at(const float* v, const float* h, const float* g, float* out, long long i,
	long long inverse, long long f)
{
	double l, dl;
	const double s = scale_of(f, (double)h[2 * i + 1], &l, &dl);
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

// log_scale_sum_at returns sign·Σ_e log σ(h[r, 2e+1]) over the d features
// of row r, in order, in double precision.
__device__ __forceinline__ float log_scale_sum_at(const float* h, long long r, long long d, long long f, float sign)
{
	const float* row = h + r * 2 * d;
	double acc = 0;
	for (long long e = 0; e < d; e++) {
		double l, dl;
		scale_of(f, (double)row[2 * e + 1], &l, &dl);
		acc += l;
	}
	return (float)((double)sign * acc);
}

// log_scale_sum_grad_at writes out[2i] = 0 and out[2i+1] =
// sign·g[i/d]·(log σ)'(h[2i+1]) for pair i.
__device__ __forceinline__ void log_scale_sum_grad_at(const float* h, const float* g, float* out, long long i, long long d,
	long long f, float sign)
{
	double l, dl;
	scale_of(f, (double)h[2 * i + 1], &l, &dl);
	out[2 * i] = 0.0f;
	out[2 * i + 1] = (float)((double)sign * (double)g[i / d] * dl);
}

// normal_log_prob_at returns c − ½ Σ_j ((x[r,j] − loc_j)/scale_j)², j in
// order, in double precision (gauss.cu).
__device__ __forceinline__ float normal_log_prob_at(const float* x, const float* loc, const float* scale, long long r,
	long long d, float c)
{
	const float* row = x + r * d;
	double acc = (double)c;
	for (long long j = 0; j < d; j++) {
		const double z = ((double)row[j] - (double)loc[j]) / (double)scale[j];
		acc -= __dmul_rn(0.5 * z, z); // no fused multiply-add, as on the CPU
	}
	return (float)acc;
}

// normal_log_prob_grad_at returns −g[i/d]·(x[i] − loc_j)/scale_j², j = i mod d.
__device__ __forceinline__ float normal_log_prob_grad_at(const float* x, const float* g, const float* loc, const float* scale,
	long long i, long long d)
{
	const long long j = i % d;
	const double s = (double)scale[j];
	return (float)(-(double)g[i / d] * ((double)x[i] - (double)loc[j]) / (s * s));
}
