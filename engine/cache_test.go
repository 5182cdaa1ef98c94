package engine

import (
	"runtime"
	"sync"
	"testing"

	"github.com/nflowgo/nflow/ops"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

func TestCacheEvictsLeastRecentlyUsed(t *testing.T) {
	var c Cache
	builds := 0
	get := func(i int) {
		if _, err := c.Get(Key{Owner: i, Kind: "k"}, func() (*Func, error) { builds++; return &Func{}, nil }); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < MaxCached; i++ {
		get(i)
	}
	get(0) // 0 is now the most recently used; 1 the least
	get(MaxCached)
	if c.Len() != MaxCached {
		t.Fatalf("%d cached, want %d", c.Len(), MaxCached)
	}
	b := builds
	get(0)
	if builds != b {
		t.Error("key 0 was evicted though recently used")
	}
	get(1)
	if builds != b+1 {
		t.Error("key 1 was not evicted")
	}
}

// TestCallRowsSplitsAndJoins checks that a large batch is split, run
// concurrently and joined in order, with a program per concurrent call.
func TestCallRowsSplitsAndJoins(t *testing.T) {
	n := ParallelRows + 3
	x := tensor.New(tensor.WithShape(n, 2), tensor.WithBacking(make([]float64, 2*n)))
	for i := range x.Float64s() {
		x.Float64s()[i] = float64(i)
	}
	var mu sync.Mutex
	sizes := map[int]*Func{}
	get := func(rows int) (*Func, error) {
		mu.Lock()
		defer mu.Unlock()
		if f, ok := sizes[rows]; ok {
			return f, nil
		}
		g := gorgonia.NewGraph()
		in := gorgonia.NewMatrix(g, tensor.Float64, gorgonia.WithShape(rows, 2), gorgonia.WithName("x"))
		y := gorgonia.Must(gorgonia.ApplyOp(ops.NewConstAffine([]float64{2, 3}, []float64{1, 0}), in))
		ldj := gorgonia.Must(gorgonia.ApplyOp(ops.NewConstRows(7), in))
		f, err := NewFunc(g, gorgonia.Nodes{in}, gorgonia.Nodes{y, ldj}, Compiled)
		sizes[rows] = f
		return f, err
	}
	out, err := CallRows(x, get)
	if err != nil {
		t.Fatal(err)
	}
	if !out[0].Shape().Eq(tensor.Shape{n, 2}) || !out[1].Shape().Eq(tensor.Shape{n}) {
		t.Fatalf("shapes %v %v", out[0].Shape(), out[1].Shape())
	}
	for i, v := range out[0].Float64s() {
		want := x.Float64s()[i]*[]float64{2, 3}[i%2] + []float64{1, 0}[i%2]
		if v != want {
			t.Fatalf("element %d: %g, want %g", i, v, want)
		}
	}
	if runtime.GOMAXPROCS(0) > 1 && len(sizes) < 2 {
		t.Errorf("%d part sizes for %d rows on %d CPUs: not split", len(sizes), n, runtime.GOMAXPROCS(0))
	}
}
