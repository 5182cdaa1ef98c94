package gemm

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// minChunk is the least number of rows or columns of C in a chunk of a
// threaded product, unless there are fewer chunks than goroutines; eight
// times more when the operand every chunk reads whole, k×n or m×k, has more
// than bigOperand elements and so is read from memory rather than cache.
const (
	minChunk   = 64
	bigOperand = 1 << 20
)

// parallelFlops is the least work, 2·m·n·k flops, split across goroutines;
// below it, waking the workers costs more than it saves.
const parallelFlops = 16 << 20

// job is one product in either precision, cut into chunks of rows or columns
// of C that the caller and the workers claim in turn; a goroutine that starts
// late, or runs on a busy CPU, simply claims fewer.
type job struct {
	s  *kernels[float32] // non-nil for a float32 product
	d  *kernels[float64] // non-nil for a float64 product
	ps problem[float32]
	pd problem[float64]

	m, n, nr int  // C is m×n; column chunks hold whole panels of nr
	alongM   bool // chunks of rows, else of columns
	chunks   int
}

// work computes chunks of j with the buffers of ws until none is left.
func (j *job) work(ws *workspace) {
	for {
		q := int(pool.next.Add(1)) - 1
		if q >= j.chunks {
			return
		}
		i0, i1, j0, j1 := 0, j.m, 0, j.n
		if j.alongM {
			i0, i1 = q*j.m/j.chunks, (q+1)*j.m/j.chunks
		} else {
			tiles := (j.n + j.nr - 1) / j.nr
			j0, j1 = min(j.n, q*tiles/j.chunks*j.nr), min(j.n, (q+1)*tiles/j.chunks*j.nr)
		}
		if j.s != nil {
			compute(j.s, &ws.s, &j.ps, i0, i1, j0, j1)
		} else {
			compute(j.d, &ws.d, &j.pd, i0, i1, j0, j1)
		}
	}
}

// workspace holds the packing buffers of one goroutine.
type workspace struct {
	s buffers[float32]
	d buffers[float64]
}

// worker is a goroutine that helps with the jobs posted to it, each copied
// into its own preallocated job, so that dispatch does not allocate. Between
// jobs it polls for spinTime before it sleeps: waking a sleeping goroutine on
// another (virtual) CPU can take 30–100 µs.
type worker struct {
	state atomic.Int32  // workerIdle, workerAsleep, workerPosted or workerRunning
	wake  chan struct{} // wakes a worker that sleeps
	job   job
	ws    workspace
}

// States of a worker. The caller moves it from idle or asleep to posted and
// back to idle, if it has not started, once all chunks are claimed; the
// worker moves it from posted to running and from running to idle.
const (
	workerIdle = iota
	workerAsleep
	workerPosted
	workerRunning
)

// spinTime is how long an idle worker polls for a job before it sleeps.
const spinTime = 100 * time.Microsecond

func (w *worker) loop() {
	for {
		w.await()
		w.job.work(&w.ws)
		w.job = job{} // drop the caller's matrices
		w.state.Store(workerIdle)
		pool.pending.Add(-1)
		pool.wg.Done()
	}
}

