package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"testing"
)

// sentinel marks the elements of C outside the matrix; they must not change.
const sentinel = -12345

// testCase is one product with inputs stored in float64.
type testCase struct {
	transA, transB bool
	m, n, k        int
	alpha, beta    float64
	lda, ldb, ldc  int
	a, b, c        []float64 // c: C before the product
	nanC           bool      // C holds NaN (with beta = 0)
}

func newCase(rnd *rand.Rand, transA, transB bool, m, n, k int, alpha, beta float64, pad int) *testCase {
	tc := &testCase{transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, beta: beta}
	rowsA, colsA := m, k
	if transA {
		rowsA, colsA = k, m
	}
	rowsB, colsB := k, n
	if transB {
		rowsB, colsB = n, k
	}
	tc.lda, tc.ldb, tc.ldc = max(1, colsA+pad), max(1, colsB+pad), max(1, n+pad)
	fill := func(rows, cols, ld int) []float64 {
		if rows == 0 || cols == 0 {
			return nil
		}
		x := make([]float64, (rows-1)*ld+cols)
		for i := range x {
			x[i] = sentinel
		}
		for i := 0; i < rows; i++ {
			for j := 0; j < cols; j++ {
				x[i*ld+j] = 2*rnd.Float64() - 1
			}
		}
		return x
	}
	tc.a = fill(rowsA, colsA, tc.lda)
	tc.b = fill(rowsB, colsB, tc.ldb)
	tc.c = fill(m, n, tc.ldc)
	if beta == 0 && len(tc.c) > 0 {
		tc.nanC = true
		for i := 0; i < m; i++ {
			for j := 0; j < n; j++ {
				if (i+j)%2 == 0 {
					tc.c[i*tc.ldc+j] = math.NaN()
				} else {
					tc.c[i*tc.ldc+j] = math.Inf(1)
				}
			}
		}
	}
	return tc
}

func (tc *testCase) String() string {
	return fmt.Sprintf("transA=%v transB=%v m=%d n=%d k=%d alpha=%v beta=%v lda=%d ldb=%d ldc=%d",
		tc.transA, tc.transB, tc.m, tc.n, tc.k, tc.alpha, tc.beta, tc.lda, tc.ldb, tc.ldc)
}

// want returns the product by a triple loop in float64 and, for each element
// of C, the sum of the magnitudes of its terms, which bounds rounding errors.
func (tc *testCase) want() (c, mag []float64) {
	c = append([]float64(nil), tc.c...)
	mag = make([]float64, len(c))
	for i := 0; i < tc.m; i++ {
		for j := 0; j < tc.n; j++ {
			var sum, abs float64
			for p := 0; p < tc.k; p++ {
				ai := i*tc.lda + p
				if tc.transA {
					ai = p*tc.lda + i
				}
				bi := p*tc.ldb + j
				if tc.transB {
					bi = j*tc.ldb + p
				}
				sum += tc.a[ai] * tc.b[bi]
				abs += math.Abs(tc.a[ai] * tc.b[bi])
			}
			ci := i*tc.ldc + j
			if tc.beta == 0 {
				c[ci] = tc.alpha * sum
				mag[ci] = math.Abs(tc.alpha) * abs
			} else {
				mag[ci] = math.Abs(tc.alpha)*abs + math.Abs(tc.beta*c[ci])
				c[ci] = tc.alpha*sum + tc.beta*c[ci]
			}
		}
	}
	return c, mag
}

func convert[T float](x []float64) []T {
	y := make([]T, len(x))
	for i, v := range x {
		y[i] = T(v)
	}
	return y
}

// check runs tc in precision T and compares C with want within
// (k+2)·eps·mag, and the elements outside C with the sentinel.
func check[T float](t *testing.T, label string, tc *testCase, want, mag []float64) {
	t.Helper()
	a, b, c := convert[T](tc.a), convert[T](tc.b), convert[T](tc.c)
	switch c := any(c).(type) {
	case []float32:
		Sgemm(tc.transA, tc.transB, tc.m, tc.n, tc.k, float32(tc.alpha), any(a).([]float32), tc.lda,
			any(b).([]float32), tc.ldb, float32(tc.beta), c, tc.ldc)
	case []float64:
		Dgemm(tc.transA, tc.transB, tc.m, tc.n, tc.k, tc.alpha, any(a).([]float64), tc.lda,
			any(b).([]float64), tc.ldb, tc.beta, c, tc.ldc)
	}
	eps := 0x1p-52
	if _, ok := any(a).([]float32); ok {
		eps = 0x1p-23
	}
	tol := float64(tc.k+2) * eps
	for i := range c {
		got := float64(c[i])
		if i%tc.ldc >= tc.n {
			if got != sentinel {
				t.Fatalf("%s %v: element %d outside C changed to %v", label, tc, i, got)
			}
			continue
		}
		if d := math.Abs(got - want[i]); !(d <= tol*mag[i]+1e-300) {
			t.Fatalf("%s %v: C[%d, %d] = %v, want %v (|diff| %g > %g)",
				label, tc, i/tc.ldc, i%tc.ldc, got, want[i], d, tol*mag[i])
		}
	}
}

