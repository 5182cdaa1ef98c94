package train

import "math"

// clipGrads rescales the gradients g32 (or g64) in place so that their
// global L2 norm is at most clip (no change when clip <= 0 or the norm is
// within it). The norm is summed in float64.
func clipGrads(g32 [][]float32, g64 [][]float64, clip float64) {
	if clip <= 0 {
		return
	}
	ss := 0.0
	for _, g := range g32 {
		for _, v := range g {
			ss += float64(v) * float64(v)
		}
	}
	for _, g := range g64 {
		for _, v := range g {
			ss += v * v
		}
	}
	norm := math.Sqrt(ss)
	if !(norm > clip) {
		return
	}
	f := clip / norm
	for _, g := range g32 {
		for i := range g {
			g[i] = float32(float64(g[i]) * f)
		}
	}
	for _, g := range g64 {
		for i := range g {
			g[i] *= f
		}
	}
}
