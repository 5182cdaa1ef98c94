package engine

import (
	"runtime"
	"sync/atomic"
	"time"
)

// Parallel runs a on the calling goroutine and b concurrently on the
// engine's helper goroutine, and returns when both are done. When the
// helper is busy (another Parallel is running) or there is one CPU, b runs
// on the caller after a. It does not allocate, so a training step split
// across two cores stays allocation-free.
//
// The helper spins for up to helperSpin after each task before it parks,
// so back-to-back steps hand over in well under a microsecond; a parked
// helper is woken through a channel (tens of microseconds).
func Parallel(a, b func()) {
	h := theHelper()
	if h == nil || !h.busy.CompareAndSwap(false, true) {
		a()
		b()
		return
	}
	h.fn = b // published by the state store below
	h.state.Store(stateGo)
	if h.parked.Load() {
		select {
		case h.wake <- struct{}{}:
		default:
		}
	}
	a()
	for spins := 0; h.state.Load() != stateDone; spins++ {
		if spins > 64 {
			runtime.Gosched()
		}
	}
	h.fn = nil
	h.state.Store(stateIdle)
	h.busy.Store(false)
}

const (
	stateIdle int32 = iota
	stateGo
	stateDone
)

// helperSpin is how long the helper polls for the next task before it parks.
const helperSpin = 200 * time.Microsecond

type helper struct {
	busy   atomic.Bool  // claimed by a Parallel call
	state  atomic.Int32 // stateIdle → stateGo (task set) → stateDone
	parked atomic.Bool
	fn     func() // the task, written before state becomes stateGo
	wake   chan struct{}
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
		h := &helper{wake: make(chan struct{}, 1)}
		go h.loop()
		helperOnce.Store(h)
		return h
	}
	return helperOnce.Load() // nil while another caller starts it: run inline
}

func (h *helper) loop() {
	for {
		start := time.Now()
		for spins := 0; h.state.Load() != stateGo; spins++ {
			if spins&63 != 63 {
				continue
			}
			if time.Since(start) < helperSpin {
				runtime.Gosched()
				continue
			}
			h.parked.Store(true)
			if h.state.Load() != stateGo {
				<-h.wake
			}
			h.parked.Store(false)
			start = time.Now()
		}
		h.fn()
		h.state.Store(stateDone)
	}
}