var packingNames = map[int]string{packAuto: "auto", packAlways: "pack", packNever: "direct"}

// forEachImpl runs f for every implementation this machine supports and
// every packing strategy, restoring the defaults afterwards.
func forEachImpl(t *testing.T, f func(label string)) {
	t.Helper()
	defer func() {
		ForceGeneric(false)
		packing = packAuto
	}()
	for _, im := range impls() {
		if !setImpl(im.name) {
			t.Fatalf("setImpl(%q) failed", im.name)
		}
		for _, pk := range []int{packAuto, packAlways, packNever} {
			packing = pk
			f(im.name + "/" + packingNames[pk])
		}
	}
}

func TestImpls(t *testing.T) {
	names := map[string]bool{}
	for _, im := range impls() {
		names[im.name] = true
	}
	if !names["generic"] || !names[Impl()] {
		t.Fatalf("impls %v: want generic and %q", names, Impl())
	}
	ForceGeneric(true)
	if got := Impl(); got != "generic" {
		t.Errorf("Impl after ForceGeneric(true) = %q", got)
	}
	ForceGeneric(false)
	t.Logf("best implementation: %s; all: %v", Impl(), names)
}

func TestGemmShapes(t *testing.T) {
	sizes := []int{1, 3, 7, 17, 33, 65, 130}
	if testing.Short() {
		sizes = []int{1, 3, 17, 33}
	}
	scalars := [][2]float64{{1, 0}, {0.5, 1}, {1, 0.5}, {-2, 1}}
	rnd := rand.New(rand.NewPCG(1, 2))
	var cases []*testCase
	idx := 0
	for _, m := range sizes {
		for _, n := range sizes {
			for _, k := range sizes {
				for tr := 0; tr < 4; tr++ {
					s := scalars[idx%len(scalars)]
					cases = append(cases, newCase(rnd, tr&1 != 0, tr&2 != 0, m, n, k, s[0], s[1], 3*(idx%3%2)))
					idx++
				}
			}
		}
	}
	testCases(t, cases)
}

func testCases(t *testing.T, cases []*testCase) {
	t.Helper()
	for _, tc := range cases {
		want, mag := tc.want()
		forEachImpl(t, func(label string) {
			check[float32](t, label, tc, want, mag)
			check[float64](t, label, tc, want, mag)
		})
	}
}

func TestGemmAlphaBeta(t *testing.T) {
	rnd := rand.New(rand.NewPCG(3, 4))
	var cases []*testCase
	for _, alpha := range []float64{0, 1, 0.5, -2} {
		for _, beta := range []float64{0, 1, 0.5, -1} {
			for tr := 0; tr < 4; tr++ {
				for _, shape := range [][3]int{{1, 1, 1}, {15, 33, 9}, {29, 40, 300}} {
					cases = append(cases, newCase(rnd, tr&1 != 0, tr&2 != 0, shape[0], shape[1], shape[2], alpha, beta, 2))
				}
			}
		}
	}
	// k = 0 scales C by beta.
	cases = append(cases, newCase(rnd, false, true, 5, 6, 0, 1, 0.5, 1), newCase(rnd, true, false, 5, 6, 0, 1, 0, 0))
	testCases(t, cases)
}

// TestGemmBlocks covers products larger than the blocks (kc = 256,
// nc ≥ 512, mc ≥ 128) and split across goroutines, along m and along n.
func TestGemmBlocks(t *testing.T) {
	rnd := rand.New(rand.NewPCG(5, 6))
	shapes := [][3]int{{173, 1100, 20}, {40, 1030, 300}, {300, 70, 270}, {130, 130, 600}}
	if testing.Short() {
		shapes = shapes[:2]
	}
	var cases []*testCase
	for i, s := range shapes {
		for tr := 0; tr < 4; tr++ {
			cases = append(cases, newCase(rnd, tr&1 != 0, tr&2 != 0, s[0], s[1], s[2], 1.5, float64(i%2)*0.5, i%2))
		}
	}
	defer SetThreads(0)
	SetThreads(1)
	testCases(t, cases)
	// Threads with the default packing only.
	defer ForceGeneric(false)
	for _, threads := range []int{2, 3} {
		SetThreads(threads)
		for _, tc := range cases {
			want, mag := tc.want()
			for _, im := range impls() {
				setImpl(im.name)
				check[float32](t, im.name, tc, want, mag)
				check[float64](t, im.name, tc, want, mag)
			}
		}
	}
}

