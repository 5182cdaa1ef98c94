package engine_test

import (
	"runtime"
	"sync/atomic"
	"testing"

	"github.com/nflowgo/nflow/bijectors"
	"github.com/nflowgo/nflow/engine"
	"github.com/nflowgo/nflow/ops"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestParallelRunsBoth checks that Parallel runs both functions to the end
// before it returns, from several goroutines at once (the helper is then
// busy and the calls run inline), without allocating.
func TestParallelRunsBoth(t *testing.T) {
	prev := runtime.GOMAXPROCS(2)
	defer runtime.GOMAXPROCS(prev)
	var a, b atomic.Int64
	fa, fb := func() { a.Add(1) }, func() { b.Add(1) }
	done := make(chan bool)
	for g := 0; g < 4; g++ {
		go func() {
			for i := 0; i < 500; i++ {
				before := b.Load()
				engine.Parallel(fa, fb)
				if b.Load() <= before {
					done <- false
					return
				}
			}
			done <- true
		}()
	}
	for g := 0; g < 4; g++ {
		if !<-done {
			t.Fatal("Parallel returned before b ran")
		}
	}
	if a.Load() != 2000 || b.Load() != 2000 {
		t.Fatalf("a ran %d times, b %d, want 2000 each", a.Load(), b.Load())
	}
	if n := testing.AllocsPerRun(50, func() { engine.Parallel(fa, fb) }); n != 0 {
		t.Fatalf("Parallel allocates %v times per call", n)
	}
}

// TestBindInput checks that a program reads a bound input in place (a
// write to the caller's slice is seen by the next Run) and that binding
// the wrong size or dtype is an error.
func TestBindInput(t *testing.T) {
	g, err := bijectors.NewGraph(tensor.Float32)
	if err != nil {
		t.Fatal(err)
	}
	x := g.Input("x", 3, 2)
	nl := must(ops.NewNormalLogProb([]float64{0, 0}, []float64{1, 1}))
	y := must(bijectors.Apply(ops.NewNegMean(), must(bijectors.Apply(nl, x))))
	p := must(engine.Compile(g.G, gorgonia.Nodes{x}, gorgonia.Nodes{y}, engine.CPU))
	ref := must(engine.Compile(g.G, gorgonia.Nodes{x}, gorgonia.Nodes{y}, engine.CPU))
	data := []float32{1, 2, 3, 4, 5, 6}
	if err := p.BindInput(0, data); err != nil {
		t.Fatal(err)
	}
	for _, dx := range []float32{0, 3} {
		data[0] += dx
		copy(ref.Input(0).Float32s(), data)
		p.Run()
		ref.Run()
		if got, want := p.Output(0).Float32s()[0], ref.Output(0).Float32s()[0]; got != want {
			t.Fatalf("x[0] = %v: the bound program gives %v, the copying one %v", data[0], got, want)
		}
	}
	if p.BindInput(0, make([]float32, 5)) == nil || p.BindInput(0, make([]float64, 6)) == nil || p.BindInput(1, data) == nil {
		t.Fatal("BindInput accepted a wrong size, dtype or input")
	}
}
