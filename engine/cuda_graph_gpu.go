//go:build gpu

package engine

// Stream capture and CUDA graphs, which gorgonia.org/cu v0.9.6 does not
// wrap: begin and end capture on a stream, instantiate, launch, destroy.
//
// Instantiation calls cuGraphInstantiateWithFlags, which CUDA 11.4 and later
// headers all declare with one signature; the plain name cuGraphInstantiate
// is a macro for the 5-argument _v2 in CUDA 11 but for WithFlags in CUDA 12.
// `make cuda12-check` compiles this file against CUDA 12's cuda.h.

/*
#cgo LDFLAGS: -lcuda
#include <cuda.h>

static CUresult nflowBeginCapture(CUstream s) {
	return cuStreamBeginCapture(s, CU_STREAM_CAPTURE_MODE_THREAD_LOCAL);
}
static CUresult nflowEndCapture(CUstream s, CUgraph *g) { return cuStreamEndCapture(s, g); }
static CUresult nflowInstantiate(CUgraphExec *e, CUgraph g) { return cuGraphInstantiateWithFlags(e, g, 0); }
static CUresult nflowGraphLaunch(CUgraphExec e, CUstream s) { return cuGraphLaunch(e, s); }
static CUresult nflowGraphExecDestroy(CUgraphExec e) { return cuGraphExecDestroy(e); }
static CUresult nflowGraphDestroy(CUgraph g) { return cuGraphDestroy(g); }
*/
import "C"

import (
	"unsafe"

	"gorgonia.org/cu"
)

// cuStream returns the driver handle inside a cu.Stream (a struct whose
// only field is the CUstream).
func cuStream(s cu.Stream) C.CUstream { return *(*C.CUstream)(unsafe.Pointer(&s)) }

func cuCheck(op string, r C.CUresult) error {
	if r != C.CUDA_SUCCESS {
		return &CUDAError{Op: op, Code: int(r)}
	}
	return nil
}

// cudaGraph is an instantiated CUDA graph: a captured sequence of launches
// replayed with one call.
type cudaGraph struct {
	graph C.CUgraph
	exec  C.CUgraphExec
}

// capture records everything record enqueues on s into a graph.
func capture(s cu.Stream, record func() error) (*cudaGraph, error) {
	cs := cuStream(s)
	if err := cuCheck("cuStreamBeginCapture", C.nflowBeginCapture(cs)); err != nil {
		return nil, err
	}
	recErr := record()
	g := &cudaGraph{}
	if err := cuCheck("cuStreamEndCapture", C.nflowEndCapture(cs, &g.graph)); err != nil {
		return nil, err
	}
	if recErr != nil {
		C.nflowGraphDestroy(g.graph)
		return nil, recErr
	}
	if err := cuCheck("cuGraphInstantiate", C.nflowInstantiate(&g.exec, g.graph)); err != nil {
		C.nflowGraphDestroy(g.graph)
		return nil, err
	}
	return g, nil
}

func (g *cudaGraph) launch(s cu.Stream) error {
	return cuCheck("cuGraphLaunch", C.nflowGraphLaunch(g.exec, cuStream(s)))
}

func (g *cudaGraph) destroy() {
	C.nflowGraphExecDestroy(g.exec)
	C.nflowGraphDestroy(g.graph)
}
