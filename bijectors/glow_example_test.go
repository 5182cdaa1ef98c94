package bijectors_test

import (
	"fmt"
	"log"
	"math/rand/v2"

	"github.com/nflowgo/nflow/bijectors"
	"github.com/nflowgo/nflow/ops"
	"gorgonia.org/tensor"
)

func ExampleGlowStep() {
	an, err := bijectors.NewActNorm(2, tensor.Float64)
	if err != nil {
		log.Fatal(err)
	}
	lu, perm, err := bijectors.RandomOrthogonalLU(2, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		log.Fatal(err)
	}
	conv, err := bijectors.NewScaleMatvecLU(lu, perm, true, tensor.Float64)
	if err != nil {
		log.Fatal(err)
	}
	net, err := bijectors.NewAutoregressiveNetwork(bijectors.MADEConfig{Params: 2, EventSize: 2, HiddenUnits: []int{8}, DType: tensor.Float64})
	if err != nil {
		log.Fatal(err)
	}
	coupling, err := bijectors.NewMaskedAutoregressiveFlow(net, ops.ScaleSoftplus)
	if err != nil {
		log.Fatal(err)
	}
	step, err := bijectors.NewGlowStep(an, conv, coupling)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(step)
	fmt.Println("initialised:", step.Initialized())
	y := tensor.New(tensor.WithShape(3, 2), tensor.WithBacking([]float64{1, 5, 2, 7, 3, 9}))
	if err := bijectors.InitFromData(step, y); err != nil { // sets up the ActNorm
		log.Fatal(err)
	}
	fmt.Println("initialised:", step.Initialized())
	fmt.Printf("ActNorm shift %.4f\n", step.ActNorm.Shift.Value.Data())
	// Output:
	// GlowStep(ActNorm(D=2), ScaleMatvecLU(D=2, log_diag), MaskedAutoregressiveFlow(D=2, hidden=[8], scale=softplus))
	// initialised: false
	// initialised: true
	// ActNorm shift [2.0000 7.0000]
}

func ExampleNewGlowStep() {
	an, _ := bijectors.NewActNorm(2, tensor.Float64)
	lu, _ := bijectors.NewScaleMatvecLU([]float64{1, 0, 0, 0, 1, 0, 0, 0, 1}, []int{0, 1, 2}, false, tensor.Float64)
	_, err := bijectors.NewGlowStep(an, lu, bijectors.Exp())
	fmt.Println(err)
	// Output:
	// GlowStep: event sizes 2 (ActNorm), 3 (ScaleMatvecLU) and 0 (Exp), expected one size
}

func ExampleNewGlow() {
	// Three Glow steps on 2-vectors with MAF couplings of their own seeds.
	glow, err := bijectors.NewGlow(3, 2, tensor.Float32, rand.New(rand.NewPCG(1, 2)), func(i int) (bijectors.Bijector, error) {
		net, err := bijectors.NewAutoregressiveNetwork(bijectors.MADEConfig{Params: 2, EventSize: 2, HiddenUnits: []int{16}, Seed: uint64(i)})
		if err != nil {
			return nil, err
		}
		return bijectors.NewMaskedAutoregressiveFlow(net, ops.ScaleSoftplus)
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(glow.Bijectors), "steps,", len(glow.Params()), "parameters, needs data init:", bijectors.NeedsDataInit(glow))
	// Output:
	// 3 steps, 21 parameters, needs data init: true
}
