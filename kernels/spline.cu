// Rational-quadratic spline kernels (ops.RQSplineKnots,
// ops.RQSplineKnotsGrad, ops.RQSpline, ops.RQSplineGrad,
// ops.RQSplineLogDet, ops.RQSplineLogDetGrad): the monotonic spline of
// Durkan et al. (2019) with K bins on [−B, B] (TFP's conventions), the
// identity outside. A feature's raw parameters θ [3K−1] (K widths, K
// heights, K−1 interior slopes) normalize to κ [3K+1]:
//
//	W_k = 2B·(m + (1 − K·m)·softmax(θ[0:K])_k)    H_k likewise from θ[K:2K]
//	δ_0 = δ_K = 1, δ_k = softplus(θ[2K+k−1] + c) + m_δ
//
// with m = m_δ = 1e-3 and c = log(e^(1−m_δ) − 1), and on bin k, with
// ξ = (x − x_k)/W_k, s = H_k/W_k, τ = ξ(1 − ξ):
//
//	y  = y_k + H_k·(s ξ² + δ_k τ) / (s + (δ_k + δ_{k+1} − 2s) τ)
//
// the inverse solving the quadratic in ξ in closed form. Every kernel
// follows ops/spline_math.go in double precision in the same order and
// rounds to float32 once (products are rounded before they are added,
// __dmul_rn, so that no fused multiply-add changes a result; min and max
// propagate NaN as Go's math.Min and math.Max do). The knots
// x_k = −B + Σ_{j<k} W_j are summed in order while searching the bin, with
// x_K = y_K = B exactly. All kernels are element-wise: one thread per
// feature (knots), element or row (log-det), grid-stride (block 256, grid
// min(ceil(count/256), 65535)); bound_bits is the double B as its
// IEEE-754 bits in a long long slot.

#include "flowmath.cuh" // softplus_d, sigmoid_d

#define SPLINE_MIN_BIN 1e-3
#define SPLINE_MIN_DERIVATIVE 1e-3
#define SPLINE_SLOPE_SHIFT 0.53974241723695204 // log(e^(1 − 1e-3) − 1), as ops computes it

#define GRID_STRIDE(i, count) \
	for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < (count); i += (long long)gridDim.x * blockDim.x)

#define MUL(a, b) __dmul_rn((a), (b))

// go_max and go_min are Go's math.Max and math.Min on finite values and
// NaN (either operand NaN gives NaN).
__device__ __forceinline__ double go_max(double a, double b)
{
	if (a != a || b != b) {
		return a + b;
	}
	return a > b ? a : b;
}

__device__ __forceinline__ double go_min(double a, double b)
{
	if (a != a || b != b) {
		return a + b;
	}
	return a < b ? a : b;
}

// rq_point is the spline at one point of bin k (ops/spline_math.go rqPoint
// with the bin's knots): y = y_k + H_k R and L = log y', with their partial
// derivatives with respect to ξ, s, δ_k and δ_{k+1}.
struct rq_point {
	int k;
	double xk, xk1, yk, yk1, w, h, dk, dk1; // the bin
	double xi, s;
	double y, dydx, logdydx;
	double R, Rxi, Rs, Rdk, Rdk1;
	double Lxi, Ls, Ldk, Ldk1;
};

// find_bin fills p's bin: the last k < K whose knot (x_k, or y_k when
// by_y) is <= v, for v in [−B, B] (ops/spline_math.go bin on monotone
// knots), summing the knots in order.
__device__ void find_bin(rq_point* p, const float* kap, int K, double B, double v, bool by_y)
{
	double x = -B, y = -B;
	int k = 0;
	for (int j = 0; j + 1 < K; j++) {
		const double nx = x + (double)kap[j], ny = y + (double)kap[K + j];
		if (!((by_y ? ny : nx) <= v)) {
			break;
		}
		x = nx;
		y = ny;
		k = j + 1;
	}
	p->k = k;
	p->w = (double)kap[k];
	p->h = (double)kap[K + k];
	p->dk = (double)kap[2 * K + k];
	p->dk1 = (double)kap[2 * K + k + 1];
	p->xk = x;
	p->yk = y;
	p->xk1 = k + 1 == K ? B : x + p->w;
	p->yk1 = k + 1 == K ? B : y + p->h;
}

