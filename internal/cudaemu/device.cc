// Driver entry points for initialization, the one emulated device
// (compute capability 9.0) and its context. cuda.h renames the versioned
// entry points (cuCtxCreate → cuCtxCreate_v2, ...), so these definitions
// export the names that binaries built against it import.
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "emu.h"

namespace cudaemu {

bool initialized = false;
thread_local CUcontext current;

namespace {

struct Context {
	unsigned flags;
};
Context the_ctx;

} // namespace

} // namespace cudaemu

using namespace cudaemu;


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

