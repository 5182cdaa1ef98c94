// Device memory: each allocation is its own mapping, [guard page | padding |
// data rounded up to 256 bytes | guard page], the data ending at the upper
// guard so that a kernel running more than 255 bytes past an allocation
// faults. New memory holds NaN (0x7fc00000 in every 4-byte word), so a read
// of memory nothing wrote shows up as NaN in results. Copies check that
// both ends lie inside one allocation.
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <map>
#include <mutex>

#include "emu.h"

namespace cudaemu {

namespace {

struct Alloc {
	size_t bytes;   // as requested
	char* map;      // the mapping, guards included
	size_t mapped;  // its length
};

std::mutex mu;
std::map<uintptr_t, Alloc> allocs; // by device address
size_t in_use;

constexpr size_t total_bytes = size_t(16) << 30;

} // namespace

bool mem_check(uintptr_t p, size_t bytes)
{
	std::lock_guard<std::mutex> l(mu);
	auto it = allocs.upper_bound(p);
	if (it == allocs.begin()) {
		return false;
	}
	--it;
	return p + bytes <= it->first + it->second.bytes;
}

CUresult mem_alloc(CUdeviceptr* dp, size_t bytes)
{
	if (bytes == 0) {
		return CUDA_ERROR_INVALID_VALUE;
	}
	const size_t page = (size_t)sysconf(_SC_PAGESIZE);
	const size_t data = (bytes + 255) / 256 * 256;
	const size_t mapped = (data + page - 1) / page * page + 2 * page;
	char* m = (char*)mmap(nullptr, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED) {
		return CUDA_ERROR_OUT_OF_MEMORY;
	}
	mprotect(m, page, PROT_NONE);
	mprotect(m + mapped - page, page, PROT_NONE);
	char* p = m + mapped - page - data;
	const uint32_t nan = 0x7fc00000u;
	for (size_t i = 0; i < data; i += 4) {
		memcpy(p + i, &nan, 4);
	}
	std::lock_guard<std::mutex> l(mu);
	allocs[(uintptr_t)p] = Alloc{bytes, m, mapped};
	in_use += bytes;
	*dp = (CUdeviceptr)(uintptr_t)p;
	return CUDA_SUCCESS;
}

CUresult mem_free(CUdeviceptr dp)
{
	std::lock_guard<std::mutex> l(mu);
	auto it = allocs.find((uintptr_t)dp);
	if (it == allocs.end()) {
		return CUDA_ERROR_INVALID_VALUE;
	}
	munmap(it->second.map, it->second.mapped);
	in_use -= it->second.bytes;
	allocs.erase(it);
	return CUDA_SUCCESS;
}

namespace {

void* host(CUdeviceptr p) { return reinterpret_cast<void*>((uintptr_t)p); }

// copy enqueues a copy of n bytes; from_dev/to_dev say which ends are
// device memory. A copy that touches host memory is synchronous here (the
// host buffers are pageable), so the driver refuses it during capture.
CUresult copy(void* dst, const void* src, size_t n, bool to_dev, bool from_dev, CUstream s, bool async)
{
	if (sticky) {
		return sticky;
	}
	if (n == 0) {
		return CUDA_SUCCESS;
	}
	if ((to_dev && !mem_check((uintptr_t)dst, n)) || (from_dev && !mem_check((uintptr_t)src, n))) {
		return CUDA_ERROR_INVALID_VALUE;
	}
	if (!(to_dev && from_dev) || !async) {
		if (capture_refuses(s)) {
			return CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED;
		}
		memcpy(dst, src, n);
		return CUDA_SUCCESS;
	}
	return enqueue(s, [dst, src, n]() {
		memcpy(dst, src, n);
		return CUDA_SUCCESS;
	});
}

// set enqueues n stores of the w-byte value v from dst.
CUresult set(CUdeviceptr dst, uint32_t v, size_t w, size_t n, CUstream s, bool async)
{
	if (sticky) {
		return sticky;
	}
	if (!mem_check((uintptr_t)dst, n * w)) {
		return CUDA_ERROR_INVALID_VALUE;
	}
	if (!async && capture_refuses(s)) {
		return CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED;
	}
	Work work = [dst, v, w, n]() {
		char* p = (char*)host(dst);
		for (size_t i = 0; i < n; i++) {
			memcpy(p + i * w, &v, w);
		}
		return CUDA_SUCCESS;
	};
	return async ? enqueue(s, work) : work();
}

} // namespace

} // namespace cudaemu

