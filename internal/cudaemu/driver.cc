// Driver entry points: initialization, the one emulated device, contexts,
// modules (PTX text → the compiled kernels named by its .entry lines),
// functions and kernel launches. cuda.h renames the versioned entry points
// (cuCtxCreate → cuCtxCreate_v2, ...), so these definitions export the
// names that binaries built against it import.
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <regex>
#include <set>
#include <string>

#include "emu.h"

namespace cudaemu {

namespace {

std::map<std::string, KernelInfo>& registry()
{
	static std::map<std::string, KernelInfo> r;
	return r;
}

bool initialized = false;

struct Context {
	unsigned flags;
};
Context the_ctx;
thread_local CUcontext current;

struct Func {
	const KernelInfo* k;
	int max_dynamic_shared = 48 << 10;
};
struct Module {
	std::map<std::string, std::unique_ptr<Func>> fns; // every .entry of the PTX
};

constexpr int static_shared_limit = 48 << 10, optin_shared_limit = 227 << 10;

} // namespace

CUresult sticky = CUDA_SUCCESS;

void register_kernel(const KernelInfo& k) { registry()[k.name] = k; }

const KernelInfo* find_kernel(const std::string& name)
{
	auto it = registry().find(name);
	return it == registry().end() ? nullptr : &it->second;
}

void fail_sticky(const std::string& msg)
{
	fprintf(stderr, "cudaemu: %s\n", msg.c_str());
	if (sticky == CUDA_SUCCESS) {
		sticky = CUDA_ERROR_LAUNCH_FAILED;
	}
}

CUresult unimplemented(const char* name)
{
	static std::set<std::string> told;
	static std::mutex mu;
	std::lock_guard<std::mutex> l(mu);
	if (told.insert(name).second) {
		fprintf(stderr, "cudaemu: %s is not emulated (CUDA_ERROR_NOT_SUPPORTED)\n", name);
	}
	return CUDA_ERROR_NOT_SUPPORTED;
}

int unimplemented_entry(const char* name) { return unimplemented(name); }

void log_launch(const char* name)
{
	static std::set<std::string> seen;
	static int fd = -2;
	if (!seen.insert(name).second) {
		return;
	}
	if (fd == -2) {
		const char* path = getenv("CUDAEMU_LAUNCH_LOG");
		fd = path && *path ? open(path, O_WRONLY | O_CREAT | O_APPEND, 0644) : -1;
	}
	if (fd >= 0) {
		std::string line = std::string(name) + "\n";
		if (write(fd, line.data(), line.size()) < 0) {
			fd = -1;
		}
	}
}

} // namespace cudaemu

using namespace cudaemu;

#define NEED_INIT()                                  \
	do {                                             \
		if (!initialized) {                          \
			return CUDA_ERROR_NOT_INITIALIZED;       \
		}                                            \
	} while (0)

// cuInit fails with CUDA_ERROR_NO_DEVICE when CUDA_VISIBLE_DEVICES hides the
// one device ("" , "-1", or a list that does not start with index 0), as
// the real driver does.
CUresult cuInit(unsigned int flags)
{
	if (flags != 0) {
		return CUDA_ERROR_INVALID_VALUE;
	}
	if (const char* v = getenv("CUDA_VISIBLE_DEVICES")) {
		std::string first(v, strcspn(v, ","));
		if (first.empty() || first[0] == '-' || (isdigit((unsigned char)first[0]) && atoi(first.c_str()) != 0)) {
			return CUDA_ERROR_NO_DEVICE;
		}
	}
	initialized = true;
	return CUDA_SUCCESS;
}

CUresult cuDriverGetVersion(int* v)
{
	*v = CUDA_VERSION;
	return CUDA_SUCCESS;
}

CUresult cuDeviceGetCount(int* n)
{
	NEED_INIT();
	*n = 1;
	return CUDA_SUCCESS;
}