// rq_eval evaluates the spline at local coordinate xi of p's bin
// (ops/spline_math.go eval): y and y' always, log y' if want_log, the
// partial derivatives if want_partials.
__device__ void rq_eval(rq_point* p, double xi, bool want_log, bool want_partials)
{
	xi = go_min(go_max(xi, 0), 1);
	const double w = p->w, h = p->h, dk = p->dk, dk1 = p->dk1;
	const double s = h / w;
	const double th = MUL(xi, 1 - xi);
	const double a = dk + dk1 - 2 * s;
	const double den = s + MUL(a, th);
	const double num = MUL(MUL(s, xi), xi) + MUL(dk, th);
	const double m = MUL(MUL(dk1, xi), xi) + MUL(2 * s, th) + MUL(MUL(dk, 1 - xi), 1 - xi);
	const double den2 = MUL(den, den);
	p->xi = xi;
	p->s = s;
	p->R = num / den;
	p->y = go_min(p->yk + MUL(h, p->R), p->yk1); // no overshoot by rounding
	p->dydx = MUL(MUL(s, s), m) / den2;
	if (want_log) {
		p->logdydx = 2 * log(s) + log(m) - 2 * log(den);
	}
	if (!want_partials) {
		return;
	}
	p->Rxi = MUL(s, m) / den2;
	p->Rs = (MUL(MUL(xi, xi), den) - MUL(num, 1 - 2 * th)) / den2;
	p->Rdk = MUL(th, den - num) / den2;
	p->Rdk1 = MUL(-num, th) / den2;
	const double mxi = MUL(2 * dk1, xi) + MUL(2 * s, 1 - 2 * xi) - MUL(2 * dk, 1 - xi);
	p->Lxi = mxi / m - MUL(2 * a, 1 - 2 * xi) / den;
	p->Ls = 2 / s + 2 * th / m - 2 * (1 - 2 * th) / den;
	p->Ldk = MUL(1 - xi, 1 - xi) / m - 2 * th / den;
	p->Ldk1 = MUL(xi, xi) / m - 2 * th / den;
}

// rq_forward evaluates the spline at x in [−B, B].
__device__ void rq_forward(rq_point* p, const float* kap, int K, double B, double x, bool want_log, bool want_partials)
{
	find_bin(p, kap, K, B, x, false);
	rq_eval(p, (x - p->xk) / p->w, want_log, want_partials);
}

// rq_inverse finds x with spline(x) = y for y in [−B, B], evaluates the
// spline there and returns x (ops/spline_math.go inverse): on bin k, with
// t = y − y_k and a = δ_k + δ_{k+1} − 2s, ξ = 2c/(−b − √(b² − 4Ac)),
// A = H_k(s − δ_k) + t a, b = H_k δ_k − t a, c = −s t.
__device__ double rq_inverse(rq_point* p, const float* kap, int K, double B, double y, bool want_log, bool want_partials)
{
	find_bin(p, kap, K, B, y, true);
	const double h = p->h, dk = p->dk;
	const double s = h / p->w;
	const double t = y - p->yk;
	const double a = dk + p->dk1 - 2 * s;
	const double qa = MUL(h, s - dk) + MUL(t, a);
	const double qb = MUL(h, dk) - MUL(t, a);
	const double qc = MUL(-s, t);
	const double disc = go_max(MUL(qb, qb) - MUL(MUL(4, qa), qc), 0);
	double xi = 0;
	const double den = -qb - sqrt(disc);
	if (den != 0) {
		xi = 2 * qc / den;
	}
	rq_eval(p, xi, want_log, want_partials);
	return go_min(p->xk + MUL(p->xi, p->w), p->xk1);
}

// rq_backward writes into g [3K+1] the gradient with respect to κ of
// cy·y + cl·log y' at the point p, x held fixed (ops/spline_math.go
// backward), and returns its gradient with respect to x.
__device__ double rq_backward(float* g, const rq_point* p, int K, double cy, double cl)
{
	const int k = p->k;
	const double w = p->w, h = p->h;
	const double gxi = MUL(MUL(cy, h), p->Rxi) + MUL(cl, p->Lxi);
	const double gs = MUL(MUL(cy, h), p->Rs) + MUL(cl, p->Ls);
	const float gx = (float)(-gxi / w);
	const float gw = (float)(-(MUL(gxi, p->xi) + MUL(gs, p->s)) / w);
	const float gh = (float)(MUL(cy, p->R) + gs / w);
	const float cyf = (float)cy;
	for (int j = 0; j < K; j++) {
		g[j] = j < k ? gx : (j == k ? gw : 0.0f);
		g[K + j] = j < k ? cyf : (j == k ? gh : 0.0f);
	}
	const float gdk = (float)(MUL(MUL(cy, h), p->Rdk) + MUL(cl, p->Ldk));
	const float gdk1 = (float)(MUL(MUL(cy, h), p->Rdk1) + MUL(cl, p->Ldk1));
	for (int j = 0; j <= K; j++) {
		g[2 * K + j] = j == k ? gdk : (j == k + 1 ? gdk1 : 0.0f);
	}
	return gxi / w;
}

