// CUDA device-side shim: lets an unmodified kernels/*.cu compile as C++20
// with g++ (-ffp-contract=off) into the emulated driver (README.md here).
//
// A block's threads are fibers on one OS thread (block.cc, fiber.h): threadIdx reads
// the running fiber, __syncthreads and the warp intrinsics are real
// barriers among the block's (or warp's) live fibers, __shared__ is static
// storage (thread_local, so one copy per OS thread that runs blocks),
// extern __shared__ arrays are the launch's dynamic shared memory. The
// _rn intrinsics are the plain IEEE operations they name.
#ifndef CUDAEMU_SHIM_H
#define CUDAEMU_SHIM_H

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <type_traits>
#include <utility>

// CUDAEMU is defined for kernels that need a plain C++ path here (inline
// PTX such as mma.sync cannot run on the CPU); __CUDA_ARCH__ is not.
#define CUDAEMU 1

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __noinline__
#define __restrict__ __restrict
#define __launch_bounds__(...)
#define __shared__ thread_local
#define __constant__ static
#define __align__(n) __attribute__((aligned(n)))

struct uint3 {
	unsigned int x, y, z;
};
struct dim3 {
	unsigned int x = 1, y = 1, z = 1;
};

namespace cudaemu {

// Fiber is the part of an emulated thread that device code sees.
struct Fiber {
	uint3 idx;      // threadIdx
	unsigned lin;   // x + y·bx + z·bx·by
};

extern thread_local Fiber* cur;
extern thread_local uint3 block_idx;
extern thread_local dim3 block_dim, grid_dim;

void syncthreads(const char* site);
// syncthreads_count is __syncthreads that returns how many live threads
// passed a nonzero pred.
int syncthreads_count(int pred, const char* site);
void syncwarp(unsigned mask, const char* site);
// exchange publishes v (8 bytes) for the calling lane and returns the value
// published by lane src of the same warp (its own when src is out of the
// mask), after every lane of mask has published: one warp-wide step.
uint64_t exchange(unsigned mask, uint64_t v, int src, const char* site);
// vote returns the mask of lanes in mask whose pred is true.
unsigned vote(unsigned mask, bool pred, const char* site);
// active_mask returns the calling warp's lanes that exist and have not
// exited (__activemask: lanes run in lock step only at warp operations).
unsigned active_mask();
[[noreturn]] void trap(const char* what);

// Dynamic shared memory: build.mk defines each `extern __shared__ T name[]`
// of a kernel file as thread_local storage of max_dynamic_shared bytes and
// registers it, so that every block starts with the launch's
// sharedMemBytes of it set to NaN.
constexpr unsigned max_dynamic_shared = 227 << 10;
void register_dynamic_shared(void* (*addr)());
struct DynamicSharedRegistrar {
	explicit DynamicSharedRegistrar(void* (*addr)()) { register_dynamic_shared(addr); }
};

template <class T>
inline uint64_t to_bits(T v)
{
	static_assert(sizeof(T) <= 8, "__shfl_*_sync of a type wider than 8 bytes");
	uint64_t b = 0;
	std::memcpy(&b, &v, sizeof(T));
	return b;
}
template <class T>
inline T from_bits(uint64_t b)
{
	T v;
	std::memcpy(&v, &b, sizeof(T));
	return v;
}
inline int lane() { return (int)(cur->lin % 32); }

// atomic_update applies v ← f(v) to *p atomically and returns the old v.
template <class T, class F>
inline T atomic_update(T* p, F f)
{
	T old = __atomic_load_n(p, __ATOMIC_RELAXED);
	while (!__atomic_compare_exchange_n(p, &old, f(old), false, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED)) {
	}
	return old;
}
template <class T, class F>
inline T atomic_update_fp(T* p, F f)
{
	using U = std::conditional_t<sizeof(T) == 4, uint32_t, uint64_t>;
	U* q = reinterpret_cast<U*>(p);
	U old = __atomic_load_n(q, __ATOMIC_RELAXED);
	for (;;) {
		T o, n;
		std::memcpy(&o, &old, sizeof(T));
		n = f(o);
		U nb;
		std::memcpy(&nb, &n, sizeof(T));
		if (__atomic_compare_exchange_n(q, &old, nb, false, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED)) {
			return o;
		}
	}
}

} // namespace cudaemu

#define CUDAEMU_DYNAMIC_SHARED(type, name)                                                 \
	alignas(16) thread_local type name[cudaemu::max_dynamic_shared / sizeof(type)];      \
	static void* cudaemu_dyn_##name() { return name; }                                 \
	static cudaemu::DynamicSharedRegistrar cudaemu_dyn_reg_##name(&cudaemu_dyn_##name);

#define threadIdx (cudaemu::cur->idx)
#define blockIdx (cudaemu::block_idx)
#define blockDim (cudaemu::block_dim)
#define gridDim (cudaemu::grid_dim)
#define warpSize 32

