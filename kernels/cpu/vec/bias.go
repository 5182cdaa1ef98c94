package vec

// biasGo is BiasReLU32's portable kernel over columns [j0, len(b)) of each
// row: c = c + b, then max(c, 0) when relu is set (NaN stays NaN).
func biasGo(c []float32, ldc, rows int, b []float32, j0 int, relu bool) {
	for r := 0; r < rows; r++ {
		row := c[r*ldc : r*ldc+len(b)]
		for j := j0; j < len(b); j++ {
			v := row[j] + b[j]
			if relu && v < 0 {
				v = 0
			}
			row[j] = v
		}
	}
}

// BiasReLU32 adds the bias b to every row of the rows×len(b) block at c
// with leading dimension ldc (row r is c[r·ldc : r·ldc+len(b)]) and, when
// relu is set, applies max(·, 0) (NaN stays NaN): a dense layer's epilogue
// after a product written with beta = 0, in one pass over the block. Each
// element is c + b rounded once, as gemm's beta = 1 update over rows
// filled with b computes it.
func BiasReLU32(c []float32, ldc, rows int, b []float32, relu bool) {
	cols := len(b)
	if rows <= 0 || cols == 0 {
		return
	}
	if ldc < cols {
		panic("vec: BiasReLU32 with ldc < len(b)")
	}
	_ = c[(rows-1)*ldc+cols-1] // bounds for the assembly
	if useAdamAVX512 {
		biasAVX512(&c[0], ldc, rows, &b[0], cols, relu)
		return
	}
	j0 := 0
	if useAdamAVX2 && cols >= 8 {
		j0 = cols &^ 7
		biasAVX2(&c[0], ldc, rows, &b[0], j0, relu)
	}
	if j0 < cols {
		biasGo(c, ldc, rows, b, j0, relu)
	}
}
