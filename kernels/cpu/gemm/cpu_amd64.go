//go:build !purego

package gemm

import "golang.org/x/sys/cpu"

// The AVX-512 kernels hold a 14×32 float32 (14×16 float64) tile of C in 28
// ZMM registers; the AVX2 kernels a 6×16 (6×8) tile in 12 YMM registers.
// Blocks: kc·nr of B (32 KiB float32) stays in L1 across the tiles of a
// column of the mc×kc block of A, which stays in L2; kc×nc of B stays in L2.
var (
	avx512Impl = impl{
		name: "avx512",
		s: &kernels[float32]{
			mr: 14, nr: 32, kc: 256, mc: 14 * 12, nc: 1024,
			col: savx512col, row: savx512row, masked: true,
			colBias: savx512colbias, rowBias: savx512rowbias,
			transpose: stransposeAVX512, packCols: spackColsAVX512,
		},
		d: &kernels[float64]{
			mr: 14, nr: 16, kc: 256, mc: 14 * 12, nc: 512,
			col: davx512col, row: davx512row, masked: true,
			colBias: davx512colbias, rowBias: davx512rowbias,
		},
	}
	avx2Impl = impl{
		name: "avx2",
		s: &kernels[float32]{
			mr: 6, nr: 16, kc: 256, mc: 6 * 24, nc: 1024,
			col: widen(savx2col), row: widen(savx2row),
		},
		d: &kernels[float64]{
			mr: 6, nr: 8, kc: 256, mc: 6 * 24, nc: 512,
			col: widen(davx2col), row: widen(davx2row),
		},
	}
)

// widen copies a table of at most maxMR kernels into a full-size table.
func widen[T float](k [7]microKernel[T]) (t [maxMR + 1]microKernel[T]) {
	copy(t[:], k[:])
	return t
}

// avx2Supported reports whether the CPU and OS support AVX2 and FMA.
func avx2Supported() bool { return cpu.X86.HasAVX2 && cpu.X86.HasFMA }

// detect returns the fastest implementation this machine supports. cpu.X86
// reports AVX-512 only when the OS saves the ZMM and opmask state.
func detect() *impl {
	switch {
	case cpu.X86.HasAVX512F:
		return &avx512Impl
	case avx2Supported():
		return &avx2Impl
	}
	return &genericImpl
}
