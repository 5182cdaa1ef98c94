package vec

//go:noescape
func reluAVX2(y *float32, n int)

//go:noescape
func reluGradAVX2(gz, y, gy *float32, n int)

//go:noescape
func reluGradAVX512(gz, y, gy *float32, n int)

// ReLU32 sets y[i] = max(y[i], 0) in place (NaN stays NaN).
func ReLU32(y []float32) {
	if useAdamAVX2 && len(y) >= 8 {
		k := len(y) &^ 7
		reluAVX2(&y[0], k)
		y = y[k:]
	}
	reluGo(y)
}

// ReLUGrad32 sets gz[i] = gy[i] where y[i] > 0 and 0 elsewhere: the
// gradient through a ReLU from its output y.
func ReLUGrad32(gz, y, gy []float32) {
	y, gy = y[:len(gz)], gy[:len(gz)]
	if useAdamAVX512 && len(gz) >= 32 {
		k := len(gz) &^ 31
		reluGradAVX512(&gz[0], &y[0], &gy[0], k)
		gz, y, gy = gz[k:], y[k:], gy[k:]
	}
	if useAdamAVX2 && len(gz) >= 8 {
		k := len(gz) &^ 7
		reluGradAVX2(&gz[0], &y[0], &gy[0], k)
		gz, y, gy = gz[k:], y[k:], gy[k:]
	}
	reluGradGo(gz, y, gy)
}

// biasAVX2 is biasGo over columns [0, cols) of each row, cols a positive
// multiple of 8.
//
//go:noescape
func biasAVX2(c *float32, ldc, rows int, b *float32, cols int, relu bool)

// biasAVX512 is biasGo over columns [0, cols) of each row, for any
// cols ≥ 1.
//
//go:noescape
func biasAVX512(c *float32, ldc, rows int, b *float32, cols int, relu bool)
