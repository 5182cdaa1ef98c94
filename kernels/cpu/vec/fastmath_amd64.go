package vec

import "golang.org/x/sys/cpu"

// useFastAVX512 selects the vector kernels of ExpSlice, LogSlice and
// SoftplusSlice (AVX-512 F and DQ: 64-bit integer conversions and masks).
var useFastAVX512 = cpu.X86.HasAVX512F && cpu.X86.HasAVX512DQ

// The kernels evaluate n (a positive multiple of 8) lanes from src into dst
// and return the number done: fewer when a vector holds a lane outside
// their domain (FastExp's and FastSoftplus's [-708, 709], FastLog's
// positive normal numbers; NaN is outside), which they leave unwritten.
//
//go:noescape
func expAVX512(dst, src *float64, n int, c *uint64) int

//go:noescape
func logAVX512(dst, src *float64, n int, c *uint64, tab *float64) int

//go:noescape
func softplusAVX512(dst, src *float64, n int, c *uint64, tab *float64) int

// vectorRun runs f's kernel over the whole vectors of dst and src, each
// vector it refuses through the scalar function, and returns the number of
// elements done (a tail of fewer than 8 is left). It calls the kernels
// directly, so that dst and src do not escape.
func vectorRun(f fastFn, dst, src []float64) int {
	i := 0
	for useFastAVX512 && len(dst)-i >= 8 {
		n := (len(dst) - i) &^ 7
		var done int
		switch f {
		case fnExp:
			done = expAVX512(&dst[i], &src[i], n, &fastConst[0])
		case fnLog:
			done = logAVX512(&dst[i], &src[i], n, &fastConst[0], &logTable[0].c)
		default:
			done = softplusAVX512(&dst[i], &src[i], n, &fastConst[0], &logTable[0].c)
		}
		i += done
		if done < n { // a vector with a lane outside the kernel's domain
			for j := i; j < i+8; j++ {
				dst[j] = f.scalar(src[j])
			}
			i += 8
		}
	}
	return i
}
