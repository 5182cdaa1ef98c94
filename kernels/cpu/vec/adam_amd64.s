#include "textflag.h"

// func adamAVX2(pp, gg, mm, vv *float32, n int, b1, b2, c1, c2, lr, eps float32)
// n is a multiple of 8. c1 = 1-b1, c2 = 1-b2, lr is the bias-corrected rate.
// Denormals are flushed to zero while it runs (MXCSR FTZ and DAZ, restored
// on return): moments of rarely-updated weights decay into the denormal
// range, where every operation costs ~100 cycles.
TEXT ·adamAVX2(SB), NOSPLIT, $8-64
	STMXCSR saved-8(SP)
	MOVL    saved-8(SP), AX
	ORL     $0x8040, AX
	MOVL    AX, ftz-4(SP)
	LDMXCSR ftz-4(SP)
	MOVQ pp+0(FP), DI
	MOVQ gg+8(FP), SI
	MOVQ mm+16(FP), R8
	MOVQ vv+24(FP), R9
	MOVQ n+32(FP), CX
	VBROADCASTSS b1+40(FP), Y8
	VBROADCASTSS b2+44(FP), Y9
	VBROADCASTSS c1+48(FP), Y10
	VBROADCASTSS c2+52(FP), Y11
	VBROADCASTSS lr+56(FP), Y12
	VBROADCASTSS eps+60(FP), Y13
	XORQ AX, AX

loop:
	CMPQ AX, CX
	JGE  done
	VMOVUPS     (SI)(AX*4), Y0
	VMOVUPS     (R8)(AX*4), Y1
	VMOVUPS     (R9)(AX*4), Y2
	VMULPS      Y8, Y1, Y1
	VFMADD231PS Y10, Y0, Y1
	VMULPS      Y9, Y2, Y2
	VMULPS      Y0, Y0, Y3
	VFMADD231PS Y11, Y3, Y2
	VMOVUPS     Y1, (R8)(AX*4)
	VMOVUPS     Y2, (R9)(AX*4)
	VSQRTPS     Y2, Y4
	VADDPS      Y13, Y4, Y4
	VMULPS      Y12, Y1, Y5
	VDIVPS      Y4, Y5, Y5
	VMOVUPS     (DI)(AX*4), Y6
	VSUBPS      Y5, Y6, Y6
	VMOVUPS     Y6, (DI)(AX*4)
	ADDQ        $8, AX
	JMP         loop

done:
	VZEROUPPER
	LDMXCSR saved-8(SP)
	RET

// func adamAVX512(pp, gg, mm, vv *float32, n int, b1, b2, c1, c2, lr, eps float32)
// adamAVX2 on 16 lanes (ZMM registers).
// n is a multiple of 16. c1 = 1-b1, c2 = 1-b2, lr is the bias-corrected rate.
// Denormals are flushed to zero while it runs (MXCSR FTZ and DAZ, restored
// on return): moments of rarely-updated weights decay into the denormal
// range, where every operation costs ~100 cycles.
TEXT ·adamAVX512(SB), NOSPLIT, $8-64
	STMXCSR saved-8(SP)
	MOVL    saved-8(SP), AX
	ORL     $0x8040, AX
	MOVL    AX, ftz-4(SP)
	LDMXCSR ftz-4(SP)
	MOVQ pp+0(FP), DI
	MOVQ gg+8(FP), SI
	MOVQ mm+16(FP), R8
	MOVQ vv+24(FP), R9
	MOVQ n+32(FP), CX
	VBROADCASTSS b1+40(FP), Z8
	VBROADCASTSS b2+44(FP), Z9
	VBROADCASTSS c1+48(FP), Z10
	VBROADCASTSS c2+52(FP), Z11
	VBROADCASTSS lr+56(FP), Z12
	VBROADCASTSS eps+60(FP), Z13
	XORQ AX, AX

loop:
	CMPQ AX, CX
	JGE  done
	VMOVUPS     (SI)(AX*4), Z0
	VMOVUPS     (R8)(AX*4), Z1
	VMOVUPS     (R9)(AX*4), Z2
	VMULPS      Z8, Z1, Z1
	VFMADD231PS Z10, Z0, Z1
	VMULPS      Z9, Z2, Z2
	VMULPS      Z0, Z0, Z3
	VFMADD231PS Z11, Z3, Z2
	VMOVUPS     Z1, (R8)(AX*4)
	VMOVUPS     Z2, (R9)(AX*4)
	VSQRTPS     Z2, Z4
	VADDPS      Z13, Z4, Z4
	VMULPS      Z12, Z1, Z5
	VDIVPS      Z4, Z5, Z5
	VMOVUPS     (DI)(AX*4), Z6
	VSUBPS      Z5, Z6, Z6
	VMOVUPS     Z6, (DI)(AX*4)
	ADDQ        $16, AX
	JMP         loop

done:
	VZEROUPPER
	LDMXCSR saved-8(SP)
	RET

// func nanProbeAVX2(x *float32, n int) float32
// Returns Σ (x_i - x_i) over a multiple of 8 elements: 0 when every x_i is
// finite, NaN otherwise.
TEXT ·nanProbeAVX2(SB), NOSPLIT, $0-20
	MOVQ   x+0(FP), SI
	MOVQ   n+8(FP), CX
	VXORPS Y0, Y0, Y0
	XORQ   AX, AX

probe:
	CMPQ    AX, CX
	JGE     reduce
	VMOVUPS (SI)(AX*4), Y1
	VSUBPS  Y1, Y1, Y1
	VADDPS  Y1, Y0, Y0
	ADDQ    $8, AX
	JMP     probe

reduce:
	VEXTRACTF128 $1, Y0, X1
	VADDPS       X1, X0, X0
	VHADDPS      X0, X0, X0
	VHADDPS      X0, X0, X0
	VZEROUPPER
	MOVSS        X0, ret+16(FP)
	RET