// rq_spline_knots normalizes the count = n·D features' raw parameters
// theta [count, 3K−1] to kappa [count, 3K+1] (ops/spline_math.go
// normalizeKnots; K = bins). One thread per feature.
extern "C" __global__ void rq_spline_knots(const float* theta, float* kappa, long long count, long long bins,
	long long bound_bits)
{
	const int K = (int)bins;
	const double span = 2 * __longlong_as_double(bound_bits);
	const double scale = span * (1 - MUL((double)K, SPLINE_MIN_BIN));
	GRID_STRIDE(f, count)
	{
		const float* p = theta + f * (3 * K - 1);
		float* kap = kappa + f * (3 * K + 1);
		for (int part = 0; part < 2; part++) {
			const float* raw = p + part * K;
			double mx = -INFINITY;
			for (int j = 0; j < K; j++) {
				mx = go_max(mx, (double)raw[j]);
			}
			double sum = 0;
			for (int j = 0; j < K; j++) {
				sum += exp((double)raw[j] - mx);
			}
			for (int j = 0; j < K; j++) {
				kap[part * K + j] = (float)(MUL(span, SPLINE_MIN_BIN) + MUL(scale, exp((double)raw[j] - mx)) / sum);
			}
		}
		kap[2 * K] = 1.0f;
		kap[3 * K] = 1.0f;
		for (int j = 1; j < K; j++) {
			kap[2 * K + j] = (float)(softplus_d((double)p[2 * K + j - 1] + SPLINE_SLOPE_SHIFT) + SPLINE_MIN_DERIVATIVE);
		}
	}
}

// rq_spline_knots_grad computes the gradient with respect to theta
// [count, 3K−1] from g [count, 3K+1], the gradient with respect to kappa
// (ops/spline_math.go normalizeKnotsGrad): with the softmax fractions
// σ_j = (W_j/2B − m)/(1 − K·m) read back from kappa,
//
//	dθ_j = 2B(1 − Km)·σ_j·(g_W_j − Σ_i σ_i g_W_i)   (widths; heights alike)
//	dθ_{2K+k−1} = g_δ_k·sigmoid(θ_{2K+k−1} + c)     (interior slopes)
//
// One thread per feature.
extern "C" __global__ void rq_spline_knots_grad(const float* theta, const float* kappa, const float* g, float* out,
	long long count, long long bins, long long bound_bits)
{
	const int K = (int)bins;
	const double span = 2 * __longlong_as_double(bound_bits);
	const double frac = 1 - MUL((double)K, SPLINE_MIN_BIN);
	const double scale = span * frac;
	GRID_STRIDE(f, count)
	{
		const float* p = theta + f * (3 * K - 1);
		const float* kap = kappa + f * (3 * K + 1);
		const float* gk = g + f * (3 * K + 1);
		float* gp = out + f * (3 * K - 1);
		for (int part = 0; part < 2; part++) {
			double dot = 0;
			for (int j = 0; j < K; j++) {
				const double sm = ((double)kap[part * K + j] / span - SPLINE_MIN_BIN) / frac;
				dot += MUL(sm, (double)gk[part * K + j]);
			}
			for (int j = 0; j < K; j++) {
				const double sm = ((double)kap[part * K + j] / span - SPLINE_MIN_BIN) / frac;
				gp[part * K + j] = (float)MUL(MUL(scale, sm), (double)gk[part * K + j] - dot);
			}
		}
		for (int j = 1; j < K; j++) {
			gp[2 * K + j - 1] = (float)((double)gk[2 * K + j] * sigmoid_d((double)p[2 * K + j - 1] + SPLINE_SLOPE_SHIFT));
		}
	}
}

// rq_spline computes out[i] = g(v[i]; κ_i) (forward) or g⁻¹(v[i]; κ_i)
// (inverse != 0) for the count = n·D elements of v, κ_i the row
// kappa[i·(3K+1) ..]; elements outside [−B, B] are copied. One thread per
// element.
extern "C" __global__ void rq_spline(const float* v, const float* kappa, float* out, long long count, long long bins,
	long long bound_bits, long long inverse)
{
	const int K = (int)bins;
	const double B = __longlong_as_double(bound_bits);
	GRID_STRIDE(i, count)
	{
		const double x = (double)v[i];
		if (x < -B || x > B) {
			out[i] = v[i];
			continue;
		}
		const float* kap = kappa + i * (3 * K + 1);
		rq_point p;
		if (inverse) {
			out[i] = (float)rq_inverse(&p, kap, K, B, x, false, false);
		} else {
			rq_forward(&p, kap, K, B, x, false, false);
			out[i] = (float)p.y;
		}
	}
}