func TestGemmEmpty(t *testing.T) {
	c := []float32{1, 2, 3}
	Sgemm(false, false, 0, 3, 4, 1, nil, 4, make([]float32, 12), 3, 0, nil, 3)
	Sgemm(false, false, 1, 0, 4, 1, make([]float32, 4), 4, nil, 1, 0, c, 1)
	if c[0] != 1 {
		t.Errorf("n = 0 changed C: %v", c)
	}
	Sgemm(false, false, 1, 3, 0, 1, nil, 1, nil, 3, 2, c, 3)
	if c[0] != 2 || c[1] != 4 || c[2] != 6 {
		t.Errorf("k = 0, beta = 2: C = %v, want [2 4 6]", c)
	}
}

func TestGemmPanics(t *testing.T) {
	a, b, c := make([]float32, 12), make([]float32, 12), make([]float32, 9)
	for _, tt := range []struct {
		name string
		f    func()
	}{
		{"negative m", func() { Sgemm(false, false, -1, 3, 4, 1, a, 4, b, 3, 0, c, 3) }},
		{"small lda", func() { Sgemm(false, false, 3, 3, 4, 1, a, 3, b, 3, 0, c, 3) }},
		{"small ldb transposed", func() { Sgemm(false, true, 3, 3, 4, 1, a, 4, b, 3, 0, c, 3) }},
		{"short a", func() { Sgemm(false, false, 3, 3, 4, 1, a[:11], 4, b, 3, 0, c, 3) }},
		{"short c", func() { Sgemm(false, false, 3, 3, 4, 1, a, 4, b, 3, 0, c[:8], 3) }},
		{"small ldc", func() {
			Dgemm(false, false, 1, 3, 1, 1, []float64{1}, 1, make([]float64, 3), 3, 0, make([]float64, 3), 2)
		}},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", tt.name)
				}
			}()
			tt.f()
		}()
	}
}

// TestGemmConcurrent runs products from several goroutines at once, so that
// some find the pool busy and use spare workspaces.
func TestGemmConcurrent(t *testing.T) {
	rnd := rand.New(rand.NewPCG(7, 8))
	tc := newCase(rnd, false, true, 200, 150, 120, 1, 0, 1)
	want, mag := tc.want()
	var wg sync.WaitGroup
	for g := 0; g < 6; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 5; i++ {
				check[float32](t, "concurrent", tc, want, mag)
			}
		}()
	}
	wg.Wait()
}

func TestGemmAllocs(t *testing.T) {
	if testing.CoverMode() != "" || raceEnabled {
		t.Skip("instrumented build")
	}
	defer SetThreads(0)
	for _, im := range impls() {
		setImpl(im.name)
		shapes := [][3]int{{32, 128, 128}, {4096, 128, 128}}
		if im.name == "generic" {
			shapes[1] = [3]int{512, 128, 128} // above the threaded threshold, and quicker
		}
		for _, s := range shapes {
			m, n, k := s[0], s[1], s[2]
			a, b, c := make([]float32, m*k), make([]float32, k*n), make([]float32, m*n)
			for _, threads := range []int{1, 2} {
				SetThreads(threads)
				for tr := 0; tr < 4; tr++ {
					ta, tb := tr&1 != 0, tr&2 != 0
					lda, ldb := k, n
					if ta {
						lda = m
					}
					if tb {
						ldb = k
					}
					f := func() { Sgemm(ta, tb, m, n, k, 1, a, lda, b, ldb, 0, c, n) }
					got := testing.AllocsPerRun(3, f)
					// The runtime itself may allocate when the threaded
					// path blocks or wakes a goroutine: a new OS thread,
					// or a sudog after a GC emptied its cache. Those are
					// rare; the product's own path allocates nothing.
					for try := 0; got != 0 && threads > 1 && try < 3; try++ {
						got = testing.AllocsPerRun(3, f)
					}
					if got != 0 {
						t.Errorf("%s %dx%dx%d transA=%v transB=%v threads=%d: %v allocs per product",
							im.name, m, n, k, ta, tb, threads, got)
					}
				}
			}
		}
	}
	ForceGeneric(false)
}

func TestTranspose(t *testing.T) {
	for _, im := range impls() {
		tr := im.s.transpose
		if tr == nil {
			continue
		}
		for rows := 1; rows <= 16; rows++ {
			for blocks := 1; blocks <= 3; blocks++ {
				lds, ldd := 16*blocks+5, rows+2
				src := make([]float32, rows*lds)
				for i := range src {
					src[i] = float32(i)
				}
				dst := make([]float32, 16*blocks*ldd)
				for i := range dst {
					dst[i] = sentinel
				}
				tr(&dst[0], ldd, &src[0], lds, rows, blocks)
				for i := 0; i < 16*blocks; i++ {
					for j := 0; j < ldd; j++ {
						want := float32(sentinel)
						if j < rows {
							want = src[j*lds+i]
						}
						if got := dst[i*ldd+j]; got != want {
							t.Fatalf("%s rows=%d blocks=%d: dst[%d, %d] = %v, want %v", im.name, rows, blocks, i, j, got, want)
						}
					}
				}
			}
		}
	}
}
