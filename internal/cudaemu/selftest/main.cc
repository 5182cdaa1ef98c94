// Self-test of the emulated driver (make gpu-emu runs it): launches the
// kernels of selftest.cu through the driver API and checks warp shuffles,
// votes, the counting barriers, atomics, dynamic shared memory and its NaN fill, NaN-filled
// allocations, graph capture and replay, the calls refused during capture,
// the report of a divergent barrier and the sticky error after it.
//
//   selftest           # everything above; exits 1 on the first failure
//   selftest hidden    # cuInit must fail with CUDA_ERROR_NO_DEVICE (run
//                      # with CUDA_VISIBLE_DEVICES set to "" or "-1")
#include <cuda.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace {

int failures = 0;

void expect(bool ok, const char* what)
{
	printf("%s %s\n", ok ? "ok  " : "FAIL", what);
	failures += !ok;
}

void check(CUresult r, CUresult want, const char* call)
{
	if (r != want) {
		printf("FAIL %s: CUresult %d, want %d\n", call, (int)r, (int)want);
		exit(1);
	}
}
#define CHECK(call) check((call), CUDA_SUCCESS, #call)

const char* ptx = ".entry warp_sums(\n.entry ballots(\n.entry atomic_sums(\n.entry reverse_shared(\n.entry divergent_barrier(\n.entry barrier_votes(\n";

CUfunction fn(CUmodule m, const char* name)
{
	CUfunction f;
	CHECK(cuModuleGetFunction(&f, m, name));
	return f;
}

template <class T>
std::vector<T> download(CUdeviceptr p, size_t n)
{
	std::vector<T> v(n);
	CHECK(cuMemcpyDtoH(v.data(), p, n * sizeof(T)));
	return v;
}

void warps(CUmodule m)
{
	for (unsigned block : {64u, 48u, 7u}) {
		CUdeviceptr out;
		CHECK(cuMemAlloc(&out, 2 * 2 * block * sizeof(float)));
		void* args[] = {&out};
		CHECK(cuLaunchKernel(fn(m, "warp_sums"), 2, 1, 1, block, 1, 1, 0, nullptr, args, nullptr));
		auto v = download<float>(out, 2 * 2 * block);
		bool ok = true;
		for (unsigned b = 0; b < 2; b++) {
			for (unsigned t = 0; t < block; t++) {
				const unsigned w0 = t / 32 * 32, w1 = std::min(w0 + 32, block);
				const float want = (float)((w1 * (w1 + 1) - w0 * (w0 + 1)) / 2); // Σ 1+i over the warp
				ok = ok && v[2 * b * block + t] == want && v[2 * b * block + block + t] == want;
			}
		}
		char what[96];
		snprintf(what, sizeof what, "__shfl_xor_sync / __shfl_down_sync / __shfl_sync warp sums, block %u", block);
		expect(ok, what);
		CHECK(cuMemFree(out));
	}
	CUdeviceptr out;
	CHECK(cuMemAlloc(&out, 7 * sizeof(unsigned)));
	void* args[] = {&out};
	CHECK(cuLaunchKernel(fn(m, "ballots"), 1, 1, 1, 96, 1, 1, 0, nullptr, args, nullptr));
	auto v = download<unsigned>(out, 7);
	unsigned b0 = 0, b1 = 0;
	for (int l = 0; l < 32; l++) {
		b0 |= (l % 3 == 0) << l;
		b1 |= ((32 + l) % 3 == 0) << l;
	}
	expect(v[0] == b0 && v[3] == b1, "__ballot_sync");
	expect(v[1] == 1 && v[2] == 1 && v[4] == 1 && v[5] == 0, "__any_sync / __all_sync");
	expect(v[6] == 0xfffffc00u, "__activemask after lanes 0..9 exited");
	CHECK(cuMemFree(out));
}