#define CUDAEMU_STR2(x) #x
#define CUDAEMU_STR(x) CUDAEMU_STR2(x)
#define CUDAEMU_SITE __FILE__ ":" CUDAEMU_STR(__LINE__)
#define __syncthreads() cudaemu::syncthreads(CUDAEMU_SITE)
#define __syncthreads_count(p) cudaemu::syncthreads_count((p), CUDAEMU_SITE)
#define __syncthreads_or(p) (cudaemu::syncthreads_count((p), CUDAEMU_SITE) != 0)
#define __syncthreads_and(p) (cudaemu::syncthreads_count(!(p), CUDAEMU_SITE) == 0)
#define __syncwarp(...) cudaemu::syncwarp(cudaemu_mask_or_full(__VA_ARGS__), CUDAEMU_SITE)
#define __threadfence() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define __threadfence_block() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define __trap() cudaemu::trap("__trap() at " CUDAEMU_SITE)
#define __shfl_sync(m, v, ...) cudaemu_shfl(m, v, CUDAEMU_SITE, __VA_ARGS__)
#define __shfl_xor_sync(m, v, ...) cudaemu_shfl_xor(m, v, CUDAEMU_SITE, __VA_ARGS__)
#define __shfl_down_sync(m, v, ...) cudaemu_shfl_down(m, v, CUDAEMU_SITE, __VA_ARGS__)
#define __shfl_up_sync(m, v, ...) cudaemu_shfl_up(m, v, CUDAEMU_SITE, __VA_ARGS__)
#define __ballot_sync(m, p) cudaemu::vote(m, (p), CUDAEMU_SITE)
#define __any_sync(m, p) (cudaemu::vote(m, (p), CUDAEMU_SITE) != 0u)
#define __activemask() cudaemu::active_mask()
#define __all_sync(m, p) (cudaemu::vote(m, (p), CUDAEMU_SITE) == cudaemu::vote(m, true, CUDAEMU_SITE))

inline unsigned cudaemu_mask_or_full() { return 0xffffffffu; }
inline unsigned cudaemu_mask_or_full(unsigned m) { return m; }

// Shuffles within segments of width lanes (a power of two ≤ 32), as the
// CUDA programming guide defines them: a source lane outside the segment
// (up/down) returns the caller's own value.
template <class T>
inline T cudaemu_shfl(unsigned m, T v, const char* site, int src, int width = 32)
{
	const int l = cudaemu::lane(), base = l & ~(width - 1);
	return cudaemu::from_bits<T>(cudaemu::exchange(m, cudaemu::to_bits(v), base + (src & (width - 1)), site));
}
template <class T>
inline T cudaemu_shfl_xor(unsigned m, T v, const char* site, int laneMask, int width = 32)
{
	const int l = cudaemu::lane(), base = l & ~(width - 1);
	int s = l ^ laneMask;
	if (s < base || s >= base + width) {
		s = l;
	}
	return cudaemu::from_bits<T>(cudaemu::exchange(m, cudaemu::to_bits(v), s, site));
}
template <class T>
inline T cudaemu_shfl_down(unsigned m, T v, const char* site, unsigned delta, int width = 32)
{
	const int l = cudaemu::lane(), base = l & ~(width - 1);
	int s = l + (int)delta;
	if (s >= base + width) {
		s = l;
	}
	return cudaemu::from_bits<T>(cudaemu::exchange(m, cudaemu::to_bits(v), s, site));
}
template <class T>
inline T cudaemu_shfl_up(unsigned m, T v, const char* site, unsigned delta, int width = 32)
{
	const int l = cudaemu::lane(), base = l & ~(width - 1);
	int s = l - (int)delta;
	if (s < base) {
		s = l;
	}
	return cudaemu::from_bits<T>(cudaemu::exchange(m, cudaemu::to_bits(v), s, site));
}

