//go:build !amd64

package vec

var (
	useAdamAVX2   = false
	useAdamAVX512 = false
)

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

// ReLU32 sets y[i] = max(y[i], 0) in place (NaN stays NaN).
func ReLU32(y []float32) { reluGo(y) }

// ReLUGrad32 sets gz[i] = gy[i] where y[i] > 0 and 0 elsewhere.
func ReLUGrad32(gz, y, gy []float32) { reluGradGo(gz, y[:len(gz)], gy[:len(gz)]) }

func biasAVX2(c *float32, ldc, rows int, b *float32, cols int, relu bool) {
	panic("vec: biasAVX2 without amd64")
}

func biasAVX512(c *float32, ldc, rows int, b *float32, cols int, relu bool) {
	panic("vec: biasAVX512 without amd64")
}
