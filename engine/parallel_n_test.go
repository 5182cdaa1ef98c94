package engine

import (
	"sync/atomic"
	"testing"
)

// TestParallelNRunsEachOnce checks that ParallelN runs every function
// exactly once and returns only when all are done, for 0 to 9 functions,
// and that a call allocates nothing once its workers exist.
func TestParallelNRunsEachOnce(t *testing.T) {
	var counts [9]atomic.Int32
	fns := make([]func(), len(counts))
	for i := range fns {
		fns[i] = func() { counts[i].Add(1) }
	}
	for n := 0; n <= len(fns); n++ {
		for i := range counts {
			counts[i].Store(0)
		}
		ParallelN(fns[:n])
		for i := range counts {
			if want := int32(0); i < n {
				want = 1
				if c := counts[i].Load(); c != want {
					t.Fatalf("n=%d: function %d ran %d times", n, i, c)
				}
			} else if c := counts[i].Load(); c != want {
				t.Fatalf("n=%d: function %d (not passed) ran %d times", n, i, c)
			}
		}
	}
	if a := testing.AllocsPerRun(50, func() { ParallelN(fns) }); a != 0 {
		t.Fatalf("ParallelN allocates %v times a call", a)
	}
}

// TestParallelNConcurrentCalls checks that calls from several goroutines
// at once (one runs on the workers, the others inline) all complete.
func TestParallelNConcurrentCalls(t *testing.T) {
	var total atomic.Int64
	fns := []func(){func() { total.Add(1) }, func() { total.Add(1) }, func() { total.Add(1) }, func() { total.Add(1) }}
	done := make(chan struct{})
	for g := 0; g < 4; g++ {
		go func() {
			for i := 0; i < 200; i++ {
				ParallelN(fns)
			}
			done <- struct{}{}
		}()
	}
	for g := 0; g < 4; g++ {
		<-done
	}
	if got := total.Load(); got != 4*200*4 {
		t.Fatalf("%d calls ran, want %d", got, 4*200*4)
	}
}
