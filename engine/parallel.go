package engine

import (
	"runtime"
	"sync/atomic"
	"time"

	"github.com/nflowgo/nflow/kernels/cpu/gemm"
)

// Parallel runs a on the calling goroutine and b concurrently on the
// engine's helper goroutine, and returns when both are done. When the
// helper is busy (another Parallel is running) or there is one CPU, b runs
// on the caller after a, as it does when the helper has not started b by
// the time a is done (on a busy machine the helper may be waiting for a
// CPU). It does not allocate, so a training step split
// across two cores stays allocation-free. With two CPUs the products a and
// b compute run on their own goroutines (gemm.Serial); with more, gemm may
// still split them across the others.
//
// Both sides poll briefly and then sleep on a channel: the helper for up to
// helperSpin after each task, so back-to-back steps hand over in well under
// a microsecond, and the caller for up to waitSpin after finishing a. On an
// idle machine that is all spinning; on a busy one, where a spinning thread
// takes the CPU the other one needs, it is mostly sleeping.
func Parallel(a, b func()) {
	h := theHelper()
	if h == nil || !h.busy.CompareAndSwap(false, true) {
		a()
		b()
		return
	}
	if runtime.GOMAXPROCS(0) <= 2 { // both CPUs are busy: no product splits further
		gemm.Serial(func() { h.run(a, b) })
	} else {
		h.run(a, b)
	}
	h.fn = nil
	h.state.Store(stateIdle)
	h.busy.Store(false)
}

// run hands b to the helper, runs a and waits for b.
func (h *helper) run(a, b func()) {
	h.fn = b // published by the state store below
	h.state.Store(stateGo)
	if h.parked.Load() {
		select {
		case h.wake <- struct{}{}:
		default:
		}
	}
	a()
	if h.state.CompareAndSwap(stateGo, stateIdle) { // the helper has not started b (it may be waiting for a CPU): run it here
		b()
		return
	}
	// Spin a little for b, then sleep until the helper says it is done: on
	// a busy machine the helper may be waiting for a CPU, and spinning
	// would only take one from it.
	start := time.Now()
	for spins := 1; h.state.Load() != stateDone; spins++ {
		if spins%256 != 0 || time.Since(start) < waitSpin {
			continue
		}
		h.waiting.Store(true)
		if h.state.Load() != stateDone {
			<-h.done
		}
		h.waiting.Store(false)
	}
	select { // a late wake-up token from a done signal sent as we stopped waiting
	case <-h.done:
	default:
	}
}

const (
	stateIdle    int32 = iota
	stateGo            // b is posted
	stateRunning       // the helper took b
	stateDone          // and finished it
)

// helperSpin is how long the helper polls for the next task before it
// parks; waitSpin how long the caller polls for the helper to finish
// before it sleeps.
const (
	helperSpin = 50 * time.Microsecond
	waitSpin   = 30 * time.Microsecond
)

type helper struct {
	busy    atomic.Bool  // claimed by a Parallel call
	state   atomic.Int32 // stateIdle → stateGo (task set) → stateDone
	parked  atomic.Bool
	waiting atomic.Bool // the caller sleeps on done
	done    chan struct{}
	fn      func() // the task, written before state becomes stateGo
	wake    chan struct{}
}

var (
	helperOnce atomic.Pointer[helper]
	helperInit atomic.Bool
)

// theHelper returns the helper goroutine, started on first use; nil on a
// single CPU.
func theHelper() *helper {
	if h := helperOnce.Load(); h != nil {
		return h
	}
	if runtime.GOMAXPROCS(0) < 2 {
		return nil
	}
	if helperInit.CompareAndSwap(false, true) {
		h := &helper{wake: make(chan struct{}, 1), done: make(chan struct{}, 1)}
		go h.loop()
		helperOnce.Store(h)
		return h
	}
	return helperOnce.Load() // nil while another caller starts it: run inline
}

func (h *helper) loop() {
	for {
		start := time.Now()
		for spins := 1; h.state.Load() != stateGo; spins++ {
			if spins%1024 != 0 || time.Since(start) < helperSpin {
				continue
			}
			h.parked.Store(true)
			if h.state.Load() != stateGo {
				<-h.wake
			}
			h.parked.Store(false)
			start = time.Now()
		}
		if !h.state.CompareAndSwap(stateGo, stateRunning) {
			continue // the caller ran b itself
		}
		h.fn()
		h.state.Store(stateDone)
		if h.waiting.Load() {
			select {
			case h.done <- struct{}{}:
			default:
			}
		}
	}
}
