// Driver entry points for modules (PTX text → the compiled kernels named by
// its .entry lines), functions and kernel launches.
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <regex>
#include <string>
#include <vector>

#include "emu.h"

namespace cudaemu {

namespace {

struct Func {
	const KernelInfo* k;
	int max_dynamic_shared = static_shared_limit;
};
struct Module {
	std::map<std::string, std::unique_ptr<Func>> fns; // every .entry of the PTX
};

} // namespace

} // namespace cudaemu

using namespace cudaemu;

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
	return enqueue(s, [k, buf, grid, block, shared]() -> CUresult {
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
		std::string err = run_grid(*k, grid, block, shared, args.data());
		if (!err.empty()) {
			fail_sticky(err);
			return sticky;
		}
		return CUDA_SUCCESS;
	});
}
