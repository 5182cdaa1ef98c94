package gemm

import "github.com/nflowgo/nflow/kernels/cpu/vec"

// Sgemm computes C = alpha·op(A)·op(B) + beta·C in single precision, where
// op(X) = Xᵀ when transX is true and X otherwise. op(A) is m×k, op(B) is k×n
// and C is m×n; all three are row-major with leading dimensions lda, ldb and
// ldc, so that A is stored m×k (k×m when transA) with A[i, j] at a[i·lda + j],
// and likewise B and C.
//
// When beta = 0, C need not be initialized: NaN and Inf in C are ignored.
// When alpha = 0 or k = 0, A and B are not read.
//
// Sgemm panics when m, n or k is negative, when a leading dimension is
// smaller than the number of columns of its stored matrix, or when a slice is
// too short to hold its matrix.
//
// Cost: 2·m·n·k flops. Products of at least 16 MFLOP are split across
// SetThreads goroutines. After the first call Sgemm does not allocate.
func Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	var j job
	j.ps = problem[float32]{
		transA: transA, transB: transB, m: m, n: n, k: k,
		alpha: alpha, beta: beta, a: a, b: b, c: c, lda: lda, ldb: ldb, ldc: ldc,
	}
	if !prepare(&j.ps) {
		return
	}
	j.s = active.Load().s
	execute(&j, m, n, k, j.s.mr, j.s.nr)
}

// SgemmBias computes C = act(op(A)·op(B) + bias) in single precision: a
// dense layer's forward, with bias (of length n) added to every row of C
// and act(x) = max(x, 0) when relu is set (NaN stays NaN), x otherwise.
// The arguments are Sgemm's with alpha = 1 and beta = 0; C need not be
// initialized. Each element is Sgemm's sum plus the bias, rounded once, then
// act. The AVX-512 kernels apply bias and act to each tile of C as they
// store it; the others in one pass over C after the product.
//
// SgemmBias panics as Sgemm does, and when len(bias) ≠ n.
func SgemmBias(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, bias []float32, relu bool) {
	if len(bias) != n {
		panic("gemm: len(bias) != n")
	}
	var j job
	j.ps = problem[float32]{
		transA: transA, transB: transB, m: m, n: n, k: k,
		alpha: 1, beta: 0, a: a, b: b, c: c, lda: lda, ldb: ldb, ldc: ldc,
		bias: bias, relu: relu,
	}
	j.s = active.Load().s
	if prepare(&j.ps) {
		execute(&j, m, n, k, j.s.mr, j.s.nr)
		if j.s.colBias[1] != nil {
			return
		}
	}
	if m > 0 && n > 0 { // k = 0 (C cleared), or no bias kernels
		vec.BiasReLU32(c, ldc, m, bias, relu)
	}
}

// Dgemm computes C = alpha·op(A)·op(B) + beta·C in double precision. It is
// Sgemm for float64: the same arguments, layout, panics and cost.
func Dgemm(transA, transB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	var j job
	j.pd = problem[float64]{
		transA: transA, transB: transB, m: m, n: n, k: k,
		alpha: alpha, beta: beta, a: a, b: b, c: c, lda: lda, ldb: ldb, ldc: ldc,
	}
	if !prepare(&j.pd) {
		return
	}
	j.d = active.Load().d
	execute(&j, m, n, k, j.d.mr, j.d.nr)
}

// prepare checks the arguments of p and handles the products that need no
// kernel: it returns false when C is complete.
func prepare[T float](p *problem[T]) bool {
	if p.m < 0 {
		panic("gemm: m < 0")
	}
	if p.n < 0 {
		panic("gemm: n < 0")
	}
	if p.k < 0 {
		panic("gemm: k < 0")
	}
	rowsA, colsA := p.m, p.k
	if p.transA {
		rowsA, colsA = p.k, p.m
	}
	rowsB, colsB := p.k, p.n
	if p.transB {
		rowsB, colsB = p.n, p.k
	}
	checkMatrix("a", len(p.a), rowsA, colsA, p.lda)
	checkMatrix("b", len(p.b), rowsB, colsB, p.ldb)
	checkMatrix("c", len(p.c), p.m, p.n, p.ldc)
	if p.m == 0 || p.n == 0 {
		return false
	}
	if p.alpha == 0 || p.k == 0 {
		scale(p.beta, p.c, p.m, p.n, p.ldc)
		return false
	}
	return true
}

// checkMatrix panics unless a slice of length size holds a rows×cols
// row-major matrix with leading dimension ld ≥ max(1, cols).
func checkMatrix(name string, size, rows, cols, ld int) {
	if ld < max(1, cols) {
		panic("gemm: ld" + name + " smaller than the columns of " + name)
	}
	if rows > 0 && cols > 0 && size < (rows-1)*ld+cols {
		panic("gemm: " + name + " too short for its rows, columns and leading dimension")
	}
}

// scale sets the m×n matrix C to beta·C, or to zero when beta = 0.
func scale[T float](beta T, c []T, m, n, ldc int) {
	if beta == 1 {
		return
	}
	for i := 0; i < m; i++ {
		row := c[i*ldc : i*ldc+n]
		if beta == 0 {
			clear(row)
			continue
		}
		for j := range row {
			row[j] *= beta
		}
	}
}
