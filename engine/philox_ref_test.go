package engine_test

import (
	"math"
	"testing"
)

// philox4x32_10 is Philox-4x32-10 (Salmon et al., SC 2011) in Go: ten
// rounds of (c0, c1, c2, c3) ← (hi(M1·c2) ⊕ c1 ⊕ k0, lo(M1·c2),
// hi(M0·c0) ⊕ c3 ⊕ k1, lo(M0·c0)), the key bumped by the Weyl constants
// between rounds. It is the reference for kernels/philox.cu.
func philox4x32_10(c [4]uint32, k0, k1 uint32) [4]uint32 {
	const m0, m1, w0, w1 = 0xD2511F53, 0xCD9E8D57, 0x9E3779B9, 0xBB67AE85
	for round := 0; round < 10; round++ {
		if round > 0 {
			k0 += w0
			k1 += w1
		}
		p0 := uint64(m0) * uint64(c[0])
		p1 := uint64(m1) * uint64(c[2])
		c = [4]uint32{uint32(p1>>32) ^ c[1] ^ k0, uint32(p1), uint32(p0>>32) ^ c[3] ^ k1, uint32(p0)}
	}
	return c
}

// sinCosPi returns sin πx and cos πx, reduced exactly around the nearest
// multiple of ½ as CUDA's sincospi is accurate there.
func sinCosPi(x float64) (s, c float64) {
	q := math.RoundToEven(2 * x)
	sr, cr := math.Sincos(math.Pi * (x - q/2))
	switch int(math.Mod(q, 4)+4) % 4 {
	case 0:
		return sr, cr
	case 1:
		return cr, -sr
	case 2:
		return -sr, -cr
	}
	return -cr, sr
}

// philoxNormals is what philox_normal writes for count values: element i is
// word i mod 4 of Box–Muller applied to Philox of counter offset + ⌊i/4⌋
// under the key seed.
func philoxNormals(count int, seed, offset uint64) []float32 {
	out := make([]float32, count)
	boxMuller := func(a, b uint32) (float32, float32) {
		const twoM32 = 1.0 / (1 << 32)
		u1, u2 := (float64(a)+0.5)*twoM32, float64(b)*twoM32
		r := math.Sqrt(-2 * math.Log(u1))
		s, c := sinCosPi(2 * u2)
		return float32(r * c), float32(r * s)
	}
	for j := 0; 4*j < count; j++ {
		ctr := offset + uint64(j)
		w := philox4x32_10([4]uint32{uint32(ctr), uint32(ctr >> 32), 0, 0}, uint32(seed), uint32(seed>>32))
		var z [4]float32
		z[0], z[1] = boxMuller(w[0], w[1])
		z[2], z[3] = boxMuller(w[2], w[3])
		for k := 0; k < 4 && 4*j+k < count; k++ {
			out[4*j+k] = z[k]
		}
	}
	return out
}

// TestPhiloxKnownAnswers checks the reference against the known-answer
// vectors published with Random123 (counter, key → output).
func TestPhiloxKnownAnswers(t *testing.T) {
	for _, c := range []struct {
		ctr    [4]uint32
		k0, k1 uint32
		want   [4]uint32
	}{
		{[4]uint32{0, 0, 0, 0}, 0, 0, [4]uint32{0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}},
		{[4]uint32{^uint32(0), ^uint32(0), ^uint32(0), ^uint32(0)}, ^uint32(0), ^uint32(0), [4]uint32{0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}},
		{[4]uint32{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}, 0xa4093822, 0x299f31d0, [4]uint32{0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}},
	} {
		if got := philox4x32_10(c.ctr, c.k0, c.k1); got != c.want {
			t.Errorf("philox4x32_10(%08x, key %08x %08x) = %08x, want %08x", c.ctr, c.k0, c.k1, got, c.want)
		}
	}
}
