package gemm

// problem holds the arguments of one product C = alpha·op(A)·op(B) + beta·C.
type problem[T float] struct {
	transA, transB bool
	m, n, k        int
	alpha, beta    T
	a, b, c        []T
	lda, ldb, ldc  int

	// bias, when not nil, is added to every row of C after the product
	// (SgemmBias), then max(·, 0) when relu is set.
	bias []T
	relu bool
}

// buffers are one goroutine's packing buffers for one element type.
type buffers[T float] struct {
	a    []T // mc×kc block of A, in panels of mr rows
	b    []T // kc×nc block of B, in panels of nr columns
	tile []T // mr×nr tile for partial tiles of unmasked kernels
}

// reserve makes the buffers large enough for ks. It allocates only on the
// first use of a kernel set with larger blocks.
func (bf *buffers[T]) reserve(ks *kernels[T]) {
	if n := ks.mc * ks.kc; len(bf.a) < n {
		bf.a = make([]T, n)
	}
	if n := ks.kc * ks.nc; len(bf.b) < n {
		bf.b = make([]T, n)
	}
	if n := ks.mr * ks.nr; len(bf.tile) < n {
		bf.tile = make([]T, n)
	}
}

// How a block reads A.
const (
	aPacked = iota // packed into panels by packA
	aCol           // Aᵀ stored k×m, read in place: op(A)[i, p] at a[p·lda + i]
	aRow           // A stored m×k, read in place: op(A)[i, p] at a[i·lda + p]
)

// Packing strategies; tests select each in turn.
const (
	packAuto   = iota // pack where it pays
	packAlways        // pack A and B always
	packNever         // read A and B in place wherever their layout allows
)

var packing = packAuto

// Thresholds of packAuto, measured on a Xeon with AVX-512. Packing A costs
// m·k moves against 2·m·n·k flops, so it pays once n is large, and for Aᵀ
// read in place also once lda is large: each step p then touches a new cache
// line, and a large power of two maps them all to a few cache sets. Packing
// B costs k·n moves against 2·m·n·k flops, so it pays once m is large, or
// once m is moderate and ldb large.
const (
	rowAMaxN     = 256 // A read in place when n ≤ rowAMaxN
	colAMaxLd    = 192 // and, for Aᵀ, lda ≤ colAMaxLd
	directBMaxM  = 512 // B read in place when m ≤ directBMaxM and ldb ≤ directBMaxLd,
	directBMaxLd = 256
	smallM       = 64 // or when m ≤ smallM
)

// plan returns how the block C[i0:i1, j0:j1] reads A and whether it reads
// whole panels of B in place.
func plan[T float](p *problem[T], i0, i1, j0, j1 int) (aMode int, directB bool) {
	switch packing {
	case packAlways:
		return aPacked, false
	case packNever:
		if p.transA {
			return aCol, !p.transB
		}
		return aRow, !p.transB
	}
	aMode = aPacked
	switch {
	case j1-j0 > rowAMaxN:
	case !p.transA:
		aMode = aRow
	case p.lda <= colAMaxLd:
		aMode = aCol
	}
	m := i1 - i0
	return aMode, !p.transB && (m <= smallM || m <= directBMaxM && p.ldb <= directBMaxLd)
}

// compute computes the block C[i0:i1, j0:j1] of p with the kernels ks and the
// buffers bf, blocking k by ks.kc, n by ks.nc and m by ks.mc.
// Cost: 2·(i1-i0)·(j1-j0)·k flops.
func compute[T float](ks *kernels[T], bf *buffers[T], p *problem[T], i0, i1, j0, j1 int) {
	bf.reserve(ks)
	aMode, directB := plan(p, i0, i1, j0, j1)
	for jc := j0; jc < j1; jc += ks.nc {
		nc := min(ks.nc, j1-jc)
		for pc := 0; pc < p.k; pc += ks.kc {
			kc := min(ks.kc, p.k-pc)
			beta := p.beta
			if pc > 0 {
				beta = 1
			}
			for jr := 0; jr < nc; jr += ks.nr {
				if w := min(ks.nr, nc-jr); !directB || w < ks.nr {
					packB(ks, p, bf.b[jr*kc:], pc, kc, jc+jr, w)
				}
			}
			for ic := i0; ic < i1; ic += ks.mc {
				mc := min(ks.mc, i1-ic)
				if aMode == aPacked {
					packA(ks, p, bf.a, ic, mc, pc, kc)
				}
				macro(ks, bf, p, aMode, directB, ic, mc, jc, nc, pc, kc, beta, p.bias != nil && ks.colBias[1] != nil && pc+kc == p.k)
			}
		}
	}
}

// macro runs the microkernels over C[ic:ic+mc, jc:jc+nc] for the k-range
// [pc, pc+kc), one panel of B at a time so that it stays in L1 while the
// panels of A stream from L2.
//
// With epi (the last k block of a product with a bias, on a kernel set with
// bias kernels) the tiles are stored through the bias kernels.
func macro[T float](ks *kernels[T], bf *buffers[T], p *problem[T], aMode int, directB bool, ic, mc, jc, nc, pc, kc int, beta T, epi bool) {
	relu := 0
	if p.relu {
		relu = 1
	}
	np := panels(mc, ks.mr)
	for jr := 0; jr < nc; jr += ks.nr {
		w := min(ks.nr, nc-jr)
		bp, bs := &bf.b[jr*kc], ks.nr
		if directB && w == ks.nr {
			bp, bs = &p.b[pc*p.ldb+jc+jr], p.ldb
		}
		off := 0
		for q := 0; q < np; q++ {
			rows := panelRows(mc, np, q)
			i := ic + off
			var (
				ap *T
				as int
				fn microKernel[T]
				fb biasKernel[T]
			)
			switch aMode {
			case aPacked:
				ap, as, fn, fb = &bf.a[off*kc], rows, ks.col[rows], ks.colBias[rows]
			case aCol:
				ap, as, fn, fb = &p.a[pc*p.lda+i], p.lda, ks.col[rows], ks.colBias[rows]
			default:
				ap, as, fn, fb = &p.a[i*p.lda+pc], p.lda, ks.row[rows], ks.rowBias[rows]
			}
			ci := i*p.ldc + jc + jr
			if epi { // masked: w columns of the bias are read
				fb(kc, ap, as, bp, bs, &p.c[ci], p.ldc, w, p.alpha, beta, &p.bias[jc+jr], relu)
			} else if w == ks.nr || ks.masked {
				fn(kc, ap, as, bp, bs, &p.c[ci], p.ldc, w, p.alpha, beta)
			} else {
				fn(kc, ap, as, bp, bs, &bf.tile[0], ks.nr, ks.nr, p.alpha, 0)
				addTile(bf.tile, ks.nr, p.c[ci:], p.ldc, rows, w, beta)
			}
			off += rows
		}
	}
}
