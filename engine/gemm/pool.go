package gemm

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// parallelFlops is the least work, 2·m·n·k flops, split across goroutines;
// below it, waking the workers costs more than it saves.
const parallelFlops = 2 << 20

// job is a block C[i0:i1, j0:j1] of one product in either precision.
type job struct {
	s  *kernels[float32] // non-nil for a float32 product
	d  *kernels[float64] // non-nil for a float64 product
	ps problem[float32]
	pd problem[float64]

	i0, i1, j0, j1 int
}

// run computes the block of j with the buffers of ws.
func (j *job) run(ws *workspace) {
	if j.s != nil {
		compute(j.s, &ws.s, &j.ps, j.i0, j.i1, j.j0, j.j1)
		return
	}
	compute(j.d, &ws.d, &j.pd, j.i0, j.i1, j.j0, j.j1)
}

// workspace holds the packing buffers of one goroutine.
type workspace struct {
	s buffers[float32]
	d buffers[float64]
}

// worker is a goroutine that computes the jobs posted to it, each in its own
// preallocated job, so that dispatch does not allocate. Between jobs it
// spins for up to spinTime before it sleeps: waking a sleeping goroutine on
// another (virtual) CPU can take 30–100 µs, longer than a whole product of
// 256×128×128.
type worker struct {
	state atomic.Int32  // workerIdle, workerPosted or workerAsleep
	wake  chan struct{} // wakes a worker that sleeps
	job   job
	ws    workspace
}

// States of a worker.
const (
	workerIdle   = iota // spinning, waiting for a job
	workerPosted        // job holds a job to run
	workerAsleep        // blocked on wake
)

// spinTime is how long an idle worker polls for a job before it sleeps.
const spinTime = 500 * time.Microsecond

func (w *worker) loop() {
	for {
		w.await()
		w.job.run(&w.ws)
		w.job = job{} // drop the caller's matrices
		w.state.Store(workerIdle)
		pool.pending.Add(-1)
	}
}

// await returns once a job is posted.
func (w *worker) await() {
	var start time.Time
	for spins := 1; w.state.Load() != workerPosted; spins++ {
		if spins%64 != 0 {
			continue
		}
		runtime.Gosched()
		if start.IsZero() {
			start = time.Now()
		} else if time.Since(start) > spinTime && w.state.CompareAndSwap(workerIdle, workerAsleep) {
			<-w.wake
			return
		}
	}
}

// post hands j to w.
func (w *worker) post(j *job) {
	w.job = *j
	if w.state.Swap(workerPosted) == workerAsleep {
		w.wake <- struct{}{}
	}
}

// pool is the persistent set of workers. The goroutine holding mu owns the
// workers and ws; a product that finds mu held runs on its own goroutine
// with a spare workspace.
var pool struct {
	mu      sync.Mutex
	threads int
	workers []*worker
	ws      workspace
	pending atomic.Int32 // posted jobs not yet done
}

// spare holds the workspaces of products run while pool is busy.
var spare = make(chan *workspace, 8)

func init() { pool.threads = runtime.GOMAXPROCS(0) }

// SetThreads sets the number of goroutines, the caller's included, that
// large products are split across. n < 1 restores the default,
// runtime.GOMAXPROCS(0). Products below 2 MFLOP always run on the calling
// goroutine.
func SetThreads(n int) {
	if n < 1 {
		n = runtime.GOMAXPROCS(0)
	}
	pool.mu.Lock()
	pool.threads = n
	pool.mu.Unlock()
}

// execute computes the product described by proto, an m×n C with inner
// dimension k and kernel tiles mr×nr, on as many goroutines as pays.
func execute(proto *job, m, n, k, mr, nr int) {
	if !pool.mu.TryLock() {
		var ws *workspace
		select {
		case ws = <-spare:
		default:
			ws = new(workspace)
		}
		proto.i0, proto.i1, proto.j0, proto.j1 = 0, m, 0, n
		proto.run(ws)
		select {
		case spare <- ws:
		default:
		}
		return
	}
	defer pool.mu.Unlock()

	t := pool.threads
	if float64(m)*float64(n)*float64(k)*2 < parallelFlops {
		t = 1
	}
	tilesM, tilesN := (m+mr-1)/mr, (n+nr-1)/nr
	// Split the larger of m and n: every goroutine reads all of the operand
	// along the other one, so this reads the least memory.
	alongM := m >= n
	if alongM && tilesM < t && tilesN > tilesM {
		alongM = false
	} else if !alongM && tilesN < t && tilesM > tilesN {
		alongM = true
	}
	if alongM {
		t = min(t, tilesM)
	} else {
		t = min(t, tilesN)
	}
	if t <= 1 {
		proto.i0, proto.i1, proto.j0, proto.j1 = 0, m, 0, n
		proto.run(&pool.ws)
		return
	}
	for len(pool.workers) < t-1 {
		w := &worker{wake: make(chan struct{}, 1)}
		go w.loop()
		pool.workers = append(pool.workers, w)
	}
	// Part q of t covers rows [q·m/t, (q+1)·m/t), or whole panels of
	// columns, so that only the last part has a partial panel.
	bounds := func(q int) (i0, i1, j0, j1 int) {
		if alongM {
			return q * m / t, (q + 1) * m / t, 0, n
		}
		return 0, m, min(n, q*tilesN/t*nr), min(n, (q+1)*tilesN/t*nr)
	}
	pool.pending.Store(int32(t - 1))
	for q := 1; q < t; q++ {
		proto.i0, proto.i1, proto.j0, proto.j1 = bounds(q)
		pool.workers[q-1].post(proto)
	}
	proto.i0, proto.i1, proto.j0, proto.j1 = bounds(0)
	proto.run(&pool.ws)
	for spins := 1; pool.pending.Load() != 0; spins++ {
		if spins%64 == 0 {
			runtime.Gosched()
		}
	}
}
