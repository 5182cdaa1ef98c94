package vec

import "golang.org/x/sys/cpu"

//go:noescape
func adamAVX2(pp, gg, mm, vv *float32, n int, b1, b2, c1, c2, lr, eps float32)

//go:noescape
func adamAVX512(pp, gg, mm, vv *float32, n int, b1, b2, c1, c2, lr, eps float32)

var (
	useAdamAVX2   = cpu.X86.HasAVX2 && cpu.X86.HasFMA
	useAdamAVX512 = cpu.X86.HasAVX512F // x/sys/cpu checks that the OS saves the ZMM state
)

// Adam32 is Adam for float32: AVX-512 over multiples of 16, AVX2 over a
// multiple of 8 of the rest, Go for the tail.
func Adam32(p, g, m, v []float32, b1, b2, eps, lrT float64) {
	n := len(p)
	g, m, v = g[:n], m[:n], v[:n]
	if useAdamAVX512 && n >= 16 {
		k := n &^ 15
		adamAVX512(&p[0], &g[0], &m[0], &v[0], k, float32(b1), float32(b2), float32(1-b1), float32(1-b2), float32(lrT), float32(eps))
		p, g, m, v = p[k:], g[k:], m[k:], v[k:]
		n -= k
	}
	if useAdamAVX2 && n >= 8 {
		k := n &^ 7
		adamAVX2(&p[0], &g[0], &m[0], &v[0], k, float32(b1), float32(b2), float32(1-b1), float32(1-b2), float32(lrT), float32(eps))
		p, g, m, v = p[k:], g[k:], m[k:], v[k:]
	}
	Adam(p, g, m, v, b1, b2, eps, lrT)
}

//go:noescape
func nanProbeAVX2(x *float32, n int) float32

// AllFinite32 reports whether every value in every slice is finite.
func AllFinite32(xs [][]float32) bool {
	for _, x := range xs {
		if useAdamAVX2 && len(x) >= 8 {
			k := len(x) &^ 7
			if s := nanProbeAVX2(&x[0], k); s != 0 {
				return false
			}
			x = x[k:]
		}
		if !allFinite(x) {
			return false
		}
	}
	return true
}
