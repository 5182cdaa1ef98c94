//go:build gpu

package engine

// gorgonia.org/cu's package init calls cuInit and, when it fails, prints a
// message and calls os.Exit(1): a GPU binary on a host whose GPU is hidden
// (CUDA_VISIBLE_DEVICES, MIG, a container without the device) would exit
// before main or any test ran. This file defines cuInit itself. The linker
// binds every call in this binary, cu's included, to this definition
// rather than libcuda's, and it reaches libcuda's through
// dlsym(RTLD_NEXT): the driver's result is recorded and CUDA_SUCCESS is
// returned, so cu's init passes whatever the driver says and cudaDevice
// reports the recorded failure as "no usable CUDA device: <reason>".
// No other cu call runs before cudaDevice checks that record.

/*
#cgo CFLAGS: -D_GNU_SOURCE
#cgo LDFLAGS: -ldl
#include <dlfcn.h>
#include <cuda.h>

static CUresult nflowInitResult = CUDA_SUCCESS;
static int nflowInitMissing; // libcuda has no cuInit after ours

CUresult cuInit(unsigned int flags) {
	CUresult (*real)(unsigned int) = (CUresult (*)(unsigned int))dlsym(RTLD_NEXT, "cuInit");
	if (real == NULL) {
		nflowInitMissing = 1;
		nflowInitResult = CUDA_ERROR_NOT_INITIALIZED;
		return CUDA_SUCCESS;
	}
	nflowInitResult = real(flags);
	return CUDA_SUCCESS;
}

static CUresult nflowInitRecord(int *missing) { *missing = nflowInitMissing; return nflowInitResult; }

static const char *nflowErrorName(CUresult r) {
	const char *s = NULL;
	if (cuGetErrorName(r, &s) != CUDA_SUCCESS || s == NULL) return "";
	return s;
}

static const char *nflowErrorString(CUresult r) {
	const char *s = NULL;
	if (cuGetErrorString(r, &s) != CUDA_SUCCESS || s == NULL) return "";
	return s;
}
*/
import "C"

import (
	"errors"
	"fmt"
)

// cuInitError returns the driver's cuInit failure, recorded by the cuInit
// above when cu's init ran, as a *CUDAError wrapping ErrNoDevice, or nil.
func cuInitError() error {
	var missing C.int
	r := C.nflowInitRecord(&missing)
	switch {
	case missing != 0:
		return fmt.Errorf("%w: the loaded libcuda has no cuInit", ErrNoDevice)
	case r != C.CUDA_SUCCESS:
		// "CUresult 100 CUDA_ERROR_NO_DEVICE: no CUDA-capable device is
		// detected", as much of it as the driver names.
		msg := fmt.Sprintf("CUresult %d", int(r))
		if s := C.GoString(C.nflowErrorName(r)); s != "" {
			msg += " " + s
		}
		if s := C.GoString(C.nflowErrorString(r)); s != "" {
			msg += ": " + s
		}
		return fmt.Errorf("%w: %w", ErrNoDevice, &CUDAError{Op: "cuInit", Code: int(r), Err: errors.New(msg)})
	}
	return nil
}
