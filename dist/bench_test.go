package dist_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/nflowgo/nflow/bijectors"
	"github.com/nflowgo/nflow/dist"
	"github.com/nflowgo/nflow/ops"
	"gorgonia.org/tensor"
)

// BenchmarkLabEager times the lab model's eager log_prob and sampling
// (3 MAFs, MADE [128, 128]) at batch 4096.
func BenchmarkLabEager(b *testing.B) {
	flow, err := bijectors.NewMAFStack(3, bijectors.MADEConfig{EventSize: 2, HiddenUnits: []int{128, 128}, Activation: ops.ReLU, Seed: 1}, ops.ScaleSoftplus)
	if err != nil {
		b.Fatal(err)
	}
	base, err := dist.StandardNormal(2, tensor.Float32)
	if err != nil {
		b.Fatal(err)
	}
	td, err := dist.NewTransformedDistribution(base, flow)
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	const n = 4096
	x, err := td.Base.Sample(n, rng)
	if err != nil {
		b.Fatal(err)
	}
	for _, kind := range []string{"log_prob", "sample"} {
		b.Run(fmt.Sprint(kind, n), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if kind == "log_prob" {
					_, err = td.LogProb(x)
				} else {
					_, err = td.Sample(n, rng)
				}
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "points/s")
		})
	}
}