CUresult cuDeviceGet(CUdevice* d, int ordinal)
{
	NEED_INIT();
	if (ordinal != 0) {
		return CUDA_ERROR_INVALID_DEVICE;
	}
	*d = 0;
	return CUDA_SUCCESS;
}

CUresult cuDeviceGetName(char* name, int len, CUdevice d)
{
	NEED_INIT();
	if (d != 0) {
		return CUDA_ERROR_INVALID_DEVICE;
	}
	snprintf(name, len, "cudaemu (CPU emulator)");
	return CUDA_SUCCESS;
}

CUresult cuDeviceGetUuid(CUuuid* u, CUdevice d)
{
	NEED_INIT();
	memset(u->bytes, 0, sizeof u->bytes);
	memcpy(u->bytes, "cudaemu", 7);
	return d == 0 ? CUDA_SUCCESS : CUDA_ERROR_INVALID_DEVICE;
}

CUresult cuDeviceTotalMem(size_t* bytes, CUdevice d)
{
	NEED_INIT();
	*bytes = size_t(16) << 30;
	return d == 0 ? CUDA_SUCCESS : CUDA_ERROR_INVALID_DEVICE;
}

// Attributes of a compute capability 9.0 device with 132 SMs.
CUresult cuDeviceGetAttribute(int* v, CUdevice_attribute a, CUdevice d)
{
	NEED_INIT();
	if (d != 0) {
		return CUDA_ERROR_INVALID_DEVICE;
	}
	switch (a) {
	case CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK: *v = 1024; break;
	case CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_X: *v = 1024; break;
	case CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_Y: *v = 1024; break;
	case CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_Z: *v = 64; break;
	case CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_X: *v = 2147483647; break;
	case CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_Y: *v = 65535; break;
	case CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_Z: *v = 65535; break;
	case CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK: *v = static_shared_limit; break;
	case CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN: *v = optin_shared_limit; break;
	case CU_DEVICE_ATTRIBUTE_WARP_SIZE: *v = 32; break;
	case CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT: *v = 132; break;
	case CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR: *v = 9; break;
	case CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR: *v = 0; break;
	case CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_MULTIPROCESSOR: *v = 2048; break;
	case CU_DEVICE_ATTRIBUTE_UNIFIED_ADDRESSING: *v = 1; break;
	case CU_DEVICE_ATTRIBUTE_CONCURRENT_KERNELS: *v = 1; break;
	default: *v = 0; break;
	}
	return CUDA_SUCCESS;
}

CUresult cuCtxCreate(CUcontext* c, unsigned int flags, CUdevice d)
{
	NEED_INIT();
	if (d != 0) {
		return CUDA_ERROR_INVALID_DEVICE;
	}
	the_ctx.flags = flags;
	*c = current = reinterpret_cast<CUcontext>(&the_ctx);
	return CUDA_SUCCESS;
}

CUresult cuCtxDestroy(CUcontext c)
{
	if (current == c) {
		current = nullptr;
	}
	return CUDA_SUCCESS;
}

CUresult cuDevicePrimaryCtxRetain(CUcontext* c, CUdevice d)
{
	NEED_INIT();
	*c = reinterpret_cast<CUcontext>(&the_ctx);
	return d == 0 ? CUDA_SUCCESS : CUDA_ERROR_INVALID_DEVICE;
}
CUresult cuDevicePrimaryCtxRelease(CUdevice) { return CUDA_SUCCESS; }
CUresult cuDevicePrimaryCtxReset(CUdevice) { return CUDA_SUCCESS; }
CUresult cuDevicePrimaryCtxSetFlags(CUdevice, unsigned int flags)
{
	the_ctx.flags = flags;
	return CUDA_SUCCESS;
}
CUresult cuDevicePrimaryCtxGetState(CUdevice, unsigned int* flags, int* active)
{
	*flags = the_ctx.flags;
	*active = 1;
	return CUDA_SUCCESS;
}

