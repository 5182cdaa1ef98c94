package train

import (
	"fmt"
	"testing"

	"github.com/nflowgo/nflow/bijectors"
	"github.com/nflowgo/nflow/dist"
	"github.com/nflowgo/nflow/ops"
	"gorgonia.org/tensor"
)

// BenchmarkLabStep times one compiled training step of the lab's model
// (3 MAFs, MADE [128, 128], 52,236 parameters).
func BenchmarkLabStep(b *testing.B) {
	for _, batch := range []int{32, 256, 4096} {
		b.Run(fmt.Sprintf("batch%d", batch), func(b *testing.B) {
			flow := must(bijectors.NewMAFStack(3, bijectors.MADEConfig{EventSize: 2, HiddenUnits: []int{128, 128}, Activation: ops.ReLU}, ops.ScaleSoftplus))
			m := must(dist.NewTransformedDistribution(must(dist.StandardNormal(2, tensor.Float32)), flow))
			tr := must(NewTrainer(m, Config{}))
			x := moons(batch, 1, tensor.Float32)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := tr.Step(x); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "steps/s")
		})
	}
}
