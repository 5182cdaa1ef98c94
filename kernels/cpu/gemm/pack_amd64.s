//go:build !purego

#include "textflag.h"

// func spackColsAVX512(dst *float32, src *float32, lds, kc, rows int)
// dst[l·rows + i] = src[l·lds + i] for l < kc (≥ 1), i < rows (≤ 16): a
// panel of Aᵀ stored k×m, one masked load and store per row of it.
TEXT ·spackColsAVX512(SB), NOSPLIT, $0-40
	MOVQ  dst+0(FP), DI
	MOVQ  src+8(FP), SI
	MOVQ  lds+16(FP), DX
	SHLQ  $2, DX
	MOVQ  kc+24(FP), R10
	MOVQ  rows+32(FP), CX
	MOVQ  $1, AX
	SHLQ  CX, AX
	DECQ  AX
	KMOVW AX, K1
	SHLQ  $2, CX

pack:
	VMOVUPS.Z (SI), K1, Z0
	VMOVUPS   Z0, K1, (DI)
	ADDQ      DX, SI
	ADDQ      CX, DI
	DECQ      R10
	JNZ       pack
	VZEROUPPER
	RET
