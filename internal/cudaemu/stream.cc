// Streams, events, stream capture and graphs. Work enqueued on a stream runs
// at once, in issue order (a valid serialization of any stream program);
// while a stream captures, its work is recorded instead, and a graph
// launch replays the recording. During a capture in the global or
// thread-local mode the calls the real driver refuses (host copies,
// allocation, synchronization, use of the legacy stream) fail with
// CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED or _IMPLICIT and invalidate the
// capture, so that cuStreamEndCapture then fails with _INVALIDATED.
#include <chrono>
#include <memory>
#include <mutex>
#include <set>

#include "emu.h"

namespace cudaemu {

namespace {

struct Graph {
	std::vector<Work> nodes;
};

struct Stream {
	unsigned flags = 0;
	bool capturing = false, invalidated = false;
	CUstreamCaptureMode mode = CU_STREAM_CAPTURE_MODE_GLOBAL;
	std::unique_ptr<Graph> graph;
};

Stream legacy; // stream 0, CU_STREAM_LEGACY and CU_STREAM_PER_THREAD
std::set<Stream*> capturing;
std::recursive_mutex mu; // guards the streams' state; work runs under it, one launch at a time

Stream* stream(CUstream s)
{
	const uintptr_t h = reinterpret_cast<uintptr_t>(s);
	return h <= 2 ? &legacy : reinterpret_cast<Stream*>(s);
}

bool strict_capture()
{
	for (Stream* c : capturing) {
		if (c->mode != CU_STREAM_CAPTURE_MODE_RELAXED) {
			return true;
		}
	}
	return false;
}

void invalidate_all()
{
	for (Stream* c : capturing) {
		c->invalidated = true;
	}
}

struct Event {
	std::chrono::steady_clock::time_point t;
	bool recorded = false;
};

} // namespace

CUresult enqueue(CUstream s, Work w)
{
	std::lock_guard<std::recursive_mutex> l(mu);
	Stream* st = stream(s);
	if (st->capturing) {
		if (st->invalidated) {
			return CUDA_ERROR_STREAM_CAPTURE_INVALIDATED;
		}
		st->graph->nodes.push_back(std::move(w));
		return CUDA_SUCCESS;
	}
	if (st == &legacy && !capturing.empty() && strict_capture()) {
		invalidate_all();
		return CUDA_ERROR_STREAM_CAPTURE_IMPLICIT;
	}
	return w();
}

bool capture_refuses(CUstream s)
{
	std::lock_guard<std::recursive_mutex> l(mu);
	if (capturing.empty()) {
		return false;
	}
	Stream* st = s ? stream(s) : nullptr;
	if (st && st->capturing) {
		st->invalidated = true;
	} else if (!strict_capture()) {
		return false;
	}
	if (strict_capture()) {
		invalidate_all();
	}
	return true;
}

} // namespace cudaemu

using namespace cudaemu;

CUresult cuStreamCreate(CUstream* s, unsigned int flags)
{
	auto* st = new Stream;
	st->flags = flags;
	*s = reinterpret_cast<CUstream>(st);
	return CUDA_SUCCESS;
}

CUresult cuStreamCreateWithPriority(CUstream* s, unsigned int flags, int) { return cuStreamCreate(s, flags); }

CUresult cuStreamDestroy(CUstream s)
{
	std::lock_guard<std::recursive_mutex> l(mu);
	Stream* st = stream(s);
	if (st == &legacy) {
		return CUDA_ERROR_INVALID_HANDLE;
	}
	capturing.erase(st);
	delete st;
	return CUDA_SUCCESS;
}

CUresult cuStreamGetFlags(CUstream s, unsigned int* flags)
{
	*flags = stream(s)->flags;
	return CUDA_SUCCESS;
}

CUresult cuStreamGetPriority(CUstream, int* p)
{
	*p = 0;
	return CUDA_SUCCESS;
}

CUresult cuStreamSynchronize(CUstream s)
{
	if (capture_refuses(s)) {
		return CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED;
	}
	return sticky;
}

CUresult cuStreamQuery(CUstream s)
{
	if (capture_refuses(s)) {
		return CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED;
	}
	return sticky;
}

CUresult cuStreamWaitEvent(CUstream s, CUevent, unsigned int)
{
	return enqueue(s, [] { return CUDA_SUCCESS; });
}

CUresult cuStreamBeginCapture(CUstream s, CUstreamCaptureMode mode)
{
	std::lock_guard<std::recursive_mutex> l(mu);
	Stream* st = stream(s);
	if (st == &legacy) {
		return CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED;
	}
	if (st->capturing) {
		return CUDA_ERROR_ILLEGAL_STATE;
	}
	st->capturing = true;
	st->invalidated = false;
	st->mode = mode;
	st->graph = std::make_unique<Graph>();
	capturing.insert(st);
	return CUDA_SUCCESS;
}

