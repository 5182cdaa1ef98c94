#include "textflag.h"

// Vector FastExp, FastLog and FastSoftplus over float64 lanes: the scalar
// functions' operations in their order (no fused multiply-adds), so the
// lanes are bit for bit the scalar results. R8 points at fastConst
// (constants at index·8), BX at logTable (c, inv, log per entry, 24 bytes).

// FEXP: Z3 = FastExp(Z0) for lanes in [-708, 709]. Clobbers Z1, Z2, Z4.
#define FEXP \
	VMULPD.BCST 0(R8), Z0, Z1   \ // x·log₂e
	VADDPD.BCST 8(R8), Z1, Z1   \ // + 0.5
	VRNDSCALEPD $9, Z1, Z1      \ // k = floor
	VMULPD.BCST 16(R8), Z1, Z2  \ // k·ln2
	VSUBPD      Z2, Z0, Z2      \ // r = x - k·ln2
	VMULPD.BCST 24(R8), Z2, Z3  \ // r·(1/5040)
	VADDPD.BCST 32(R8), Z3, Z3  \ // 1/720 +
	VMULPD      Z3, Z2, Z3      \
	VADDPD.BCST 40(R8), Z3, Z3  \ // 1/120 +
	VMULPD      Z3, Z2, Z3      \
	VADDPD.BCST 48(R8), Z3, Z3  \ // 1/24 +
	VMULPD      Z3, Z2, Z3      \
	VADDPD.BCST 56(R8), Z3, Z3  \ // 1/6 +
	VMULPD      Z3, Z2, Z3      \
	VADDPD.BCST 8(R8), Z3, Z3   \ // 1/2 +
	VMULPD      Z3, Z2, Z3      \
	VADDPD.BCST 64(R8), Z3, Z3  \ // 1 +
	VMULPD      Z3, Z2, Z3      \
	VADDPD.BCST 64(R8), Z3, Z3  \ // p = 1 + r·(…)
	VCVTTPD2QQ  Z1, Z4          \
	VPADDQ.BCST 72(R8), Z4, Z4  \ // k + 1023
	VPSLLQ      $52, Z4, Z4     \ // 2ᵏ
	VMULPD      Z4, Z3, Z3

// FLOG: Z0 = FastLog(Z0) for positive normal lanes. Clobbers Z5-Z14, K1-K3.
#define FLOG \
	VSUBPD.BCST  64(R8), Z0, Z5        \ // d = x - 1
	VCMPPD.BCST  $0x1e, 80(R8), Z5, K2 \ // d > -1/128
	VCMPPD.BCST  $0x11, 88(R8), Z5, K3 \ // d < 1/128
	KANDW        K2, K3, K2            \
	VMULPD.BCST  96(R8), Z5, Z6        \ // near 1: d·(1/7)
	VADDPD.BCST  104(R8), Z6, Z6       \ // -1/6 +
	VMULPD       Z6, Z5, Z6            \
	VADDPD.BCST  112(R8), Z6, Z6       \ // 1/5 +
	VMULPD       Z6, Z5, Z6            \
	VADDPD.BCST  120(R8), Z6, Z6       \ // -1/4 +
	VMULPD       Z6, Z5, Z6            \
	VADDPD.BCST  128(R8), Z6, Z6       \ // 1/3 +
	VMULPD       Z6, Z5, Z6            \
	VADDPD.BCST  136(R8), Z6, Z6       \ // -1/2 +
	VMULPD       Z6, Z5, Z6            \
	VADDPD.BCST  64(R8), Z6, Z6        \ // 1 +
	VMULPD       Z6, Z5, Z6            \ // d·(…)
	VPSRLQ       $45, Z0, Z8           \
	VPANDQ.BCST  160(R8), Z8, Z8       \ // j
	VPADDQ       Z8, Z8, Z9            \
	VPADDQ       Z8, Z9, Z9            \ // 3j: logTable[j] at 24j bytes
	VPANDQ.BCST  144(R8), Z0, Z10      \
	VPORQ.BCST   152(R8), Z10, Z10     \ // m in [1, 2)
	KXNORW       K1, K1, K1            \
	VGATHERQPD   0(BX)(Z9*8), K1, Z11  \ // c_j
	KXNORW       K1, K1, K1            \
	VGATHERQPD   8(BX)(Z9*8), K1, Z12  \ // 1/c_j
	KXNORW       K1, K1, K1            \
	VGATHERQPD   16(BX)(Z9*8), K1, Z13 \ // log c_j
	VSUBPD       Z11, Z10, Z10         \
	VMULPD       Z12, Z10, Z10         \ // r = (m - c_j)/c_j
	VMULPD.BCST  104(R8), Z10, Z14     \ // r·(-1/6)
	VADDPD.BCST  112(R8), Z14, Z14     \ // 1/5 +
	VMULPD       Z14, Z10, Z14         \
	VADDPD.BCST  120(R8), Z14, Z14     \ // -1/4 +
	VMULPD       Z14, Z10, Z14         \
	VADDPD.BCST  128(R8), Z14, Z14     \ // 1/3 +
	VMULPD       Z14, Z10, Z14         \
	VADDPD.BCST  136(R8), Z14, Z14     \ // -1/2 +
	VMULPD       Z14, Z10, Z14         \
	VADDPD.BCST  64(R8), Z14, Z14      \ // 1 +
	VMULPD       Z14, Z10, Z14         \ // p
	VPSRLQ       $52, Z0, Z7           \
	VPANDQ.BCST  168(R8), Z7, Z7       \
	VPSUBQ.BCST  72(R8), Z7, Z7        \ // exponent - 1023
	VCVTQQ2PD    Z7, Z7                \
	VMULPD.BCST  16(R8), Z7, Z7        \ // ·ln2
	VADDPD       Z13, Z7, Z7           \ // + log c_j
	VADDPD       Z14, Z7, Z0           \ // + p
	VMOVAPD      Z6, K2, Z0