CUresult cuCtxGetCurrent(CUcontext* c)
{
	NEED_INIT();
	*c = current;
	return CUDA_SUCCESS;
}
CUresult cuCtxSetCurrent(CUcontext c)
{
	NEED_INIT();
	current = c;
	return CUDA_SUCCESS;
}
CUresult cuCtxPushCurrent(CUcontext c) { return cuCtxSetCurrent(c); }
CUresult cuCtxPopCurrent(CUcontext* c)
{
	if (c) {
		*c = current;
	}
	current = nullptr;
	return CUDA_SUCCESS;
}
CUresult cuCtxGetDevice(CUdevice* d)
{
	*d = 0;
	return current ? CUDA_SUCCESS : CUDA_ERROR_INVALID_CONTEXT;
}
CUresult cuCtxGetFlags(unsigned int* f)
{
	*f = the_ctx.flags;
	return CUDA_SUCCESS;
}
CUresult cuCtxGetApiVersion(CUcontext, unsigned int* v)
{
	*v = 3020;
	return CUDA_SUCCESS;
}
CUresult cuCtxSynchronize()
{
	if (capture_refuses(nullptr)) {
		return CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED;
	}
	return sticky;
}
CUresult cuCtxGetStreamPriorityRange(int* least, int* greatest)
{
	*least = 0, *greatest = 0;
	return CUDA_SUCCESS;
}
CUresult cuCtxSetLimit(CUlimit, size_t) { return CUDA_SUCCESS; }
CUresult cuCtxGetLimit(size_t* v, CUlimit)
{
	*v = 0;
	return CUDA_SUCCESS;
}
CUresult cuCtxSetCacheConfig(CUfunc_cache) { return CUDA_SUCCESS; }
CUresult cuCtxGetCacheConfig(CUfunc_cache* c)
{
	*c = CU_FUNC_CACHE_PREFER_NONE;
	return CUDA_SUCCESS;
}

// cuModuleLoadData takes PTX text; each `.entry NAME(` becomes a function,
// which must be one of the compiled kernels.
CUresult cuModuleLoadData(CUmodule* m, const void* image)
{
	NEED_INIT();
	if (!current) {
		return CUDA_ERROR_INVALID_CONTEXT;
	}
	static const std::regex entry(R"(\.entry\s+([A-Za-z_][A-Za-z0-9_$]*)\s*\()");
	const char* text = static_cast<const char*>(image);
	auto mod = std::make_unique<Module>();
	for (std::cregex_iterator it(text, text + strlen(text), entry), end; it != end; ++it) {
		std::string name = (*it)[1];
		const KernelInfo* k = find_kernel(name);
		if (!k) {
			fprintf(stderr, "cudaemu: PTX entry %s has no compiled kernel (is the emulator built from these kernels/*.cu?)\n",
				name.c_str());
			return CUDA_ERROR_INVALID_PTX;
		}
		mod->fns[name] = std::make_unique<Func>(Func{k});
	}
	if (mod->fns.empty()) {
		return CUDA_ERROR_INVALID_IMAGE;
	}
	*m = reinterpret_cast<CUmodule>(mod.release());
	return CUDA_SUCCESS;
}

CUresult cuModuleLoadDataEx(CUmodule* m, const void* image, unsigned int, CUjit_option*, void**)
{
	return cuModuleLoadData(m, image);
}

CUresult cuModuleUnload(CUmodule m)
{
	delete reinterpret_cast<Module*>(m);
	return CUDA_SUCCESS;
}

CUresult cuModuleGetFunction(CUfunction* f, CUmodule m, const char* name)
{
	auto* mod = reinterpret_cast<Module*>(m);
	auto it = mod->fns.find(name);
	if (it == mod->fns.end()) {
		return CUDA_ERROR_NOT_FOUND;
	}
	*f = reinterpret_cast<CUfunction>(it->second.get());
	return CUDA_SUCCESS;
}

