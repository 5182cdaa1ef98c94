// The emulator's shared pieces: the registry of compiled kernels, the
// sticky context error, the report of entry points it lacks, and the log of
// launched kernels ($CUDAEMU_LAUNCH_LOG).
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
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
	static std::mutex mu;
	std::lock_guard<std::mutex> l(mu);
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
