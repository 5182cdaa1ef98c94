package data

import (
	"math"
	"testing"
)

func TestLinspace(t *testing.T) {
	for _, test := range []struct {
		start, stop float64
		n           int
		endpoint    bool
		want        []float64
	}{
		{0, 1, 0, true, []float64{}},
		{0, 1, 1, true, []float64{0}},
		{0, 1, 1, false, []float64{0}},
		{0, 1, 2, true, []float64{0, 1}},
		{0, 1, 5, true, []float64{0, 0.25, 0.5, 0.75, 1}},
		{0, 1, 4, false, []float64{0, 0.25, 0.5, 0.75}},
		{0, math.Pi, 3, true, []float64{0, math.Pi / 2, math.Pi}},
	} {
		got := linspace(test.start, test.stop, test.n, test.endpoint)
		if len(got) != len(test.want) {
			t.Errorf("linspace(%v, %v, %d, %t): len %d, want %d", test.start, test.stop, test.n, test.endpoint, len(got), len(test.want))
			continue
		}
		for i := range got {
			if math.Abs(got[i]-test.want[i]) > 1e-15 {
				t.Errorf("linspace(%v, %v, %d, %t)[%d] = %v, want %v", test.start, test.stop, test.n, test.endpoint, i, got[i], test.want[i])
			}
		}
	}
}
