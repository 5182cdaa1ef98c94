// Package gemm multiplies dense matrices on the CPU:
//
//	C = alpha·op(A)·op(B) + beta·C,  op(X) = X or Xᵀ,
//
// with op(A) m×k, op(B) k×n and C m×n, all row-major (CBLAS RowMajor). Sgemm
// works in float32, Dgemm in float64. A dense layer y = x·W with x [N, in]
// and W [in, out] needs three products per training step, and all three are
// fast:
//
//	forward   y  = x·W    Sgemm(false, false, N, out, in, ...)
//	backward  gx = gy·Wᵀ  Sgemm(false, true, N, in, out, ...)
//	backward  gW = xᵀ·gy  Sgemm(true, false, in, out, N, ...)
//
// # Algorithm
//
// The product is blocked as in Goto and van de Geijn, "Anatomy of
// high-performance matrix multiplication" (ACM TOMS 34(3), 2008): k in blocks
// of kc = 256, n in blocks of nc, m in blocks of mc, so that a kc×nr panel of
// B stays in L1 and an mc×kc block of A in L2. A microkernel written in Go
// assembly keeps an mr×nr tile of C in vector registers and performs 2·mr
// fused multiply-adds per step of k:
//
//	avx512: 14×32 float32 (14×16 float64) in 28 ZMM registers
//	avx2:    6×16 float32 ( 6×8  float64) in 12 YMM registers
//	generic: 4×4 in pure Go, on every machine
//
// The kernels read A and B in place wherever their layout allows and packing
// would not pay (small products, the shapes of a dense layer); otherwise they
// pack panels of A and B into contiguous buffers, transposing with AVX-512
// shuffles for float32. Rows are split into balanced panels (32 rows run as
// 11+11+10), and the AVX-512 kernels store partial columns with opmasks; the
// others go through a scratch tile.
//
// The implementation is chosen at start-up from the CPU features reported by
// golang.org/x/sys/cpu, which also checks that the OS saves the AVX-512
// state. Impl reports it; ForceGeneric selects the pure-Go kernels. The
// purego build tag leaves out the assembly.
//
// # Threads and allocation
//
// Products of at least 16 MFLOP are cut along the larger of m and n into up to
// four chunks per goroutine, which the caller and SetThreads-1 persistent
// workers (default runtime.GOMAXPROCS(0) in all) claim in turn: a worker that
// wakes late, or whose CPU is busy, claims fewer, and one that has not
// started is withdrawn. Workers poll for 100 µs before they sleep, since
// waking a sleeping one can cost more than a small product. On a machine
// whose CPUs are busy with other processes, SetThreads(1) can be faster:
// a chunk claimed by a descheduled worker holds up the product.
//
// Code that already keeps every CPU busy (a batch split across CPUs) runs
// inside Serial, where every product stays on its calling goroutine.
//
// Each goroutine owns its packing buffers, so after the first call products
// do not allocate, threaded or not. Products may run concurrently; one that
// finds the workers busy runs on its own goroutine.
//
// The assembly and its declarations are generated: run go generate.
package gemm

//go:generate go run ./internal/kerngen