// Atomics return the old value, as CUDA's do.
template <class T>
inline T atomicAdd(T* p, T v)
{
	if constexpr (std::is_floating_point_v<T>) {
		return cudaemu::atomic_update_fp(p, [v](T o) { return o + v; });
	} else {
		return __atomic_fetch_add(p, v, __ATOMIC_SEQ_CST);
	}
}
template <class T>
inline T atomicSub(T* p, T v) { return __atomic_fetch_sub(p, v, __ATOMIC_SEQ_CST); }
template <class T>
inline T atomicExch(T* p, T v)
{
	if constexpr (std::is_floating_point_v<T>) {
		return cudaemu::atomic_update_fp(p, [v](T) { return v; });
	} else {
		return __atomic_exchange_n(p, v, __ATOMIC_SEQ_CST);
	}
}
template <class T>
inline T atomicMax(T* p, T v) { return cudaemu::atomic_update(p, [v](T o) { return o > v ? o : v; }); }
template <class T>
inline T atomicMin(T* p, T v) { return cudaemu::atomic_update(p, [v](T o) { return o < v ? o : v; }); }
template <class T>
inline T atomicCAS(T* p, T cmp, T v)
{
	__atomic_compare_exchange_n(p, &cmp, v, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
	return cmp;
}
template <class T>
inline T atomicOr(T* p, T v) { return __atomic_fetch_or(p, v, __ATOMIC_SEQ_CST); }
template <class T>
inline T atomicAnd(T* p, T v) { return __atomic_fetch_and(p, v, __ATOMIC_SEQ_CST); }

// IEEE round-to-nearest arithmetic, exactly the C++ operators with
// contraction off.
inline float __fadd_rn(float a, float b) { return a + b; }
inline float __fsub_rn(float a, float b) { return a - b; }
inline float __fmul_rn(float a, float b) { return a * b; }
inline float __fdiv_rn(float a, float b) { return a / b; }
inline float __fsqrt_rn(float a) { return std::sqrt(a); }
inline float __frcp_rn(float a) { return 1.0f / a; }
inline float __fmaf_rn(float a, float b, float c) { return std::fma(a, b, c); }
inline double __dadd_rn(double a, double b) { return a + b; }
inline double __dsub_rn(double a, double b) { return a - b; }
inline double __dmul_rn(double a, double b) { return a * b; }
inline double __ddiv_rn(double a, double b) { return a / b; }
inline double __dsqrt_rn(double a) { return std::sqrt(a); }
inline double __drcp_rn(double a) { return 1.0 / a; }
inline double __fma_rn(double a, double b, double c) { return std::fma(a, b, c); }
inline float __fdividef(float a, float b) { return a / b; }
inline float __expf(float a) { return std::exp(a); }
inline float __logf(float a) { return std::log(a); }
inline float __saturatef(float a) { return a < 0 ? 0.0f : (a > 1 ? 1.0f : a); }
inline float rsqrtf(float a) { return 1.0f / std::sqrt(a); }
inline double rsqrt(double a) { return 1.0 / std::sqrt(a); }
inline float __int_as_float(int v) { return cudaemu::from_bits<float>((uint32_t)v); }
inline int __float_as_int(float v) { return (int)(uint32_t)cudaemu::to_bits(v); }
inline unsigned __float_as_uint(float v) { return (uint32_t)cudaemu::to_bits(v); }
inline float __uint_as_float(unsigned v) { return cudaemu::from_bits<float>(v); }
inline double __longlong_as_double(long long v) { return cudaemu::from_bits<double>((uint64_t)v); }
inline long long __double_as_longlong(double v) { return (long long)cudaemu::to_bits(v); }
template <class T>
inline T __ldg(const T* p) { return *p; }
inline unsigned __umulhi(unsigned a, unsigned b) { return (unsigned)(((unsigned long long)a * b) >> 32); }
inline int __mulhi(int a, int b) { return (int)(((long long)a * b) >> 32); }
inline unsigned long long __umul64hi(unsigned long long a, unsigned long long b)
{
	return (unsigned long long)(((unsigned __int128)a * b) >> 64);
}
inline long long __mul64hi(long long a, long long b) { return (long long)(((__int128)a * b) >> 64); }
inline unsigned __brev(unsigned v)
{
	unsigned r = 0;
	for (int i = 0; i < 32; i++) {
		r |= (v >> i & 1u) << (31 - i);
	}
	return r;
}
inline int __popc(unsigned v) { return __builtin_popcount(v); }
inline int __popcll(unsigned long long v) { return __builtin_popcountll(v); }
inline int __clz(int v) { return v == 0 ? 32 : __builtin_clz((unsigned)v); }
inline int __ffs(int v) { return __builtin_ffs(v); }

// sincospi(x) = (sin πx, cos πx), reduced exactly to r ∈ [−¼, ¼] around a
// multiple of ½ so that whole and half integers give exact 0 and ±1.
inline void sincospi(double x, double* s, double* c)
{
	const double q = std::nearbyint(2 * x); // x = q/2 + r
	const double r = x - q / 2;
	const double sr = std::sin(M_PI * r), cr = std::cos(M_PI * r);
	switch (((long long)std::fmod(q, 4) + 4) % 4) {
	case 0: *s = sr, *c = cr; break;
	case 1: *s = cr, *c = -sr; break;
	case 2: *s = -sr, *c = -cr; break;
	default: *s = -cr, *c = sr; break;
	}
}
inline void sincospif(float x, float* s, float* c)
{
	double sd, cd;
	sincospi(x, &sd, &cd);
	*s = (float)sd, *c = (float)cd;
}
inline double sinpi(double x) { double s, c; sincospi(x, &s, &c); return s; }
inline double cospi(double x) { double s, c; sincospi(x, &s, &c); return c; }

// CUDA's min and max overloads for mixed integer and floating operands.
template <class A, class B>
inline std::common_type_t<A, B> min(A a, B b) { return b < a ? b : a; }
template <class A, class B>
inline std::common_type_t<A, B> max(A a, B b) { return a < b ? b : a; }

using std::isfinite;
using std::isinf;
using std::isnan;

#endif
