// Adam kernels (engine.Adam): Kingma & Ba's optimizer with Keras's update
// rule over one contiguous parameter arena, guarded against non-finite
// gradients. A step on the device is
//
//	*bad = 0 (the engine clears it)
//	check_finite(loss and gradients) → *bad = 1 on NaN or ±Inf
//	adam_tick: t += 1 unless *bad
//	adam_step: the update below, skipped when *bad
//	guarded_copy: last-good snapshot of the parameters unless *bad
//
// so a bad step leaves t, the moments and the parameters untouched.

// adam_tick increments the step counter *t unless *bad. One thread does the
// work; launch with grid 1, block 1 (other threads do nothing).
extern "C" __global__ void adam_tick(long long* t, const int* bad)
{
	if (blockIdx.x == 0 && threadIdx.x == 0 && !*bad) {
		*t += 1;
	}
}

// check_finite sets *bad = 1 if any of x[0..count) is NaN or ±Inf; it never
// clears *bad. Grid-stride over count.
extern "C" __global__ void check_finite(const float* x, long long count, int* bad)
{
	for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < count; i += (long long)gridDim.x * blockDim.x) {
		if (!isfinite(x[i])) {
			*bad = 1; // every writer stores the same value
		}
	}
}

// adam_step applies one Keras Adam update to p [count] with gradient g and
// moments m, v, unless *bad:
//
//	m ← β1·m + (1−β1)·g
//	v ← β2·v + (1−β2)·g²
//	p ← p − lr_t·m / (√v + ε),  lr_t = lr·√(1−β2ᵗ)/(1−β1ᵗ)
//
// t is read from *t, already incremented by adam_tick for this step; lr_t
// is computed in double precision and rounded once, and the element update
// is float32 with the same operations as the CPU's AVX2 kernel
// (engine/adam_amd64.s: m = fma(1−β1, g, β1·m), v = fma(1−β2, g·g, β2·v),
// p −= (lr_t·m) / (√v + ε)). Grid-stride over count.
extern "C" __global__ void adam_step(float* p, const float* g, float* m, float* v, long long count,
	const long long* t, const int* bad, float lr, float b1, float b2, float eps)
{
	if (*bad) {
		return;
	}
	const double step = (double)*t;
	const float lrT = (float)((double)lr * sqrt(1 - pow((double)b2, step)) / (1 - pow((double)b1, step)));
	const float c1 = (float)(1 - (double)b1), c2 = (float)(1 - (double)b2);
	for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < count; i += (long long)gridDim.x * blockDim.x) {
		const float gi = g[i];
		const float mi = fmaf(c1, gi, __fmul_rn(b1, m[i]));
		const float vi = fmaf(c2, __fmul_rn(gi, gi), __fmul_rn(b2, v[i]));
		m[i] = mi;
		v[i] = vi;
		p[i] = __fsub_rn(p[i], __fdiv_rn(__fmul_rn(lrT, mi), __fadd_rn(__fsqrt_rn(vi), eps)));
	}
}

// guarded_copy sets dst = src (count entries) unless *bad: the snapshot of
// the last good parameters. Grid-stride over count.
extern "C" __global__ void guarded_copy(float* dst, const float* src, long long count, const int* bad)
{
	if (*bad) {
		return;
	}
	for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < count; i += (long long)gridDim.x * blockDim.x) {
		dst[i] = src[i];
	}
}