// INRANGE(lo, hi): K4 = lanes of Z0 in [lo, hi] (constants at offsets lo
// and hi); jumps to refuse unless every lane is.
#define INRANGE(lo, hi) \
	VCMPPD.BCST $0x1d, lo(R8), Z0, K4 \ // x ≥ lo (false for NaN)
	VCMPPD.BCST $0x12, hi(R8), Z0, K5 \ // x ≤ hi
	KANDW       K4, K5, K4            \
	KMOVB       K4, AX                \
	CMPB        AX, $0xff             \
	JNE         refuse

// func expAVX512(dst, src *float64, n int, c *uint64) int
TEXT ·expAVX512(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	MOVQ c+24(FP), R8
	XORQ DX, DX

exploop:
	VMOVUPD (SI)(DX*8), Z0
	INRANGE(200, 208)
	FEXP
	VMOVUPD Z3, (DI)(DX*8)
	ADDQ    $8, DX
	CMPQ    DX, CX
	JLT     exploop

refuse:
	MOVQ DX, ret+32(FP)
	VZEROUPPER
	RET

// func logAVX512(dst, src *float64, n int, c *uint64, tab *float64) int
TEXT ·logAVX512(SB), NOSPLIT, $0-48
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	MOVQ c+24(FP), R8
	MOVQ tab+32(FP), BX
	XORQ DX, DX

logloop:
	VMOVUPD (SI)(DX*8), Z0
	INRANGE(216, 224)
	FLOG
	VMOVUPD Z0, (DI)(DX*8)
	ADDQ    $8, DX
	CMPQ    DX, CX
	JLT     logloop

refuse:
	MOVQ DX, ret+40(FP)
	VZEROUPPER
	RET

// func softplusAVX512(dst, src *float64, n int, c *uint64, tab *float64) int
// FastSoftplus: v above 20, eᵛ below -20, else the series of log1p(e) for
// e below 1/1024 and FastLog(1 + e) above.
TEXT ·softplusAVX512(SB), NOSPLIT, $0-48
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	MOVQ c+24(FP), R8
	MOVQ tab+32(FP), BX
	XORQ DX, DX

sploop:
	VMOVUPD     (SI)(DX*8), Z0
	INRANGE(200, 208)
	VMOVAPD     Z0, Z15            // v
	FEXP                           // Z3 = e
	VMOVAPD     Z3, Z16
	VADDPD.BCST 64(R8), Z3, Z0     // 1 + e
	FLOG                           // Z0 = log(1 + e)
	VMULPD.BCST 112(R8), Z16, Z17  // e·(1/5)
	VADDPD.BCST 120(R8), Z17, Z17  // -1/4 +
	VMULPD      Z17, Z16, Z17
	VADDPD.BCST 128(R8), Z17, Z17  // 1/3 +
	VMULPD      Z17, Z16, Z17
	VADDPD.BCST 136(R8), Z17, Z17  // -1/2 +
	VMULPD      Z17, Z16, Z17
	VADDPD.BCST 64(R8), Z17, Z17   // 1 +
	VMULPD      Z17, Z16, Z17      // e·(…)
	VCMPPD.BCST $0x11, 176(R8), Z16, K4 // e < 1/1024
	VMOVAPD     Z17, K4, Z0
	VCMPPD.BCST $0x11, 192(R8), Z15, K5 // v < -20
	VMOVAPD     Z16, K5, Z0
	VCMPPD.BCST $0x1e, 184(R8), Z15, K6 // v > 20
	VMOVAPD     Z15, K6, Z0
	VMOVUPD     Z0, (DI)(DX*8)
	ADDQ        $8, DX
	CMPQ        DX, CX
	JLT         sploop

refuse:
	MOVQ DX, ret+40(FP)
	VZEROUPPER
	RET
