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

// The examples print with %.4f so that the float rounding of a platform
// does not show, and draw samples from a seeded generator.

func ExampleMultivariateNormalDiag() {
	mvn, err := dist.NewMultivariateNormalDiag([]float64{1, -1}, []float64{1, 2}, tensor.Float64)
	if err != nil {
		log.Fatal(err)
	}
	x := tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float64{
		1, -1, // the mean: -log 2 - log 2π
		2, 1, // one standard deviation away in each coordinate: 1 less
	}))
	lp, err := mvn.LogProb(x)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(mvn)
	fmt.Printf("log_prob = %.4f\n", lp.Data())
	// Output:
	// MultivariateNormalDiag(loc=[1 -1], scale_diag=[1 2])
	// log_prob = [-2.5310 -3.5310]
}

func ExampleMultivariateNormalDiag_Sample() {
	mvn, err := dist.NewMultivariateNormalDiag([]float64{1, -1}, []float64{1, 2}, tensor.Float32)
	if err != nil {
		log.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2)) // sampling takes an explicit source
	x, err := mvn.Sample(10000, rng)
	if err != nil {
		log.Fatal(err)
	}
	v := dist.Float64s(x)
	var mean [2]float64
	for i, xi := range v {
		mean[i%2] += xi / 10000
	}
	fmt.Println(x.Shape(), x.Dtype())
	fmt.Printf("mean ≈ loc: %v\n", math.Abs(mean[0]-1) < 0.05 && math.Abs(mean[1]+1) < 0.1)
	// Output:
	// (10000, 2) float32
	// mean ≈ loc: true
}

func ExampleNewMultivariateNormalDiag() {
	// scaleDiag nil means ones.
	mvn, err := dist.NewMultivariateNormalDiag([]float64{0, 0, 0}, nil, tensor.Float32)
	fmt.Println(mvn, err)

	_, err = dist.NewMultivariateNormalDiag([]float64{0, 0}, []float64{1, 0}, tensor.Float32)
	fmt.Println(err)
	// Output:
	// MultivariateNormalDiag(loc=[0 0 0], scale_diag=[1 1 1]) <nil>
	// MultivariateNormalDiag: ops.NormalLogProb: scale[1] = 0, expected a finite positive number
}

func ExampleStandardNormal() {
	n, err := dist.StandardNormal(2, tensor.Float64)
	if err != nil {
		log.Fatal(err)
	}
	origin := tensor.New(tensor.WithShape(1, 2), tensor.WithBacking([]float64{0, 0}))
	lp, err := n.LogProb(origin)
	if err != nil {
		log.Fatal(err)
	}
	p, err := n.Prob(origin)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("log p(0) = %.4f, p(0) = %.4f (1/2π)\n", lp.Data(), p.Data())
	// Output:
	// log p(0) = [-1.8379], p(0) = [0.1592] (1/2π)
}