void barrier_votes(CUmodule m)
{
	CUdeviceptr out;
	CHECK(cuMemAlloc(&out, 2 * 5 * sizeof(int)));
	void* args[] = {&out};
	CHECK(cuLaunchKernel(fn(m, "barrier_votes"), 2, 1, 1, 75, 1, 1, 0, nullptr, args, nullptr));
	auto v = download<int>(out, 10);
	expect(v[0] == 37 && v[3] == 37 && v[5] == 37 && v[8] == 37, "__syncthreads_count");
	expect(v[1] == 1 && v[2] == 0 && v[6] == 1 && v[7] == 0, "__syncthreads_or / __syncthreads_and");
	expect(v[4] == 4 && v[9] == 4, "__umulhi");
	CHECK(cuMemFree(out));
}

void atomics(CUmodule m)
{
	CUdeviceptr f, d, n, mx;
	CHECK(cuMemAlloc(&f, 4));
	CHECK(cuMemAlloc(&d, 8));
	CHECK(cuMemAlloc(&n, 8));
	CHECK(cuMemAlloc(&mx, 4));
	CHECK(cuMemsetD32(f, 0, 1));
	CHECK(cuMemsetD32(d, 0, 2));
	CHECK(cuMemsetD32(n, 0, 2));
	CHECK(cuMemsetD32(mx, 0, 1));
	void* args[] = {&f, &d, &n, &mx};
	const int threads = 3 * 100; // Σ 1+i = 45150, exact in float32
	CHECK(cuLaunchKernel(fn(m, "atomic_sums"), 3, 1, 1, 100, 1, 1, 0, nullptr, args, nullptr));
	expect(download<float>(f, 1)[0] == 45150.0f, "atomicAdd(float*)");
	expect(download<double>(d, 1)[0] == 45150.0, "atomicAdd(double*)");
	expect(download<unsigned long long>(n, 1)[0] == 45150ULL, "atomicAdd(unsigned long long*)");
	expect(download<int>(mx, 1)[0] == threads - 1, "atomicMax(int*)");
	for (CUdeviceptr p : {f, d, n, mx}) {
		CHECK(cuMemFree(p));
	}
}

void shared(CUmodule m)
{
	const int block = 40, blocks = 3;
	std::vector<float> x(block * blocks);
	for (size_t i = 0; i < x.size(); i++) {
		x[i] = (float)i;
	}
	CUdeviceptr dx, dy, dn;
	CHECK(cuMemAlloc(&dx, x.size() * 4));
	CHECK(cuMemAlloc(&dy, x.size() * 4));
	CHECK(cuMemAlloc(&dn, blocks * 4));
	expect(std::isnan(download<float>(dy, 1)[0]), "new allocations read as NaN");
	CHECK(cuMemcpyHtoD(dx, x.data(), x.size() * 4));
	void* args[] = {&dx, &dy, &dn};
	check(cuLaunchKernel(fn(m, "reverse_shared"), blocks, 1, 1, block, 1, 1, 300 << 10, nullptr, args, nullptr),
		CUDA_ERROR_INVALID_VALUE, "launch with more dynamic shared memory than the limit");
	CHECK(cuLaunchKernel(fn(m, "reverse_shared"), blocks, 1, 1, block, 1, 1, (block + 1) * 4, nullptr, args, nullptr));
	auto y = download<float>(dy, x.size());
	auto nan = download<float>(dn, blocks);
	bool ok = true;
	for (int b = 0; b < blocks; b++) {
		for (int t = 0; t < block; t++) {
			ok = ok && y[b * block + t] == x[b * block + block - 1 - t];
		}
	}
	expect(ok, "extern __shared__ with the launch's sharedMemBytes");
	expect(nan[0] == 1 && nan[1] == 1 && nan[2] == 1, "dynamic shared memory starts as NaN in every block");
	for (CUdeviceptr p : {dx, dy, dn}) {
		CHECK(cuMemFree(p));
	}
}

