// Block execution: a grid runs block after block on the calling OS thread;
// a block's threads are fibers (fiber.h) that a round-robin scheduler
// resumes in linear thread order. A fiber runs until it finishes or waits
// at a barrier (__syncthreads: the block's live threads; a warp operation:
// the lanes of its mask), so a kernel without barriers costs one context
// switch pair per thread. Any barrier misuse (threads at different
// barriers, a barrier completed after some thread exited, a lane leaving a
// pending warp operation, a deadlock) fails the launch with a message that
// names the kernel, the block and the source line.
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <vector>

#include "emu.h"
#include "fiber.h"

namespace cudaemu {

thread_local Fiber* cur;
thread_local uint3 block_idx;
thread_local dim3 block_dim, grid_dim;

namespace {

constexpr size_t stack_bytes = 256 << 10; // per fiber, committed lazily by the kernel

enum State { Ready, WaitBlock, WaitWarp, Done };

struct Thread : Fiber {
	Context ctx;
	State st;
	unsigned long wait_gen;
};

struct Warp {
	unsigned exists = 0, exited = 0, arrived = 0, mask = 0;
	unsigned long gen = 0;
	const char* site = nullptr;
	uint64_t slot[32];
};

struct Block {
	const KernelInfo* k;
	void** args;
	std::vector<Thread> t;
	std::vector<Warp> w;
	int n = 0, live = 0, arrived = 0;
	unsigned long gen = 0;
	// __syncthreads_count's sum for barrier generation g is count[g % 2]:
	// zeroed when generation g − 1 completes, read before g + 1 can start.
	int count[2] = {0, 0};
	const char* site = nullptr;
	Context sched;
	std::string err;
};

thread_local Block* blk;

std::vector<void* (*)()>& dynamic_shared()
{
	static std::vector<void* (*)()> v;
	return v;
}
thread_local std::vector<char*> stacks; // one per fiber slot, reused by every launch

char* stack(int i)
{
	const size_t page = (size_t)sysconf(_SC_PAGESIZE);
	while ((int)stacks.size() <= i) {
		void* p = mmap(nullptr, stack_bytes + page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (p == MAP_FAILED) {
			return nullptr;
		}
		mprotect(p, page, PROT_NONE); // overflow faults instead of corrupting the next stack
		stacks.push_back((char*)p + page);
	}
	return stacks[i];
}

Thread* me() { return static_cast<Thread*>(cur); }

std::string where(const Thread* t)
{
	char b[160];
	snprintf(b, sizeof b, "block (%u,%u,%u) thread (%u,%u,%u)", block_idx.x, block_idx.y, block_idx.z, t->idx.x, t->idx.y,
		t->idx.z);
	return b;
}

// fail records the launch's error and returns to the scheduler for good.
[[noreturn]] void fail(const std::string& msg)
{
	Block& b = *blk;
	if (b.err.empty()) {
		b.err = std::string(b.k->name) + ": " + where(me()) + ": " + msg;
	}
	swap(me()->ctx, b.sched);
	__builtin_unreachable();
}

bool same(const char* a, const char* b) { return a == b || std::strcmp(a, b) == 0; }

void entry()
{
	Block& b = *blk;
	b.k->call(b.args);
	Thread* t = me();
	Warp& w = b.w[t->lin / 32];
	t->st = Done;
	b.live--;
	w.exited |= 1u << (t->lin % 32);
	if (b.arrived > 0) {
		fail("exited while " + std::to_string(b.arrived) + " threads wait at __syncthreads() at " + b.site);
	}
	if (w.arrived != 0 && (w.mask >> (t->lin % 32) & 1)) {
		fail(std::string("exited while its warp waits for it at ") + w.site);
	}
	swap(t->ctx, b.sched); // for good: the scheduler never resumes a finished thread
	__builtin_unreachable();
}

// warp_barrier waits until every existing lane of mask has arrived.
void warp_barrier(unsigned mask, const char* site)
{
	Block& b = *blk;
	Thread* t = me();
	Warp& w = b.w[t->lin / 32];
	const unsigned bit = 1u << (t->lin % 32), expect = mask & w.exists;
	if (!(mask & bit)) {
		fail("warp operation at " + std::string(site) + " with a mask that excludes the calling lane");
	}
	if (w.exited & expect) {
		fail("warp operation at " + std::string(site) + " names lanes that have exited");
	}
	if (w.arrived == 0) {
		w.site = site, w.mask = mask;
	} else if (!same(w.site, site) || w.mask != mask) {
		fail("divergent warp operations: " + std::string(w.site) + " and " + site);
	}
	w.arrived |= bit;
	if ((w.arrived & expect) == expect) {
		w.arrived = 0;
		w.gen++;
		return;
	}
	t->st = WaitWarp;
	t->wait_gen = w.gen;
	swap(t->ctx, b.sched);
}

} // namespace

int syncthreads_count(int pred, const char* site)
{
	Block& b = *blk;
	const unsigned long g = b.gen;
	b.count[g % 2] += pred != 0;
	syncthreads(site);
	return b.count[g % 2];
}

void syncthreads(const char* site)
{
	Block& b = *blk;
	Thread* t = me();
	if (b.arrived == 0) {
		b.site = site;
	} else if (!same(b.site, site)) {
		fail("divergent __syncthreads(): threads wait at " + std::string(b.site) + " and at " + site);
	}
	b.arrived++;
	if (b.arrived == b.live) {
		if (b.live < b.n) {
			fail("__syncthreads() at " + std::string(site) + " reached by " + std::to_string(b.live) + " of " +
				std::to_string(b.n) + " threads (the others exited)");
		}
		b.arrived = 0;
		b.count[(b.gen + 1) % 2] = 0;
		b.gen++;
		return;
	}
	t->st = WaitBlock;
	t->wait_gen = b.gen;
	swap(t->ctx, b.sched);
}

void syncwarp(unsigned mask, const char* site) { warp_barrier(mask, site); }

uint64_t exchange(unsigned mask, uint64_t v, int src, const char* site)
{
	Warp& w = blk->w[me()->lin / 32];
	const int l = (int)(me()->lin % 32);
	w.slot[l] = v;
	warp_barrier(mask, site);
	const uint64_t r = (src >= 0 && src < 32 && (mask & w.exists) >> src & 1) ? w.slot[src] : v;
	warp_barrier(mask, site); // nobody overwrites a slot before every lane has read
	return r;
}

unsigned vote(unsigned mask, bool pred, const char* site)
{
	Warp& w = blk->w[me()->lin / 32];
	w.slot[me()->lin % 32] = pred;
	warp_barrier(mask, site);
	unsigned r = 0;
	for (int l = 0; l < 32; l++) {
		if ((mask & w.exists) >> l & 1 && w.slot[l]) {
			r |= 1u << l;
		}
	}
	warp_barrier(mask, site);
	return r;
}

unsigned active_mask()
{
	const Warp& w = blk->w[me()->lin / 32];
	return w.exists & ~w.exited;
}

void trap(const char* what) { fail(what); }

void register_dynamic_shared(void* (*addr)()) { dynamic_shared().push_back(addr); }

std::string run_grid(const KernelInfo& k, dim3 grid, dim3 block, unsigned shared, void** args)
{
	Block b;
	b.k = &k;
	b.args = args;
	b.n = (int)(block.x * block.y * block.z);
	b.t.resize(b.n);
	b.w.resize((b.n + 31) / 32);
	for (int i = 0; i < b.n; i++) {
		if (!stack(i)) {
			return std::string(k.name) + ": cannot map fiber stacks for " + std::to_string(b.n) + " threads";
		}
		b.w[i / 32].exists |= 1u << (i % 32);
	}
	Block* saved = blk;
	Fiber* saved_cur = cur;
	blk = &b;
	grid_dim = grid;
	block_dim = block;
	for (unsigned bz = 0; bz < grid.z && b.err.empty(); bz++) {
		for (unsigned by = 0; by < grid.y && b.err.empty(); by++) {
			for (unsigned bx = 0; bx < grid.x && b.err.empty(); bx++) {
				block_idx = uint3{bx, by, bz};
				for (auto addr : dynamic_shared()) {
					const uint32_t nan = 0x7fc00000u;
					char* p = (char*)addr();
					for (unsigned i = 0; i + 4 <= shared; i += 4) {
						memcpy(p + i, &nan, 4);
					}
				}
				b.live = b.n, b.arrived = 0, b.gen = 0;
				b.count[0] = b.count[1] = 0;
				for (Warp& w : b.w) {
					w.exited = w.arrived = 0;
				}
				for (int i = 0; i < b.n; i++) {
					Thread& t = b.t[i];
					t.lin = (unsigned)i;
					t.idx = uint3{i % block.x, i / block.x % block.y, i / (block.x * block.y)};
					t.st = Ready;
					start(t.ctx, stacks[i], stack_bytes, entry);
				}
				for (;;) {
					bool progress = false, done = true;
					for (int i = 0; i < b.n && b.err.empty(); i++) {
						Thread& t = b.t[i];
						if (t.st == Done) {
							continue;
						}
						done = false;
						if ((t.st == WaitBlock && b.gen == t.wait_gen) || (t.st == WaitWarp && b.w[i / 32].gen == t.wait_gen)) {
							continue;
						}
						t.st = Ready;
						cur = &t;
						swap(b.sched, t.ctx);
						progress = true;
					}
					if (done || !b.err.empty()) {
						break;
					}
					if (!progress) {
						cur = &b.t[0];
						b.err = std::string(k.name) + ": block (" + std::to_string(bx) + "," + std::to_string(by) + "," +
							std::to_string(bz) + "): deadlock: " + std::to_string(b.live) + " live threads, none can proceed" +
							(b.arrived ? std::string(" (") + std::to_string(b.arrived) + " at __syncthreads() at " + b.site + ")" : "");
					}
				}
			}
		}
	}
	blk = saved;
	cur = saved_cur;
	return b.err;
}

} // namespace cudaemu