// rq_spline_grad computes the gradient of rq_spline with respect to v
// (wrt 0, out [count]) or kappa (wrt 1, out [count, 3K+1]), g [count]:
//
//	forward: dv = g·y'(v),  dκ = g·∂y/∂κ
//	inverse: dv = g/y'(x),  dκ = −g·(∂y/∂κ)/y'(x) at x = g⁻¹(v)
//
// and dv = g, dκ = 0 outside [−B, B]. One thread per element.
extern "C" __global__ void rq_spline_grad(const float* v, const float* kappa, const float* g, float* out,
	long long count, long long bins, long long bound_bits, long long inverse, long long wrt)
{
	const int K = (int)bins;
	const int Q = 3 * K + 1;
	const double B = __longlong_as_double(bound_bits);
	GRID_STRIDE(i, count)
	{
		const double x = (double)v[i], gi = (double)g[i];
		if (x < -B || x > B) {
			if (wrt == 0) {
				out[i] = g[i];
			} else {
				for (int j = 0; j < Q; j++) {
					out[i * Q + j] = 0.0f;
				}
			}
			continue;
		}
		const float* kap = kappa + i * Q;
		rq_point p;
		double cy = gi;
		if (inverse) {
			rq_inverse(&p, kap, K, B, x, false, wrt == 1);
			cy = -gi / p.dydx;
		} else {
			rq_forward(&p, kap, K, B, x, false, wrt == 1);
		}
		if (wrt == 0) {
			out[i] = inverse ? (float)(gi / p.dydx) : (float)(gi * p.dydx);
			continue;
		}
		rq_backward(out + i * Q, &p, K, cy, 0);
	}
}

// rq_spline_logdet computes out[r] = Σ_e log y'(v[r, e]) (forward) or
// −Σ_e log y'(g⁻¹(v[r, e])) (inverse != 0) for the n rows of v [n, d],
// features outside [−B, B] adding 0, summed e = 0..d−1 in order. One
// thread per row.
extern "C" __global__ void rq_spline_logdet(const float* v, const float* kappa, float* out, long long n, long long d,
	long long bins, long long bound_bits, long long inverse)
{
	const int K = (int)bins;
	const double B = __longlong_as_double(bound_bits);
	GRID_STRIDE(r, n)
	{
		double acc = 0;
		for (long long e = 0; e < d; e++) {
			const long long i = r * d + e;
			const double x = (double)v[i];
			if (x < -B || x > B) {
				continue;
			}
			const float* kap = kappa + i * (3 * K + 1);
			rq_point p;
			if (inverse) {
				rq_inverse(&p, kap, K, B, x, true, false);
				acc -= p.logdydx;
			} else {
				rq_forward(&p, kap, K, B, x, true, false);
				acc += p.logdydx;
			}
		}
		out[r] = (float)acc;
	}
}

// rq_spline_logdet_grad computes the gradient of rq_spline_logdet with
// respect to v (wrt 0, out [n, d]) or kappa (wrt 1, out [n·d, 3K+1]),
// g [n]; with L = log y' and ∂/∂x at fixed κ:
//
//	forward: dv = g·∂L/∂x,        dκ = g·∂L/∂κ
//	inverse: dv = −g·(∂L/∂x)/y',  dκ = −g·∂L/∂κ + g·(∂L/∂x)/y'·∂y/∂κ
//
// at x = g⁻¹(v) for the inverse; 0 outside [−B, B]. One thread per element.
extern "C" __global__ void rq_spline_logdet_grad(const float* v, const float* kappa, const float* g, float* out,
	long long n, long long d, long long bins, long long bound_bits, long long inverse, long long wrt)
{
	const int K = (int)bins;
	const int Q = 3 * K + 1;
	const double B = __longlong_as_double(bound_bits);
	GRID_STRIDE(i, n * d)
	{
		const double x = (double)v[i], gi = (double)g[i / d];
		if (x < -B || x > B) {
			if (wrt == 0) {
				out[i] = 0.0f;
			} else {
				for (int j = 0; j < Q; j++) {
					out[i * Q + j] = 0.0f;
				}
			}
			continue;
		}
		const float* kap = kappa + i * Q;
		rq_point p;
		if (!inverse) {
			rq_forward(&p, kap, K, B, x, false, true);
			if (wrt == 0) {
				out[i] = (float)(MUL(gi, p.Lxi) / p.w);
				continue;
			}
			rq_backward(out + i * Q, &p, K, 0, gi);
			continue;
		}
		rq_inverse(&p, kap, K, B, x, false, true);
		const double lx = p.Lxi / p.w; // ∂L/∂x
		if (wrt == 0) {
			out[i] = (float)(MUL(-gi, lx) / p.dydx);
			continue;
		}
		rq_backward(out + i * Q, &p, K, MUL(gi, lx) / p.dydx, -gi);
	}
}
