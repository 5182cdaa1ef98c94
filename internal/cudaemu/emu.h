// Internal interfaces of the emulated driver (libcuda.so.1): the kernel
// registry, block execution, device memory, and the stream work queue that
// stream capture records into graphs.
#ifndef CUDAEMU_EMU_H
#define CUDAEMU_EMU_H

#include <cuda.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "register.h"
#include "shim.h"

namespace cudaemu {

// find_kernel returns the compiled kernel of a PTX entry, or null.
const KernelInfo* find_kernel(const std::string& name);

// run_grid executes every block of a launch now, each with shared bytes of
// NaN dynamic shared memory; it returns "" or what went wrong (a barrier
// misuse, a deadlock, __trap).
std::string run_grid(const KernelInfo& k, dim3 grid, dim3 block, unsigned shared, void** args);

// log_launch appends a kernel's name to $CUDAEMU_LAUNCH_LOG the first time
// the process launches it.
void log_launch(const char* name);

// Device memory: host memory between guard pages, filled with NaN
// (0x7fc00000 words) when allocated.
CUresult mem_alloc(CUdeviceptr* p, size_t bytes);
CUresult mem_free(CUdeviceptr p);
// mem_check reports whether [p, p+bytes) lies inside one live allocation.
bool mem_check(uintptr_t p, size_t bytes);

// A Work is one enqueued operation: run now on an idle stream, recorded as
// a graph node on a capturing one. It returns CUDA_SUCCESS or an error.
using Work = std::function<CUresult()>;

// enqueue runs w on stream s, or records it while s is capturing.
CUresult enqueue(CUstream s, Work w);

// capture_refuses reports whether a call that the driver forbids during
// capture (synchronous copies, allocation, synchronization) must fail now;
// it invalidates the capture in progress, as the real driver does.
bool capture_refuses(CUstream s);

// Sticky error: after a failed kernel every later call reports it, as a
// real context does after an illegal address or a trap.
extern CUresult sticky;
void fail_sticky(const std::string& msg);

// unimplemented reports a driver entry point the emulator lacks, once.
CUresult unimplemented(const char* name);

// cuInit has succeeded; the calling thread's current context.
extern bool initialized;
extern thread_local CUcontext current;

// Shared memory per block: the static limit, and what
// cuFuncSetAttribute may raise the dynamic part to.
constexpr int static_shared_limit = 48 << 10, optin_shared_limit = 227 << 10;

} // namespace cudaemu

#define NEED_INIT()                                  \
	do {                                             \
		if (!cudaemu::initialized) {                 \
			return CUDA_ERROR_NOT_INITIALIZED;       \
		}                                            \
	} while (0)

#endif
