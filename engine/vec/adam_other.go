//go:build !amd64

package vec

var useAdamAVX2 = false

// Adam32 is Adam for float32.
func Adam32(p, g, m, v []float32, b1, b2, eps, lrT float64) {
	Adam(p, g, m, v, b1, b2, eps, lrT)
}

// AllFinite32 reports whether every value in every slice is finite.
func AllFinite32(xs [][]float32) bool {
	for _, x := range xs {
		if !allFinite(x) {
			return false
		}
	}
	return true
}
