//go:build gpu

package engine

import (
	"fmt"
	"regexp"
	"runtime"
	"sort"
	"sync"
	"unsafe"

	"github.com/nflowgo/nflow/kernels"
	"gorgonia.org/cu"
	"gorgonia.org/gorgonia"
)

// cudaDev is the CUDA device: a context made current on one locked OS
// thread that runs every driver call, a stream, a memory pool, and the
// kernels loaded from the embedded PTX.
type cudaDev struct {
	work   chan func()
	name   string
	stream cu.Stream
	fns    map[string]cu.Function
	pool   *memPool
}

var (
	cudaOnce    sync.Once
	cudaInst    *cudaDev
	cudaInitErr error
)

func cudaDevice() (Device, error) {
	cudaOnce.Do(func() { cudaInst, cudaInitErr = newCUDADevice() })
	if cudaInitErr != nil {
		return nil, cudaInitErr
	}
	return cudaInst, nil
}

func newCUDADevice() (*cudaDev, error) {
	d := &cudaDev{work: make(chan func()), fns: map[string]cu.Function{}}
	errc := make(chan error)
	go func() {
		runtime.LockOSThread() // the context is current on this thread only
		errc <- d.setup()
		for f := range d.work {
			f()
		}
	}()
	if err := <-errc; err != nil {
		return nil, err
	}
	return d, nil
}

var entryRE = regexp.MustCompile(`\.entry\s+([A-Za-z_][A-Za-z0-9_]*)\s*\(`)

func (d *cudaDev) setup() error {
	if err := cuInitError(); err != nil {
		return err
	}
	n, err := cu.NumDevices()
	if err != nil {
		return fmt.Errorf("%w: %w", ErrNoDevice, cudaErr("cuDeviceGetCount", err))
	}
	if n == 0 {
		return fmt.Errorf("%w: cuDeviceGetCount found none", ErrNoDevice)
	}
	dev, err := cu.GetDevice(0)
	if err != nil {
		return cudaErr("cuDeviceGet", err)
	}
	if d.name, err = dev.Name(); err != nil {
		return cudaErr("cuDeviceGetName", err)
	}
	if _, err := dev.MakeContext(cu.SchedBlockingSync); err != nil {
		return cudaErr("cuCtxCreate", err)
	}
	if d.stream, err = cu.MakeStream(cu.NonBlocking); err != nil {
		return cudaErr("cuStreamCreate", err)
	}
	names := make([]string, 0, len(kernels.PTX))
	for name := range kernels.PTX {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		src := kernels.PTX[name]
		mod, err := cu.LoadData(src)
		if err != nil {
			return cudaErr("cuModuleLoadData("+name+")", err)
		}
		for _, m := range entryRE.FindAllStringSubmatch(src, -1) {
			fn, err := mod.Function(m[1])
			if err != nil {
				return cudaErr("cuModuleGetFunction("+m[1]+")", err)
			}
			d.fns[m[1]] = fn
		}
	}
	d.pool = &memPool{free: map[int64][]cu.DevicePtr{}}
	return nil
}

// do runs f on the device's thread.
func (d *cudaDev) do(f func() error) error {
	done := make(chan error, 1)
	d.work <- func() { done <- f() }
	return <-done
}

func (d *cudaDev) Name() string { return "cuda" }

// Supports reports whether op lowers to the device's kernels.
func (d *cudaDev) Supports(op gorgonia.Op) error {
	_, err := lowerOne(op)
	return err
}

// memPool recycles device allocations by size: a freed block is reused by
// the next allocation of the same size, so programs compiled repeatedly
// (one per batch size) do not grow device memory.
type memPool struct {
	free  map[int64][]cu.DevicePtr
	bytes int64
}

func (p *memPool) alloc(size int64) (cu.DevicePtr, error) {
	if size < 4 {
		size = 4
	}
	if l := p.free[size]; len(l) > 0 {
		ptr := l[len(l)-1]
		p.free[size] = l[:len(l)-1]
		return ptr, nil
	}
	ptr, err := cu.MemAlloc(size)
	if err != nil {
		return 0, cudaErr(fmt.Sprintf("cuMemAlloc(%d)", size), err)
	}
	p.bytes += size
	return ptr, nil
}

func (p *memPool) release(ptr cu.DevicePtr, size int64) {
	if size < 4 {
		size = 4
	}
	p.free[size] = append(p.free[size], ptr)
}

// hostPtr is the address of s's first element, or nil for an empty s
// (upload and download copy nothing for zero bytes).
func hostPtr[T any](s []T) unsafe.Pointer {
	if len(s) == 0 {
		return nil
	}
	return unsafe.Pointer(&s[0])
}

// upload copies host memory to the device, asynchronously on the stream.
func (d *cudaDev) upload(dst cu.DevicePtr, src unsafe.Pointer, bytes int64) error {
	if bytes == 0 {
		return nil
	}
	return cudaErr("cuMemcpyHtoDAsync", cu.MemcpyHtoDAsync(dst, src, bytes, d.stream))
}

// download copies device memory to the host and waits for it.
func (d *cudaDev) download(dst unsafe.Pointer, src cu.DevicePtr, bytes int64) error {
	if bytes == 0 {
		return nil
	}
	if err := cu.MemcpyDtoHAsync(dst, src, bytes, d.stream); err != nil {
		return cudaErr("cuMemcpyDtoHAsync", err)
	}
	return cudaErr("cuStreamSynchronize", d.stream.Synchronize())
}

// launch enqueues one kernel with its 8-byte argument slots.
func (d *cudaDev) launch(name string, grid, block [3]int, args []uint64) error {
	fn, ok := d.fns[name]
	if !ok {
		return &CUDAError{Op: "launch", Err: fmt.Errorf("kernel %q is not in the embedded PTX", name)}
	}
	ptrs := make([]unsafe.Pointer, len(args))
	for i := range args {
		ptrs[i] = unsafe.Pointer(&args[i])
	}
	return cudaErr("cuLaunchKernel("+name+")", fn.Launch(grid[0], grid[1], grid[2], block[0], block[1], block[2], 0, d.stream, ptrs))
}
