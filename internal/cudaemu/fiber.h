// Fiber contexts for block.cc: start a function on a stack of its own and
// switch between contexts. On x86-64 a switch saves and restores only the
// callee-saved registers, MXCSR and the x87 control word (about 25 ns);
// elsewhere it is ucontext's swapcontext, which also saves the signal mask
// with a system call (about 0.5 µs); -DCUDAEMU_UCONTEXT forces the latter.
#ifndef CUDAEMU_FIBER_H
#define CUDAEMU_FIBER_H

#include <cstddef>
#include <cstdint>

#if defined(__x86_64__) && !defined(CUDAEMU_UCONTEXT)

extern "C" void cudaemu_switch(void** save_sp, void* sp) __attribute__((visibility("hidden")));

namespace cudaemu {

struct Context {
	void* sp = nullptr;
};

// start prepares c to run fn() on [stack, stack+size) at its first resume;
// fn must never return. The initial frame is what cudaemu_switch pops:
// MXCSR and x87 control word (the caller's), six zeroed registers, then
// fn as the return address, above it a zero slot so that fn starts with
// the stack 16-byte aligned as after a call.
inline void start(Context& c, char* stack, size_t size, void (*fn)())
{
	auto* top = reinterpret_cast<unsigned long*>(reinterpret_cast<uintptr_t>(stack + size) & ~uintptr_t(15));
	unsigned long* sp = top - 9;
	unsigned int csr = 0;
	unsigned short cw = 0;
	asm volatile("stmxcsr %0" : "=m"(csr));
	asm volatile("fnstcw %0" : "=m"(cw));
	sp[0] = csr | (unsigned long)cw << 32;
	for (int i = 1; i <= 6; i++) {
		sp[i] = 0;
	}
	sp[7] = reinterpret_cast<unsigned long>(fn);
	sp[8] = 0;
	c.sp = sp;
}

// swap saves the running context in from and resumes to.
inline void swap(Context& from, Context& to) { cudaemu_switch(&from.sp, to.sp); }

} // namespace cudaemu

#else

#include <ucontext.h>

namespace cudaemu {

struct Context {
	ucontext_t uc;
};

inline void start(Context& c, char* stack, size_t size, void (*fn)())
{
	getcontext(&c.uc);
	c.uc.uc_stack.ss_sp = stack;
	c.uc.uc_stack.ss_size = size;
	c.uc.uc_link = nullptr;
	makecontext(&c.uc, fn, 0);
}

inline void swap(Context& from, Context& to) { swapcontext(&from.uc, &to.uc); }

} // namespace cudaemu

#endif

#endif
