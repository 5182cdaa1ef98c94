// Kernel registration: the build (build.mk) appends CUDAEMU_REGISTER(name)
// for every .entry of kernels/<file>.ptx to a translation unit that includes
// shim.h and kernels/<file>.cu, so the driver can map a PTX entry name to the
// compiled C++ function and call it with cuLaunchKernel's void** arguments.
#ifndef CUDAEMU_REGISTER_H
#define CUDAEMU_REGISTER_H

#include <type_traits>
#include <utility>

namespace cudaemu {

constexpr int max_params = 32;

// KernelInfo describes one kernel: how to call it and its parameters'
// sizes (to copy a captured launch's arguments) and pointer-ness (to check
// them against the device allocations at launch).
struct KernelInfo {
	const char* name;
	void (*call)(void** args);
	int nparams;
	unsigned char size[max_params];
	bool pointer[max_params];
};

void register_kernel(const KernelInfo& k);

template <auto F>
struct Entry;

template <class... A, void (*F)(A...)>
struct Entry<F> {
	static_assert(sizeof...(A) <= max_params, "kernel with more than 32 parameters");
	template <std::size_t... I>
	static void invoke(void** a, std::index_sequence<I...>)
	{
		F(*static_cast<std::remove_cv_t<A>*>(a[I])...);
	}
	static void call(void** a) { invoke(a, std::index_sequence_for<A...>{}); }
	static KernelInfo info(const char* name)
	{
		KernelInfo k{name, &call, (int)sizeof...(A), {}, {}};
		int i = 0;
		((k.size[i] = (unsigned char)sizeof(A), k.pointer[i] = std::is_pointer_v<A>, i++), ...);
		return k;
	}
};

struct Registrar {
	explicit Registrar(const KernelInfo& k) { register_kernel(k); }
};

} // namespace cudaemu

#define CUDAEMU_REGISTER(name) static ::cudaemu::Registrar cudaemu_reg_##name(::cudaemu::Entry<&name>::info(#name));

#endif
