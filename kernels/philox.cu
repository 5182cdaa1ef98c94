// Counter-based standard normals for sampling on the device: Philox-4x32-10
// (Salmon, Moraes, Dror & Shaw, "Parallel random numbers: as easy as 1, 2,
// 3", SC 2011) and the Box–Muller transform. The stream is a pure function
// of (seed, counter), so any range of it can be regenerated in any order
// and on any launch configuration.

#define PHILOX_M0 0xD2511F53u // round multipliers
#define PHILOX_M1 0xCD9E8D57u
#define PHILOX_W0 0x9E3779B9u // key schedule (Weyl) increments: golden ratio
#define PHILOX_W1 0xBB67AE85u // and √3 − 1, as 32-bit fractions

// philox4x32_10 encrypts the 128-bit counter c under the 64-bit key (k0, k1)
// with ten Philox rounds. Each round multiplies words 0 and 2 by M0 and M1
// and mixes the 64-bit products into the permuted state:
//
//	(c0, c1, c2, c3) ← (hi(M1·c2) ⊕ c1 ⊕ k0, lo(M1·c2), hi(M0·c0) ⊕ c3 ⊕ k1, lo(M0·c0))
//
// and the key is bumped by (W0, W1) between rounds.
__device__ __forceinline__ void philox4x32_10(unsigned int c[4], unsigned int k0, unsigned int k1)
{
#pragma unroll
	for (int round = 0; round < 10; round++) {
		if (round > 0) {
			k0 += PHILOX_W0;
			k1 += PHILOX_W1;
		}
		const unsigned long long p0 = (unsigned long long)PHILOX_M0 * c[0];
		const unsigned long long p1 = (unsigned long long)PHILOX_M1 * c[2];
		const unsigned int hi0 = (unsigned int)(p0 >> 32), lo0 = (unsigned int)p0;
		const unsigned int hi1 = (unsigned int)(p1 >> 32), lo1 = (unsigned int)p1;
		c[0] = hi1 ^ c[1] ^ k0;
		c[1] = lo1;
		c[2] = hi0 ^ c[3] ^ k1;
		c[3] = lo0;
	}
}

// box_muller maps two 32-bit words to two independent standard normals:
// u1 = (a + ½)·2⁻³² ∈ (0, 1), u2 = b·2⁻³² ∈ [0, 1),
// z1 = √(−2 log u1)·cos 2πu2, z2 = √(−2 log u1)·sin 2πu2, in double
// precision (|z| ≤ 6.7) and rounded once.
__device__ __forceinline__ void box_muller(unsigned int a, unsigned int b, float* z1, float* z2)
{
	const double twoM32 = 2.3283064365386963e-10; // 2⁻³²
	const double u1 = ((double)a + 0.5) * twoM32;
	const double u2 = (double)b * twoM32;
	const double r = sqrt(-2 * log(u1));
	double s, c;
	sincospi(2 * u2, &s, &c);
	*z1 = (float)(r * c);
	*z2 = (float)(r * s);
}

// philox_normal fills out[0..count) with standard normals. Element i is
// word i mod 4 of the normals made from Philox-4x32-10 of the counter
// offset + ⌊i/4⌋ (low 32 bits in word 0, high 32 bits in word 1, words 2
// and 3 zero) under the key seed (low 32 bits k0, high 32 bits k1):
// words 0, 1 give elements 4j, 4j+1 and words 2, 3 give 4j+2, 4j+3 through
// box_muller. A caller that draws count values advances its offset by
// ceil(count/4). One thread per counter, grid-stride over ceil(count/4).
extern "C" __global__ void philox_normal(float* out, long long count, unsigned long long seed,
	unsigned long long offset)
{
	const long long blocks = (count + 3) / 4;
	const unsigned int k0 = (unsigned int)seed, k1 = (unsigned int)(seed >> 32);
	for (long long j = (long long)blockIdx.x * blockDim.x + threadIdx.x; j < blocks; j += (long long)gridDim.x * blockDim.x) {
		const unsigned long long ctr = offset + (unsigned long long)j;
		unsigned int c[4] = {(unsigned int)ctr, (unsigned int)(ctr >> 32), 0u, 0u};
		philox4x32_10(c, k0, k1);
		float z[4];
		box_muller(c[0], c[1], &z[0], &z[1]);
		box_muller(c[2], c[3], &z[2], &z[3]);
		const long long i0 = 4 * j;
		if (i0 + 3 < count) {
			out[i0] = z[0];
			out[i0 + 1] = z[1];
			out[i0 + 2] = z[2];
			out[i0 + 3] = z[3];
		} else {
			for (int w = 0; i0 + w < count; w++) {
				out[i0 + w] = z[w];
			}
		}
	}
}
