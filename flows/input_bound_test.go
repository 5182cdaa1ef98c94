package flows

import (
	"math"
	"strings"
	"testing"

	"github.com/nflowgo/nflow/bijectors"
)

// TestInputBound checks that Spec.InputBound reaches every MAF of the maf
// kind, and that invalid bounds are refused with the value named.
func TestInputBound(t *testing.T) {
	for _, kind := range []string{"maf", "iaf"} {
		model, err := Build(Spec{Kind: kind, EventSize: 3, Layers: 3, Hidden: []int{4}, InputBound: 2.5})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		walkBijectors(model.Bijector, func(b bijectors.Bijector) {
			if m, ok := b.(*bijectors.MaskedAutoregressiveFlow); ok {
				n++
				if m.InputBound != 2.5 {
					t.Errorf("%s: a MAF has InputBound %g, want 2.5", kind, m.InputBound)
				}
			}
		})
		if n != 3 {
			t.Errorf("%s: found %d MAFs, want 3", kind, n)
		}
	}
	for _, b := range []float64{-1, math.NaN(), math.Inf(1)} {
		_, err := Build(Spec{Kind: "maf", EventSize: 2, InputBound: b})
		if err == nil || !strings.Contains(err.Error(), "input bound") {
			t.Errorf("InputBound %g: error %v, want one naming the input bound", b, err)
		}
	}
}
