package dist_test

import (
	"fmt"
	"log"
	"math"
	"math/rand/v2"

	"github.com/nflowgo/nflow/bijectors"
	"github.com/nflowgo/nflow/dist"
	"github.com/nflowgo/nflow/ops"
	"gorgonia.org/tensor"
)

// conditionalFlow is a MAF on D = 2 whose networks read a context of size 2.
func conditionalFlow() *dist.TransformedDistribution {
	flow, err := bijectors.NewMAFStack(2, bijectors.MADEConfig{EventSize: 2, HiddenUnits: []int{16}, Activation: ops.Tanh,
		Seed: 1, DType: tensor.Float64, ContextSize: 2}, ops.ScaleSoftplus)
	if err != nil {
		log.Fatal(err)
	}
	base, err := dist.StandardNormal(2, tensor.Float64)
	if err != nil {
		log.Fatal(err)
	}
	td, err := dist.NewTransformedDistribution(base, flow)
	if err != nil {
		log.Fatal(err)
	}
	return td
}

func matrix(rows, cols int, v ...float64) *tensor.Dense {
	return tensor.New(tensor.WithShape(rows, cols), tensor.WithBacking(v))
}

func ExampleLogProbGiven() {
	td := conditionalFlow()
	x := matrix(2, 2, 0.5, 0.5, 0.5, 0.5)
	// Row n of the context conditions row n of x.
	lp, err := dist.LogProbGiven(td, x, matrix(2, 2, 1, 0, 0, 1))
	if err != nil {
		log.Fatal(err)
	}
	v := lp.Float64s()
	fmt.Println(lp.Shape(), "the context changes the density:", math.Abs(v[0]-v[1]) > 1e-3)

	// A [1, C] context conditions every row.
	one, err := dist.LogProbGiven(td, x, matrix(1, 2, 1, 0))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("broadcast row 1 equals row 0:", one.Float64s()[1] == v[0])

	_, err = dist.LogProb(td, x)
	fmt.Println(err != nil)
	// Output:
	// (2) the context changes the density: true
	// broadcast row 1 equals row 0: true
	// true
}

func ExampleProbGiven() {
	td := conditionalFlow()
	x := matrix(1, 2, 0, 0)
	c := matrix(1, 2, 0, 1)
	p, err := dist.ProbGiven(td, x, c)
	if err != nil {
		log.Fatal(err)
	}
	lp, err := dist.LogProbGiven(td, x, c)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("p = exp(log p): %v\n", math.Abs(p.Float64s()[0]-math.Exp(lp.Float64s()[0])) < 1e-12)
	// Output:
	// p = exp(log p): true
}

func ExampleSampleGiven() {
	td := conditionalFlow()
	rng := rand.New(rand.NewPCG(1, 2))
	// 1000 samples, all given the context (1, 0).
	s, err := dist.SampleGiven(td, 1000, matrix(1, 2, 1, 0), rng)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(s.Shape(), s.Dtype())
	_, err = td.Sample(10, rng)
	fmt.Println(err != nil)
	// Output:
	// (1000, 2) float64
	// true
}

func ExampleContextSizeOf() {
	plain, err := dist.StandardNormal(2, tensor.Float32)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(dist.ContextSizeOf(plain), dist.ContextSizeOf(conditionalFlow()))
	// Output:
	// 0 2
}

func ExampleTransformedDistribution_ContextSize() {
	td := conditionalFlow()
	fmt.Println(td.ContextSize())
	_, err := td.LogProb(matrix(1, 2, 0, 0))
	fmt.Println(err)
	// Output:
	// 2
	// dist: LogProb: the distribution is conditional on a context of size 2; use LogProbGiven (flow on D=2: MaskedAutoregressiveFlow×2, Permute)
}

func ExampleTransformedDistribution_LogProbGiven() {
	td := conditionalFlow()
	// Samples given a context are likelier under that context than under
	// another one, on average.
	rng := rand.New(rand.NewPCG(3, 4))
	c0, c1 := matrix(1, 2, 1, 0), matrix(1, 2, -1, 1)
	s, err := td.SampleGiven(2000, c0, rng)
	if err != nil {
		log.Fatal(err)
	}
	mean := func(c *tensor.Dense) float64 {
		lp, err := td.LogProbGiven(s, c)
		if err != nil {
			log.Fatal(err)
		}
		m := 0.0
		for _, v := range lp.Float64s() {
			m += v / 2000
		}
		return m
	}
	fmt.Println(mean(c0) > mean(c1))
	// Output:
	// true
}

func ExampleTransformedDistribution_ProbGiven() {
	td := conditionalFlow()
	p, err := td.ProbGiven(matrix(3, 2, 0, 0, 1, 1, -1, 2), matrix(1, 2, 0, 1))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(p.Shape())
	// Output:
	// (3)
}

func ExampleTransformedDistribution_SampleGiven() {
	td := conditionalFlow()
	rng := rand.New(rand.NewPCG(5, 6))
	// One sample per context row.
	s, err := td.SampleGiven(3, matrix(3, 2, 1, 0, 0, 1, 1, 1), rng)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(s.Shape())
	_, err = td.SampleGiven(4, matrix(3, 2, 1, 0, 0, 1, 1, 1), rng)
	fmt.Println(err != nil)
	// Output:
	// (3, 2)
	// true
}
