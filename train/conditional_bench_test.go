package train

import (
	"fmt"
	"testing"

	"github.com/nflowgo/nflow/bijectors"
	"github.com/nflowgo/nflow/dist"
	"github.com/nflowgo/nflow/ops"
	"gorgonia.org/tensor"
)

// BenchmarkConditionalLabStep times one compiled StepGiven of the lab's
// model conditioned on a one-hot label (3 MAFs, MADE [128, 128], context 2).
func BenchmarkConditionalLabStep(b *testing.B) {
	for _, batch := range []int{32, 256} {
		b.Run(fmt.Sprintf("batch%d", batch), func(b *testing.B) {
			flow := must(bijectors.NewMAFStack(3, bijectors.MADEConfig{EventSize: 2, HiddenUnits: []int{128, 128},
				Activation: ops.ReLU, ContextSize: 2}, ops.ScaleSoftplus))
			m := must(dist.NewTransformedDistribution(must(dist.StandardNormal(2, tensor.Float32)), flow))
			tr := must(NewTrainer(m, Config{}))
			x, c := labelledMoons(batch, 1, tensor.Float32, false)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := tr.StepGiven(x, c); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "steps/s")
		})
	}
}