using namespace cudaemu;

CUresult cuMemAlloc(CUdeviceptr* p, size_t bytes)
{
	if (capture_refuses(nullptr)) {
		return CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED;
	}
	return sticky ? sticky : mem_alloc(p, bytes);
}

CUresult cuMemFree(CUdeviceptr p)
{
	if (capture_refuses(nullptr)) {
		return CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED;
	}
	return mem_free(p);
}

CUresult cuMemGetInfo(size_t* free, size_t* total)
{
	std::lock_guard<std::mutex> l(mu);
	*total = total_bytes;
	*free = total_bytes > in_use ? total_bytes - in_use : 0;
	return CUDA_SUCCESS;
}

CUresult cuMemGetAddressRange(CUdeviceptr* base, size_t* size, CUdeviceptr p)
{
	std::lock_guard<std::mutex> l(mu);
	auto it = allocs.upper_bound((uintptr_t)p);
	if (it == allocs.begin() || (uintptr_t)p >= std::prev(it)->first + std::prev(it)->second.bytes) {
		return CUDA_ERROR_NOT_FOUND;
	}
	--it;
	if (base) {
		*base = it->first;
	}
	if (size) {
		*size = it->second.bytes;
	}
	return CUDA_SUCCESS;
}

CUresult cuMemAllocHost(void** p, size_t bytes)
{
	*p = malloc(bytes);
	return *p ? CUDA_SUCCESS : CUDA_ERROR_OUT_OF_MEMORY;
}
CUresult cuMemFreeHost(void* p)
{
	free(p);
	return CUDA_SUCCESS;
}

CUresult cuMemcpyHtoD(CUdeviceptr d, const void* h, size_t n) { return copy(host(d), h, n, true, false, nullptr, false); }
CUresult cuMemcpyDtoH(void* h, CUdeviceptr d, size_t n) { return copy(h, host(d), n, false, true, nullptr, false); }
CUresult cuMemcpyDtoD(CUdeviceptr a, CUdeviceptr b, size_t n) { return copy(host(a), host(b), n, true, true, nullptr, false); }
CUresult cuMemcpyHtoDAsync(CUdeviceptr d, const void* h, size_t n, CUstream s) { return copy(host(d), h, n, true, false, s, true); }
CUresult cuMemcpyDtoHAsync(void* h, CUdeviceptr d, size_t n, CUstream s) { return copy(h, host(d), n, false, true, s, true); }
CUresult cuMemcpyDtoDAsync(CUdeviceptr a, CUdeviceptr b, size_t n, CUstream s)
{
	return copy(host(a), host(b), n, true, true, s, true);
}
// Unified addressing: an address is device memory when an allocation holds it.
CUresult cuMemcpy(CUdeviceptr a, CUdeviceptr b, size_t n)
{
	return copy(host(a), host(b), n, mem_check(a, n), mem_check(b, n), nullptr, false);
}
CUresult cuMemcpyAsync(CUdeviceptr a, CUdeviceptr b, size_t n, CUstream s)
{
	return copy(host(a), host(b), n, mem_check(a, n), mem_check(b, n), s, true);
}

CUresult cuMemsetD8(CUdeviceptr d, unsigned char v, size_t n) { return set(d, v, 1, n, nullptr, false); }
CUresult cuMemsetD16(CUdeviceptr d, unsigned short v, size_t n) { return set(d, v, 2, n, nullptr, false); }
CUresult cuMemsetD32(CUdeviceptr d, unsigned int v, size_t n) { return set(d, v, 4, n, nullptr, false); }
CUresult cuMemsetD8Async(CUdeviceptr d, unsigned char v, size_t n, CUstream s) { return set(d, v, 1, n, s, true); }
CUresult cuMemsetD16Async(CUdeviceptr d, unsigned short v, size_t n, CUstream s) { return set(d, v, 2, n, s, true); }
CUresult cuMemsetD32Async(CUdeviceptr d, unsigned int v, size_t n, CUstream s) { return set(d, v, 4, n, s, true); }
