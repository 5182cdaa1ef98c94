package vi_test

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/nflowgo/nflow/flows"
	"github.com/nflowgo/nflow/vi"
)

// A user-defined target: the banana log p̃(x) = -x1²/8 - r²/2,
// r = x2 - ½(x1² - 4), with its hand-written gradient, checked against
// finite differences and fitted by an IAF (the README's example).
func Example() {
	banana := vi.TargetFunc{D: 2, Fn: func(x, logp, grad []float64) {
		for n := range logp {
			x1, x2 := x[2*n], x[2*n+1]
			r := x2 - 0.5*(x1*x1-4)
			logp[n] = -x1*x1/8 - r*r/2
			if grad != nil { // grad is nil when only log p̃ is needed
				grad[2*n], grad[2*n+1] = -x1/4+r*x1, -r
			}
		}
	}}
	check, _ := vi.CheckGradient(banana, []float64{0.5, 1, -1.2, 0.3}, 0)
	fmt.Println("gradient error below 1e-6:", check.Error < 1e-6)

	q, _ := flows.Build(flows.Spec{Kind: "iaf", EventSize: 2, Layers: 4, Hidden: []int{32, 32}, Activation: "tanh"})
	_, err := vi.Fit(q, banana, vi.Config{Steps: 600, BatchSize: 128, LearningRate: 1e-2, FinalLearningRate: 1e-4, PathGradient: true})
	if err != nil {
		panic(err)
	}
	d, _ := vi.Diagnose(q, banana, 100000, rand.New(rand.NewPCG(1, 2)))
	// log Z of this p̃ is log(2·2π); the ELBO is at most log Z.
	fmt.Println("ELBO within 0.05 of log Z:", math.Log(4*math.Pi)-d.ELBO < 0.05, "k-hat below 0.7:", d.KHat < 0.7)
	// Output:
	// gradient error below 1e-6: true
	// ELBO within 0.05 of log Z: true k-hat below 0.7: true
}
