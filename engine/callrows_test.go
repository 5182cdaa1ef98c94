package engine_test

import (
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/nflowgo/nflow/bijectors"
	"github.com/nflowgo/nflow/engine"
	"github.com/nflowgo/nflow/ops"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestCallRowsChunks checks that CallRows, which splits a large batch into
// a part per CPU and each part into cache-sized chunks, gives the values
// of one call on the whole batch, bit for bit, and asks for several sizes.
func TestCallRowsChunks(t *testing.T) {
	prev := runtime.GOMAXPROCS(2)
	defer runtime.GOMAXPROCS(prev)
	net := must(bijectors.NewAutoregressiveNetwork(bijectors.MADEConfig{Params: 2, EventSize: 3,
		HiddenUnits: []int{2048}, Activation: ops.Tanh})) // ~16 KB of buffers a row: chunks of ~500 rows
	get := func(rows int) (*engine.Func, error) {
		g := must(bijectors.NewGraph(tensor.Float32))
		in := g.Input("x", rows, 3)
		h := must(net.Node(g, in))
		return engine.NewFunc(g.G, gorgonia.Nodes{in}, gorgonia.Nodes{h}, engine.Compiled)
	}
	const n = 4101
	rng := rand.New(rand.NewPCG(1, 1))
	v := make([]float32, n*3)
	for i := range v {
		v[i] = float32(rng.NormFloat64())
	}
	x := tensor.New(tensor.WithShape(n, 3), tensor.WithBacking(v))
	sizes := map[int]bool{}
	got := must(engine.CallRows(x, func(rows int) (*engine.Func, error) { sizes[rows] = true; return get(rows) }))
	whole := must(get(n))
	want := must(whole.Call(x))
	if len(sizes) < 2 {
		t.Fatalf("CallRows asked for sizes %v: no chunks", sizes)
	}
	g, w := got[0].Float32s(), want[0].Float32s()
	for i := range w {
		if g[i] != w[i] {
			t.Fatalf("entry %d: %v in chunks, %v in one call", i, g[i], w[i])
		}
	}
}
