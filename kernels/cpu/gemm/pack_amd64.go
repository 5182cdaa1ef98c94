//go:build !purego

package gemm

// spackColsAVX512 copies kc rows of rows ≤ 16 contiguous float32s, src
// with stride lds, into dst with stride rows: packA's panel of a
// transposed A, without a copy call per row.
//
//go:noescape
func spackColsAVX512(dst *float32, src *float32, lds, kc, rows int)
