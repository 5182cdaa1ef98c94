package engine

import (
	"sync"

	"github.com/nflowgo/nflow/kernels/cpu/gemm"
)

// ParallelN runs fns[0] on the calling goroutine and each of the others
// concurrently on a worker goroutine of its own, and returns when all are
// done: the n-way form of Parallel, for a step split across more than two
// CPUs. Two functions go to Parallel. The workers are started on first use
// and kept; after that ParallelN does not allocate. While the functions
// run, matrix products do not split further (gemm.Serial): every CPU has a
// part. When another ParallelN is running, the functions run one after
// another on the caller.
func ParallelN(fns []func()) {
	switch len(fns) {
	case 0:
		return
	case 1:
		fns[0]()
		return
	case 2:
		Parallel(fns[0], fns[1])
		return
	}
	if !workers.mu.TryLock() {
		for _, f := range fns {
			f()
		}
		return
	}
	defer workers.mu.Unlock()
	for len(workers.tasks) < len(fns)-1 {
		ch := make(chan func(), 1)
		workers.tasks = append(workers.tasks, ch)
		go workers.loop(ch)
	}
	workers.fns = fns
	gemm.Serial(workers.run)
	workers.fns = nil
}

// workers are ParallelN's goroutines, each fed by its own channel.
var workers workerPool

type workerPool struct {
	mu    sync.Mutex // held by the running ParallelN
	tasks []chan func()
	wg    sync.WaitGroup
	fns   []func() // the running call's functions
}

// run hands fns[1:] to the workers, runs fns[0] and waits for the others.
func (w *workerPool) run() {
	w.wg.Add(len(w.fns) - 1)
	for i, f := range w.fns[1:] {
		w.tasks[i] <- f
	}
	w.fns[0]()
	w.wg.Wait()
}

func (w *workerPool) loop(tasks chan func()) {
	for f := range tasks {
		f()
		w.wg.Done()
	}
}