// await returns once the worker has taken a posted job.
func (w *worker) await() {
	start := time.Now()
	for spins := 1; ; spins++ {
		switch w.state.Load() {
		case workerPosted:
			if w.state.CompareAndSwap(workerPosted, workerRunning) {
				return
			}
		case workerIdle:
			if spins%64 == 0 {
				runtime.Gosched()
				if time.Since(start) > spinTime && w.state.CompareAndSwap(workerIdle, workerAsleep) {
					<-w.wake
					start = time.Now()
				}
			}
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

// withdraw takes back a job that w has not started and reports whether it
// did.
func (w *worker) withdraw() bool { return w.state.CompareAndSwap(workerPosted, workerIdle) }

// pool is the persistent set of workers. The goroutine holding mu owns the
// workers and ws; a product that finds mu held runs on its own goroutine
// with a spare workspace.
var pool struct {
	mu      sync.Mutex
	threads int
	workers []*worker
	ws      workspace
	next    atomic.Int32   // next chunk to claim
	pending atomic.Int32   // workers posted and not yet idle
	wg      sync.WaitGroup // the same, to sleep on
}

// waitSpin is how long the caller polls for the workers to finish before it
// sleeps; sleeping hands the CPU to a worker that shares it.
const waitSpin = 20 * time.Microsecond

// spare holds the workspaces of products run while pool is busy.
var spare = make(chan *workspace, 8)

func init() { pool.threads = runtime.GOMAXPROCS(0) }

// SetThreads sets the number of goroutines, the caller's included, that
// large products are split across. n < 1 restores the default,
// runtime.GOMAXPROCS(0). Products below 16 MFLOP always run on the calling
// goroutine.
func SetThreads(n int) {
	if n < 1 {
		n = runtime.GOMAXPROCS(0)
	}
	pool.mu.Lock()
	pool.threads = n
	pool.mu.Unlock()
}

// serial counts the callers inside Serial sections: while one is open,
// products run on their calling goroutines only.
var serial atomic.Int32

// Serial runs f with every product, on any goroutine, computed by its
// calling goroutine alone: for code that already keeps every CPU busy with
// goroutines of its own (a batch split across CPUs), where a product's
// workers would only compete with them for the CPUs.
func Serial(f func()) {
	serial.Add(1)
	defer serial.Add(-1)
	f()
}

// execute computes the product described by proto, an m×n C with inner
// dimension k and kernel tiles mr×nr, on as many goroutines as pays.
func execute(proto *job, m, n, k, mr, nr int) {
	proto.m, proto.n, proto.nr = m, n, nr
	proto.alongM, proto.chunks = true, 1
	if !pool.mu.TryLock() {
		var ws *workspace
		select {
		case ws = <-spare:
		default:
			ws = new(workspace)
		}
		if proto.s != nil {
			compute(proto.s, &ws.s, &proto.ps, 0, m, 0, n)
		} else {
			compute(proto.d, &ws.d, &proto.pd, 0, m, 0, n)
		}
		select {
		case spare <- ws:
		default:
		}
		return
	}
	defer pool.mu.Unlock()

	t := pool.threads
	flops := 2 * float64(m) * float64(n) * float64(k)
	if flops < parallelFlops || serial.Load() > 0 {
		t = 1
	}
	// Split the larger of m and n: every chunk reads all of the operand
	// along the other one, so this reads the least memory. Up to four chunks
	// per goroutine balance the load; each spans at least minChunk rows or
	// columns, or all of the work would go to rereading that operand.
	tilesM, tilesN := (m+mr-1)/mr, (n+nr-1)/nr
	proto.alongM = m >= n
	if proto.alongM && tilesM < t && tilesN > tilesM {
		proto.alongM = false
	} else if !proto.alongM && tilesN < t && tilesM > tilesN {
		proto.alongM = true
	}
	tiles, size, other := tilesN, n, m
	if proto.alongM {
		tiles, size, other = tilesM, m, n
	}
	t = min(t, tiles)
	chunk := minChunk
	if k*other > bigOperand {
		chunk = 8 * minChunk
	}
	proto.chunks = min(tiles, max(t, min(4*t, size/chunk)))
	pool.next.Store(0)
	if t <= 1 {
		proto.chunks = 1
		proto.work(&pool.ws)
		return
	}
	for len(pool.workers) < t-1 {
		w := &worker{wake: make(chan struct{}, 1)}
		go w.loop()
		pool.workers = append(pool.workers, w)
	}
	helpers := pool.workers[:t-1]
	pool.pending.Store(int32(len(helpers)))
	pool.wg.Add(len(helpers))
	for _, w := range helpers {
		w.post(proto)
	}
	proto.work(&pool.ws)
	for _, w := range helpers {
		if w.withdraw() {
			pool.pending.Add(-1)
			pool.wg.Done()
		}
	}
	start := time.Now()
	for spins := 1; pool.pending.Load() != 0 && (spins%64 != 0 || time.Since(start) < waitSpin); spins++ {
	}
	pool.wg.Wait()
}
