package gemm

import "sync/atomic"

// float is the element type of a product.
type float interface{ float32 | float64 }

// microKernel computes one tile of C of at most mr×nr elements, where mr is
// fixed by the kernel and nr is the tile width of its kernel set:
//
//	C[0:mr, 0:nr'] = alpha·Σ_{p<kc} A[:, p]·B[p, 0:nr'] + beta·C[0:mr, 0:nr'],
//
// with nr' = nr for kernel sets that are not masked. B[p, j] is at
// b[p·bs + j] for j < ks.nr; C[i, j] is at c[i·ldc + j]. A is addressed as
// the table holding the kernel says (kernels.col or kernels.row). When
// beta = 0, C is not read. Cost: 2·mr·nr·kc flops.
type microKernel[T float] func(kc int, a *T, as int, b *T, bs int, c *T, ldc, nr int, alpha, beta T)

// biasKernel is a microKernel with the bias epilogue (masked kernel sets):
// it stores act(alpha·Σ + beta·C + bias[0:nr']) with act(x) = max(x, 0)
// when relu ≠ 0 (NaN stays NaN) and x otherwise, the sum rounded as the
// plain kernel rounds it and the bias added to it.
type biasKernel[T float] func(kc int, a *T, as int, b *T, bs int, c *T, ldc, nr int, alpha, beta T, bias *T, relu int)

// maxMR is the largest tile height of any kernel set.
const maxMR = 14

// kernels is the microkernel set and blocking of one implementation for one
// element type.
type kernels[T float] struct {
	mr, nr     int // tile height and width
	kc, mc, nc int // block sizes along k, m and n; mc is a multiple of mr, nc of nr

	// col[r] computes r rows with A[i, p] at a[i + p·as]: a packed panel
	// (as = r) or Aᵀ read in place (as = lda).
	col [maxMR + 1]microKernel[T]
	// row[r] computes r rows with A[i, p] at a[i·as + p]: A read in place.
	row [maxMR + 1]microKernel[T]

	// colBias and rowBias are col and row with the bias epilogue, for the
	// last k block of SgemmBias; nil where the set has none (SgemmBias then
	// adds the bias in a pass after the product).
	colBias, rowBias [maxMR + 1]biasKernel[T]

	// masked reports whether the kernels store only nr' < nr columns
	// themselves; otherwise partial tiles go through a scratch tile.
	masked bool

	// transpose, when not nil, transposes blocks of 16 columns of a
	// rows×16·blocks matrix (rows ≤ 16) at src with leading dimension lds
	// into a 16·blocks×rows matrix at dst with leading dimension ldd.
	transpose func(dst *T, ldd int, src *T, lds int, rows, blocks int)

	// packCols, when not nil, copies kc rows of rows ≤ mr contiguous
	// elements from src (stride lds) to dst (stride rows): a panel of a
	// transposed A for packA.
	packCols func(dst *T, src *T, lds, kc, rows int)
}

// impl is one implementation: a name and its kernels for both element types.
type impl struct {
	name string
	s    *kernels[float32]
	d    *kernels[float64]
}

var (
	// best is the fastest implementation this machine supports.
	best *impl
	// active is the implementation in use, best or generic.
	active atomic.Pointer[impl]
)

func init() {
	best = detect()
	active.Store(best)
}

// Impl reports the kernels in use: "avx512", "avx2" or "generic".
func Impl() string { return active.Load().name }

// ForceGeneric selects the pure-Go kernels when on is true and the fastest
// kernels this machine supports when on is false. It is meant for tests and
// benchmarks; products running concurrently keep the kernels they started
// with.
func ForceGeneric(on bool) {
	if on {
		active.Store(&genericImpl)
	} else {
		active.Store(best)
	}
}

// impls returns the implementations this machine can run, fastest first.
func impls() []*impl {
	all := []*impl{best}
	if best != &avx2Impl && avx2Supported() {
		all = append(all, &avx2Impl)
	}
	if best != &genericImpl {
		all = append(all, &genericImpl)
	}
	return all
}

// setImpl selects the implementation called name and reports whether this
// machine supports it. It is for tests.
func setImpl(name string) bool {
	for _, im := range impls() {
		if im.name == name {
			active.Store(im)
			return true
		}
	}
	return false
}