CUresult cuStreamEndCapture(CUstream s, CUgraph* g)
{
	std::lock_guard<std::recursive_mutex> l(mu);
	Stream* st = stream(s);
	if (!st->capturing) {
		return CUDA_ERROR_ILLEGAL_STATE;
	}
	st->capturing = false;
	capturing.erase(st);
	std::unique_ptr<Graph> graph = std::move(st->graph);
	if (st->invalidated) {
		*g = nullptr;
		return CUDA_ERROR_STREAM_CAPTURE_INVALIDATED;
	}
	*g = reinterpret_cast<CUgraph>(graph.release());
	return CUDA_SUCCESS;
}

CUresult cuStreamIsCapturing(CUstream s, CUstreamCaptureStatus* status)
{
	std::lock_guard<std::recursive_mutex> l(mu);
	Stream* st = stream(s);
	*status = !st->capturing ? CU_STREAM_CAPTURE_STATUS_NONE
		: st->invalidated   ? CU_STREAM_CAPTURE_STATUS_INVALIDATED
							: CU_STREAM_CAPTURE_STATUS_ACTIVE;
	return CUDA_SUCCESS;
}

CUresult cuGraphCreate(CUgraph* g, unsigned int)
{
	*g = reinterpret_cast<CUgraph>(new Graph);
	return CUDA_SUCCESS;
}

CUresult cuGraphDestroy(CUgraph g)
{
	delete reinterpret_cast<Graph*>(g);
	return CUDA_SUCCESS;
}

// An executable graph is a copy of the graph's work, in capture order.
CUresult cuGraphInstantiateWithFlags(CUgraphExec* e, CUgraph g, unsigned long long)
{
	if (!g) {
		return CUDA_ERROR_INVALID_VALUE;
	}
	*e = reinterpret_cast<CUgraphExec>(new Graph(*reinterpret_cast<Graph*>(g)));
	return CUDA_SUCCESS;
}

CUresult cuGraphInstantiate(CUgraphExec* e, CUgraph g, CUgraphNode* errNode, char* log, size_t logSize)
{
	if (errNode) {
		*errNode = nullptr;
	}
	if (log && logSize) {
		log[0] = 0;
	}
	return cuGraphInstantiateWithFlags(e, g, 0);
}

// The unversioned name is CUDA 11's ABI of cuGraphInstantiate (the same
// five arguments), which cuda.h 11.x renames to _v2.
#undef cuGraphInstantiate
extern "C" CUresult CUDAAPI cuGraphInstantiate(CUgraphExec* e, CUgraph g, CUgraphNode* errNode, char* log, size_t logSize)
{
	return cuGraphInstantiate_v2(e, g, errNode, log, logSize);
}

CUresult cuGraphLaunch(CUgraphExec e, CUstream s)
{
	std::lock_guard<std::recursive_mutex> l(mu);
	if (sticky) {
		return sticky;
	}
	if (stream(s)->capturing) {
		return unimplemented("cuGraphLaunch into a capturing stream");
	}
	auto* graph = reinterpret_cast<Graph*>(e);
	return enqueue(s, [graph]() {
		for (Work& w : graph->nodes) {
			if (CUresult r = w(); r != CUDA_SUCCESS) {
				return r;
			}
		}
		return CUDA_SUCCESS;
	});
}

CUresult cuGraphExecDestroy(CUgraphExec e)
{
	delete reinterpret_cast<Graph*>(e);
	return CUDA_SUCCESS;
}

CUresult cuEventCreate(CUevent* e, unsigned int)
{
	*e = reinterpret_cast<CUevent>(new Event);
	return CUDA_SUCCESS;
}

CUresult cuEventDestroy(CUevent e)
{
	delete reinterpret_cast<Event*>(e);
	return CUDA_SUCCESS;
}

CUresult cuEventRecord(CUevent e, CUstream s)
{
	auto* ev = reinterpret_cast<Event*>(e);
	return enqueue(s, [ev]() {
		ev->t = std::chrono::steady_clock::now();
		ev->recorded = true;
		return CUDA_SUCCESS;
	});
}

CUresult cuEventQuery(CUevent) { return sticky; }

CUresult cuEventSynchronize(CUevent)
{
	if (capture_refuses(nullptr)) {
		return CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED;
	}
	return sticky;
}

CUresult cuEventElapsedTime(float* ms, CUevent a, CUevent b)
{
	auto *ea = reinterpret_cast<Event*>(a), *eb = reinterpret_cast<Event*>(b);
	if (!ea->recorded || !eb->recorded) {
		return CUDA_ERROR_INVALID_HANDLE;
	}
	*ms = std::chrono::duration<float, std::milli>(eb->t - ea->t).count();
	return CUDA_SUCCESS;
}