CUresult cuFuncGetAttribute(int* v, CUfunction_attribute a, CUfunction f)
{
	auto* fn = reinterpret_cast<Func*>(f);
	switch (a) {
	case CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK: *v = 1024; break;
	case CU_FUNC_ATTRIBUTE_NUM_REGS: *v = 32; break;
	case CU_FUNC_ATTRIBUTE_PTX_VERSION: *v = 80; break;
	case CU_FUNC_ATTRIBUTE_BINARY_VERSION: *v = 90; break;
	case CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES: *v = fn->max_dynamic_shared; break;
	default: *v = 0; break;
	}
	return CUDA_SUCCESS;
}

CUresult cuFuncSetAttribute(CUfunction f, CUfunction_attribute a, int v)
{
	auto* fn = reinterpret_cast<Func*>(f);
	if (a == CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES) {
		if (v < 0 || v > optin_shared_limit) {
			return CUDA_ERROR_INVALID_VALUE;
		}
		fn->max_dynamic_shared = v;
	}
	return CUDA_SUCCESS;
}

CUresult cuFuncSetCacheConfig(CUfunction, CUfunc_cache) { return CUDA_SUCCESS; }

// cuLaunchKernel checks the configuration as the device would, copies the
// arguments (by the kernel's parameter sizes), and runs the grid on the
// stream (or records it while the stream captures). Pointer arguments must
// be null or inside a live allocation when the grid runs.
CUresult cuLaunchKernel(CUfunction f, unsigned int gx, unsigned int gy, unsigned int gz, unsigned int bx, unsigned int by,
	unsigned int bz, unsigned int shared, CUstream s, void** params, void** extra)
{
	if (sticky) {
		return sticky;
	}
	auto* fn = reinterpret_cast<Func*>(f);
	if (!fn) {
		return CUDA_ERROR_INVALID_HANDLE;
	}
	const KernelInfo* k = fn->k;
	if (extra) {
		return unimplemented("cuLaunchKernel with extra");
	}
	if (gx == 0 || gy == 0 || gz == 0 || bx == 0 || by == 0 || bz == 0 || bx > 1024 || by > 1024 || bz > 64 ||
		(unsigned long long)bx * by * bz > 1024 || gy > 65535 || gz > 65535 || gx > 2147483647u) {
		fprintf(stderr, "cudaemu: %s: invalid launch grid (%u,%u,%u) block (%u,%u,%u)\n", k->name, gx, gy, gz, bx, by, bz);
		return CUDA_ERROR_INVALID_VALUE;
	}
	if ((int)shared > fn->max_dynamic_shared) {
		fprintf(stderr, "cudaemu: %s: %u bytes of dynamic shared memory, the limit is %d\n", k->name, shared,
			fn->max_dynamic_shared);
		return CUDA_ERROR_INVALID_VALUE;
	}
	if (k->nparams > 0 && !params) {
		return CUDA_ERROR_INVALID_VALUE;
	}
	auto buf = std::make_shared<std::vector<uint64_t>>(k->nparams);
	for (int i = 0; i < k->nparams; i++) {
		memcpy(&(*buf)[i], params[i], k->size[i]);
	}
	dim3 grid{gx, gy, gz}, block{bx, by, bz};
	return enqueue(s, [k, buf, grid, block]() -> CUresult {
		std::vector<void*> args(k->nparams);
		for (int i = 0; i < k->nparams; i++) {
			args[i] = &(*buf)[i];
			uintptr_t p = (*buf)[i];
			if (k->pointer[i] && p != 0 && !mem_check(p, 0)) {
				fail_sticky(std::string(k->name) + ": argument " + std::to_string(i) + " is " + std::to_string(p) +
					", which is not device memory (CUDA_ERROR_ILLEGAL_ADDRESS)");
				sticky = CUDA_ERROR_ILLEGAL_ADDRESS;
				return sticky;
			}
		}
		log_launch(k->name);
		std::string err = run_grid(*k, grid, block, args.data());
		if (!err.empty()) {
			fail_sticky(err);
			return sticky;
		}
		return CUDA_SUCCESS;
	});
}
