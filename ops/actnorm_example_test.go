package ops_test

import (
	"fmt"
	"log"
	"math"

	"github.com/nflowgo/nflow/ops"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// glowVJP applies op to inputs in a graph, asks its SymDiff for the
// vector-Jacobian products with the cotangent g, runs the graph and
// returns each gradient op (nil where none) with its value.
func glowVJP(op gorgonia.SDOp, g gorgonia.Value, inputs ...*tensor.Dense) ([]gorgonia.Op, []gorgonia.Value) {
	gr := gorgonia.NewGraph()
	nodes := make(gorgonia.Nodes, len(inputs))
	for i, in := range inputs {
		nodes[i] = gorgonia.NodeFromAny(gr, in, gorgonia.WithName(fmt.Sprint("in", i)))
	}
	y := gorgonia.Must(gorgonia.ApplyOp(op, nodes...))
	gn := gorgonia.NodeFromAny(gr, g, gorgonia.WithName("g"))
	grads, err := op.SymDiff(nodes, y, gn)
	if err != nil {
		log.Fatal(err)
	}
	m := gorgonia.NewTapeMachine(gr)
	defer m.Close()
	if err := m.RunAll(); err != nil {
		log.Fatal(err)
	}
	gops := make([]gorgonia.Op, len(grads))
	vals := make([]gorgonia.Value, len(grads))
	for i, n := range grads {
		if n != nil {
			gops[i], vals[i] = n.Op(), n.Value()
		}
	}
	return gops, vals
}

func anVec(v ...float64) *tensor.Dense {
	return tensor.New(tensor.WithShape(len(v)), tensor.WithBacking(v))
}

func anMat(r, c int, v ...float64) *tensor.Dense {
	return tensor.New(tensor.WithShape(r, c), tensor.WithBacking(v))
}

func ExampleActNorm() {
	// s = (log 2, 0), b = (1, -1): y = (2·x₀ + 1, x₁ - 1).
	x := anMat(2, 2, 1, 2, 3, 4)
	s, b := anVec(math.Ln2, 0), anVec(1, -1)
	y, err := ops.NewActNorm(false).Do(x, s, b)
	if err != nil {
		log.Fatal(err)
	}
	back, err := ops.NewActNorm(true).Do(y, s, b)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("forward %.4f\ninverse %.4f\n", y.Data(), back.Data())
	// Output:
	// forward [3.0000 1.0000 7.0000 3.0000]
	// inverse [1.0000 2.0000 3.0000 4.0000]
}

func ExampleNewActNorm() {
	fmt.Println(ops.NewActNorm(false), ops.NewActNorm(true))
	// Output:
	// ActNorm(inverse=false) ActNorm(inverse=true)
}

func ExampleActNormGrad() {
	// Gradients of the forward map at x = [[1 2] [3 4]], s = (log 2, 0),
	// b = 0 for the cotangent g = 1 everywhere: dx = e^s, ds = Σ_n x·e^s,
	// db = N.
	gops, grads := glowVJP(ops.NewActNorm(false), anMat(2, 2, 1, 1, 1, 1), anMat(2, 2, 1, 2, 3, 4), anVec(math.Ln2, 0), anVec(0, 0))
	for i, g := range grads {
		fmt.Printf("%v: %.4f\n", gops[i], g.Data())
	}
	// Output:
	// ActNormGrad(false,0): [2.0000 1.0000 2.0000 1.0000]
	// ActNormGrad(false,1): [8.0000 6.0000]
	// ActNormGrad(false,2): [2.0000 2.0000]
}

func ExampleActNormLogDet() {
	// log|det J| = Σ s for each of the 3 rows; -Σ s for the inverse.
	x := anMat(3, 2, 0, 0, 0, 0, 0, 0)
	s := anVec(math.Ln2, math.Log(3))
	fwd, err := ops.NewActNormLogDet(1).Do(x, s)
	if err != nil {
		log.Fatal(err)
	}
	inv, err := ops.NewActNormLogDet(-1).Do(x, s)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("forward %.4f (log 6)\ninverse %.4f\n", fwd.Data(), inv.Data())
	// Output:
	// forward [1.7918 1.7918 1.7918] (log 6)
	// inverse [-1.7918 -1.7918 -1.7918]
}

func ExampleActNormLogDetGrad() {
	// The gradient with respect to s is Sign·Σ_n g[n] in every entry; x gets none.
	gops, grads := glowVJP(ops.NewActNormLogDet(-1), anVec(1, 2, 3), anMat(3, 2, 0, 0, 0, 0, 0, 0), anVec(0.5, 0.5))
	fmt.Println(grads[0] == nil, gops[1], grads[1].Data())
	// Output:
	// true ActNormLogDetGrad(-1) [-6 -6]
}
