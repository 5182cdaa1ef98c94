// Adam kernels (engine.Adam): Kingma & Ba's optimizer with Keras's update
// rule over one contiguous parameter arena, guarded against non-finite
// losses and gradients. A training step on the device ends with two
// launches (engine.TrainerLaunches):
//
//	train_guard: *bad = 1 on a NaN or ±Inf loss or gradient; the next
//	             step's batch gathered; t += 1 unless *bad, the loss
//	             recorded, the step counter advanced
//	adam_step:   the update below, skipped when *bad
//
// so a bad step leaves t, the moments and the parameters untouched, and
// every later step of the epoch is skipped too: the parameters stay the
// last good ones without a copy. The engine clears *bad (and the step
// counter) at the start of each epoch.

// train_guard ends a training step before Adam. counters holds the step
// index (long long, +0), Adam's t (long long, +8), bad (int, +16) and a
// count of finished blocks (int, +20, zero between launches). Every block
// checks its grid-stride share of the count gradients (and block 0 the
// loss), and gathers its share of the batch of step s + 1 into x when
// s + 1 < steps (x [rows, d] = data[perm[(s+1)·stride + r], :], s = the
// step index); the last block to finish (atomic count after a memory
// fence) then advances t unless bad, stores losses[s] = loss[0], sets the
// step index to s + 1 and resets the count. Grid-stride over
// max(count, rows·d).
extern "C" __global__ void train_guard(const float* grads, long long count, const float* loss, float* losses,
	long long* counters, const float* data, const long long* perm, float* x, long long rows, long long d,
	long long stride, long long steps)
{
	__shared__ int blockBad;
	__shared__ int last;
	long long* step = counters;
	long long* t = counters + 1;
	volatile int* bad = (volatile int*)(counters + 2);
	int* done = (int*)(counters + 2) + 1;
	if (threadIdx.x == 0) {
		blockBad = 0;
	}
	__syncthreads();
	const long long s = *step;
	const long long first = (long long)blockIdx.x * blockDim.x + threadIdx.x, all = (long long)gridDim.x * blockDim.x;
	int mine = first == 0 && !isfinite(loss[0]);
	for (long long i = first; i < count; i += all) {
		if (!isfinite(grads[i])) {
			mine = 1;
		}
	}
	if (mine) {
		blockBad = 1; // every writer stores the same value
	}
	if (s + 1 < steps) {
		const long long base = (s + 1) * stride;
		for (long long i = first; i < rows * d; i += all) {
			const long long r = i / d;
			x[i] = data[perm[base + r] * d + (i - r * d)];
		}
	}
	__syncthreads();
	if (threadIdx.x == 0) {
		if (blockBad) {
			*bad = 1;
		}
		__threadfence(); // bad is visible before this block counts as done
		last = atomicAdd(done, 1) == (int)gridDim.x - 1;
	}
	__syncthreads();
	if (last && threadIdx.x == 0) {
		__threadfence();
		if (!*bad) {
			*t += 1;
		}
		losses[s] = loss[0];
		*step = s + 1;
		*done = 0;
	}
}

// adam_step applies one Keras Adam update to p [count] with gradient g and
// moments m, v, unless *bad:
//
//	m ← β1·m + (1−β1)·g
//	v ← β2·v + (1−β2)·g²
//	p ← p − lr_t·m / (√v + ε),  lr_t = lr·√(1−β2ᵗ)/(1−β1ᵗ)
//
// t is read from *t, already incremented by train_guard for this step; lr_t
// is computed in double precision and rounded once, and the element update
// is float32 with the same operations as the CPU's AVX2 kernel
// (kernels/cpu/vec/adam_amd64.s: m = fma(1−β1, g, β1·m), v = fma(1−β2, g·g, β2·v),
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