void graphs(CUmodule m)
{
	CUstream s;
	CHECK(cuStreamCreate(&s, CU_STREAM_NON_BLOCKING));
	CUdeviceptr f, d, n, mx;
	for (CUdeviceptr* p : {&f, &d, &n, &mx}) {
		CHECK(cuMemAlloc(p, 8));
		CHECK(cuMemsetD32(*p, 0, 2));
	}
	CHECK(cuStreamBeginCapture(s, CU_STREAM_CAPTURE_MODE_THREAD_LOCAL));
	CHECK(cuMemsetD32Async(f, 0, 1, s));
	void* args[] = {&f, &d, &n, &mx};
	CHECK(cuLaunchKernel(fn(m, "atomic_sums"), 1, 1, 1, 10, 1, 1, 0, s, args, nullptr));
	CUgraph g;
	CHECK(cuStreamEndCapture(s, &g));
	expect(download<double>(d, 1)[0] == 0, "captured work does not run during capture");
	CUgraphExec e;
	CHECK(cuGraphInstantiateWithFlags(&e, g, 0));
	CHECK(cuGraphLaunch(e, s));
	CHECK(cuGraphLaunch(e, s));
	CHECK(cuStreamSynchronize(s));
	expect(download<float>(f, 1)[0] == 55 && download<double>(d, 1)[0] == 110,
		"graph replay reruns the captured memset and launch");
	CHECK(cuGraphExecDestroy(e));
	CHECK(cuGraphDestroy(g));

	struct {
		const char* what;
		CUresult (*call)(CUstream, CUdeviceptr);
	} refused[] = {
		{"cuMemAlloc during capture", [](CUstream, CUdeviceptr) { CUdeviceptr p; return cuMemAlloc(&p, 4); }},
		{"cuMemcpyHtoDAsync during capture",
			[](CUstream s, CUdeviceptr p) { float v = 0; return cuMemcpyHtoDAsync(p, &v, 4, s); }},
		{"cuStreamSynchronize during capture", [](CUstream s, CUdeviceptr) { return cuStreamSynchronize(s); }},
		{"cuMemcpyDtoH during capture", [](CUstream, CUdeviceptr p) { float v; return cuMemcpyDtoH(&v, p, 4); }},
	};
	for (auto& r : refused) {
		CHECK(cuStreamBeginCapture(s, CU_STREAM_CAPTURE_MODE_GLOBAL));
		const CUresult got = r.call(s, f);
		const CUresult end = cuStreamEndCapture(s, &g);
		char what[128];
		snprintf(what, sizeof what, "%s is refused and invalidates the capture (%d, %d)", r.what, (int)got, (int)end);
		expect(got == CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED && end == CUDA_ERROR_STREAM_CAPTURE_INVALIDATED, what);
	}
	for (CUdeviceptr p : {f, d, n, mx}) {
		CHECK(cuMemFree(p));
	}
	CHECK(cuStreamDestroy(s));
}

void divergence(CUmodule m)
{
	CUdeviceptr out;
	CHECK(cuMemAlloc(&out, 64 * 4));
	void* args[] = {&out};
	const CUresult r = cuLaunchKernel(fn(m, "divergent_barrier"), 1, 1, 1, 64, 1, 1, 0, nullptr, args, nullptr);
	expect(r == CUDA_ERROR_LAUNCH_FAILED, "a barrier reached by half the block fails the launch");
	expect(cuCtxSynchronize() == CUDA_ERROR_LAUNCH_FAILED, "the failure is sticky");
}

} // namespace

int main(int argc, char** argv)
{
	if (argc > 1 && strcmp(argv[1], "hidden") == 0) {
		const CUresult r = cuInit(0);
		expect(r == CUDA_ERROR_NO_DEVICE, "cuInit with the device hidden by CUDA_VISIBLE_DEVICES: CUDA_ERROR_NO_DEVICE");
		return failures ? 1 : 0;
	}
	CHECK(cuInit(0));
	CUdevice dev;
	CHECK(cuDeviceGet(&dev, 0));
	CUcontext ctx;
	CHECK(cuCtxCreate(&ctx, 0, dev));
	CUmodule m;
	CHECK(cuModuleLoadData(&m, ptx));
	warps(m);
	barrier_votes(m);
	atomics(m);
	shared(m);
	graphs(m);
	divergence(m);
	printf("cudaemu selftest: %s\n", failures ? "FAILED" : "passed");
	return failures ? 1 : 0;
}