func ExampleTransformedDistribution() {
	// The lab's affine flow: x = z·(1, 0.5) + (0.5, 0.25), z standard normal.
	shift, err := bijectors.Shift([]float64{0.5, 0.25})
	if err != nil {
		log.Fatal(err)
	}
	scale, err := bijectors.Scale([]float64{1, 0.5})
	if err != nil {
		log.Fatal(err)
	}
	flow, err := bijectors.Chain(shift, scale) // scale first, then shift
	if err != nil {
		log.Fatal(err)
	}
	base, err := dist.StandardNormal(2, tensor.Float32)
	if err != nil {
		log.Fatal(err)
	}
	td, err := dist.NewTransformedDistribution(base, flow)
	if err != nil {
		log.Fatal(err)
	}

	x, err := td.Sample(1000, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("samples:", x.Shape(), x.Dtype())

	// log p(x) = log N(f⁻¹(x)) + ILDJ(x); at the mean (0.5, 0.25) that is
	// -log 2π - log 0.5, the density of N((0.5, 0.25), diag(1, 0.5)²).
	at := tensor.New(tensor.WithShape(1, 2), tensor.WithBacking([]float32{0.5, 0.25}))
	lp, err := td.LogProb(at)
	if err != nil {
		log.Fatal(err)
	}
	same, err := dist.NewMultivariateNormalDiag([]float64{0.5, 0.25}, []float64{1, 0.5}, tensor.Float32)
	if err != nil {
		log.Fatal(err)
	}
	want, err := same.LogProb(at)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("log_prob(0.5, 0.25) = %.4f, MultivariateNormalDiag: %.4f\n", lp.Data(), want.Data())
	// Output:
	// samples: (1000, 2) float32
	// log_prob(0.5, 0.25) = [-1.1447], MultivariateNormalDiag: [-1.1447]
}

func ExampleTransformedDistribution_SampleAndLogProb() {
	// One forward pass gives samples and their densities: for a MAF this
	// saves the inverse pass that LogProb would take.
	flow, err := bijectors.NewMAFStack(2, bijectors.MADEConfig{EventSize: 2, HiddenUnits: []int{8}, DType: tensor.Float64}, ops.ScaleSoftplus)
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
	x, lp, err := td.SampleAndLogProb(5, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		log.Fatal(err)
	}
	check, err := td.LogProb(x)
	if err != nil {
		log.Fatal(err)
	}
	worst := 0.0
	for i, v := range dist.Float64s(lp) {
		worst = max(worst, math.Abs(v-dist.Float64s(check)[i]))
	}
	fmt.Println(x.Shape(), lp.Shape(), "agrees with LogProb:", worst < 1e-9)
	// Output:
	// (5, 2) (5) agrees with LogProb: true
}

func ExampleNewTransformedDistribution() {
	base, err := dist.StandardNormal(2, tensor.Float32)
	if err != nil {
		log.Fatal(err)
	}
	three, err := bijectors.Shift([]float64{1, 2, 3})
	if err != nil {
		log.Fatal(err)
	}
	_, err = dist.NewTransformedDistribution(base, three)
	fmt.Println(err)
	// Output:
	// TransformedDistribution: bijector Shift([1 2 3]) has event size 3, base has 2
}

func ExampleDistribution() {
	// Code written against Distribution works for any of them; only a
	// flow has trainable parameters.
	normal, err := dist.StandardNormal(2, tensor.Float32)
	if err != nil {
		log.Fatal(err)
	}
	maf, err := bijectors.NewMAFStack(1, bijectors.MADEConfig{EventSize: 2, HiddenUnits: []int{4}}, ops.ScaleSoftplus)
	if err != nil {
		log.Fatal(err)
	}
	flow, err := dist.NewTransformedDistribution(normal, maf)
	if err != nil {
		log.Fatal(err)
	}
	x := tensor.New(tensor.WithShape(3, 2), tensor.WithBacking([]float32{0, 0, 1, 1, -1, 2}))
	for _, d := range []dist.Distribution{normal, flow} {
		lp, err := dist.LogProb(d, x)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(d.EventSize(), d.DType(), len(d.Params()), lp.Shape())
	}
	// Output:
	// 2 float32 0 (3)
	// 2 float32 4 (3)
}

func ExampleLogProb() {
	n, err := dist.StandardNormal(1, tensor.Float64)
	if err != nil {
		log.Fatal(err)
	}
	x := tensor.New(tensor.WithShape(3, 1), tensor.WithBacking([]float64{-1, 0, 2}))
	lp, err := dist.LogProb(n, x)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%.4f\n", lp.Data())

	_, err = dist.LogProb(n, tensor.New(tensor.WithShape(3, 1), tensor.WithBacking([]float32{-1, 0, 2})))
	fmt.Println(err)
	// Output:
	// [-1.4189 -0.9189 -2.9189]
	// dist: input dtype float32, expected float64 (MultivariateNormalDiag(loc=[0], scale_diag=[1]))
}

func ExampleProb() {
	// The logit-normal: Sigmoid of a standard normal, a density on (0, 1).
	base, err := dist.StandardNormal(1, tensor.Float64)
	if err != nil {
		log.Fatal(err)
	}
	td, err := dist.NewTransformedDistribution(base, bijectors.Sigmoid())
	if err != nil {
		log.Fatal(err)
	}
	y := tensor.New(tensor.WithShape(3, 1), tensor.WithBacking([]float64{0.1, 0.5, 0.9}))
	p, err := dist.Prob(td, y)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%.4f\n", p.Data())
	// Output:
	// [0.3966 1.5958 0.3966]
}

func ExampleFloat64s() {
	t := tensor.New(tensor.WithShape(2), tensor.WithBacking([]float32{0.5, -2}))
	fmt.Println(dist.Float64s(t))
	// Output:
	// [0.5 -2]
}
