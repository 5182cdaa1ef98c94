package gemm

import "unsafe"

// genericImpl runs on every machine: a 4×4 tile of C in scalar Go.
var genericImpl = impl{
	name: "generic",
	s:    newGenericKernels[float32](),
	d:    newGenericKernels[float64](),
}

// genericMR and genericNR are the tile sizes of the pure-Go kernel.
const (
	genericMR = 4
	genericNR = 4
)

func newGenericKernels[T float]() *kernels[T] {
	ks := &kernels[T]{
		mr: genericMR, nr: genericNR, kc: 256, mc: genericMR * 32, nc: 1024,
		masked: true,
	}
	for r := 1; r <= genericMR; r++ {
		ks.col[r] = func(kc int, a *T, as int, b *T, bs int, c *T, ldc, nr int, alpha, beta T) {
			kernelGo(r, kc, unsafe.Slice(a, (kc-1)*as+r), 1, as, b, bs, c, ldc, nr, alpha, beta)
		}
		ks.row[r] = func(kc int, a *T, as int, b *T, bs int, c *T, ldc, nr int, alpha, beta T) {
			kernelGo(r, kc, unsafe.Slice(a, (r-1)*as+kc), as, 1, b, bs, c, ldc, nr, alpha, beta)
		}
	}
	return ks
}

// kernelGo computes an mr×nr tile of C, mr ≤ 4, nr ≤ 4, with A[i, p] at
// a[i·ri + p·pi] and B[p, j] at b[p·bs + j] for j < 4. Rows past mr repeat
// row 0 so that every load stays inside A; their sums are dropped.
func kernelGo[T float](mr, kc int, a []T, ri, pi int, bp *T, bs int, cp *T, ldc, nr int, alpha, beta T) {
	b := unsafe.Slice(bp, (kc-1)*bs+genericNR)
	c := unsafe.Slice(cp, (mr-1)*ldc+nr)
	var o1, o2, o3 int
	if mr > 1 {
		o1 = ri
	}
	if mr > 2 {
		o2 = 2 * ri
	}
	if mr > 3 {
		o3 = 3 * ri
	}
	var (
		c00, c01, c02, c03 T
		c10, c11, c12, c13 T
		c20, c21, c22, c23 T
		c30, c31, c32, c33 T
	)
	ia, ib := 0, 0
	for p := 0; p < kc; p++ {
		a0, a1, a2, a3 := a[ia], a[ia+o1], a[ia+o2], a[ia+o3]
		bb := b[ib : ib+4 : ib+4]
		b0, b1, b2, b3 := bb[0], bb[1], bb[2], bb[3]
		c00 += a0 * b0
		c01 += a0 * b1
		c02 += a0 * b2
		c03 += a0 * b3
		c10 += a1 * b0
		c11 += a1 * b1
		c12 += a1 * b2
		c13 += a1 * b3
		c20 += a2 * b0
		c21 += a2 * b1
		c22 += a2 * b2
		c23 += a2 * b3
		c30 += a3 * b0
		c31 += a3 * b1
		c32 += a3 * b2
		c33 += a3 * b3
		ia += pi
		ib += bs
	}
	acc := [genericMR][genericNR]T{
		{c00, c01, c02, c03},
		{c10, c11, c12, c13},
		{c20, c21, c22, c23},
		{c30, c31, c32, c33},
	}
	for i := 0; i < mr; i++ {
		row := c[i*ldc : i*ldc+nr]
		if beta == 0 {
			for j := range row {
				row[j] = alpha * acc[i][j]
			}
			continue
		}
		for j := range row {
			row[j] = alpha*acc[i][j] + beta*row[j]
		}
	}
}
