package engine_test

import (
	"fmt"
	"log"

	"github.com/nflowgo/nflow/engine"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

func ExampleFunc() {
	// engine sees only graphs: here x+x and x∘x of a 2x2 input.
	g := gorgonia.NewGraph()
	x := gorgonia.NewMatrix(g, tensor.Float64, gorgonia.WithShape(2, 2), gorgonia.WithName("x"))
	sum := gorgonia.Must(gorgonia.Add(x, x))
	sq := gorgonia.Must(gorgonia.HadamardProd(x, x))
	f, err := engine.NewFunc(g, gorgonia.Nodes{x}, gorgonia.Nodes{sum, sq}, engine.Compiled)
	if err != nil {
		log.Fatal(err)
	}

	// A Func is built once and called many times.
	for _, v := range [][]float64{{1, 2, 3, 4}, {-1, 0.5, 0, 10}} {
		out, err := f.Call(tensor.New(tensor.WithShape(2, 2), tensor.WithBacking(v)))
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(out[0].Data(), out[1].Data())
	}

	// Inputs must have the node's shape and dtype.
	_, err = f.Call(tensor.New(tensor.WithShape(1, 2), tensor.WithBacking([]float64{1, 2})))
	fmt.Println(err)
	// Output:
	// [2 4 6 8] [1 4 9 16]
	// [-2 1 0 20] [1 0.25 0 100]
	// engine: input 0 is float64 (1, 2), expected float64 (2, 2)
}

func ExampleNewFunc() {
	g := gorgonia.NewGraph()
	x := gorgonia.NewMatrix(g, tensor.Float32, gorgonia.WithShape(1, 1), gorgonia.WithName("x"))
	_, err := engine.NewFunc(g, gorgonia.Nodes{x}, nil, engine.Compiled)
	fmt.Println(err)
	// Output:
	// engine.NewFunc: no outputs
}

func ExampleCache() {
	var cache engine.Cache // the zero value is ready to use
	builds := 0
	// square builds the graph x∘x for the input shape the key names.
	square := func(k engine.Key) func() (*engine.Func, error) {
		return func() (*engine.Func, error) {
			builds++
			g := gorgonia.NewGraph()
			x := gorgonia.NewMatrix(g, k.DType, gorgonia.WithShape(k.Rows, k.Cols), gorgonia.WithName("x"))
			return engine.NewFunc(g, gorgonia.Nodes{x}, gorgonia.Nodes{gorgonia.Must(gorgonia.HadamardProd(x, x))}, engine.Compiled)
		}
	}

	k := engine.Key{Owner: "square", Kind: "forward", Rows: 1, Cols: 3, DType: tensor.Float64}
	f1, err := cache.Get(k, square(k))
	if err != nil {
		log.Fatal(err)
	}
	f2, err := cache.Get(k, square(k)) // same key: no new build
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("same Func:", f1 == f2, "builds:", builds)

	k.Rows = 2 // a new batch size is a new graph
	f3, err := cache.Get(k, square(k))
	if err != nil {
		log.Fatal(err)
	}
	out, err := f3.Call(tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]float64{1, 2, 3, 4, 5, 6})))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("builds:", builds, out[0].Data())
	// Output:
	// same Func: true builds: 1
	// builds: 2 [1 4 9 16 25 36]
}

func ExampleKey() {
	// Keys compare by value; a pointer Owner compares by identity, so two
	// bijectors with equal settings still get their own Funcs.
	type bijector struct{ scale float64 }
	a, b := &bijector{2}, &bijector{2}
	k := engine.Key{Owner: a, Kind: "inverse", Rows: 32, Cols: 2, DType: tensor.Float32}

	fmt.Println(k == engine.Key{Owner: a, Kind: "inverse", Rows: 32, Cols: 2, DType: tensor.Float32})
	fmt.Println(k == engine.Key{Owner: b, Kind: "inverse", Rows: 32, Cols: 2, DType: tensor.Float32})
	fmt.Println(k == engine.Key{Owner: a, Kind: "inverse", Rows: 32, Cols: 2, DType: tensor.Float64})
	// Output:
	// true
	// false
	// false
}
