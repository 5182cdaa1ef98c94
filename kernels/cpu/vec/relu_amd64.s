#include "textflag.h"

// func reluAVX2(y *float32, n int)
// y[i] = max(y[i], 0) over a multiple of 8 elements; NaN stays NaN.
TEXT ·reluAVX2(SB), NOSPLIT, $0-16
	MOVQ   y+0(FP), DI
	MOVQ   n+8(FP), CX
	VXORPS Y0, Y0, Y0
	XORQ   AX, AX

relu:
	CMPQ    AX, CX
	JGE     reludone
	VMOVUPS (DI)(AX*4), Y1
	VMAXPS  Y1, Y0, Y1
	VMOVUPS Y1, (DI)(AX*4)
	ADDQ    $8, AX
	JMP     relu

reludone:
	VZEROUPPER
	RET

// func reluGradAVX2(gz, y, gy *float32, n int)
// gz[i] = gy[i] where y[i] > 0, else 0, over a multiple of 8 elements.
TEXT ·reluGradAVX2(SB), NOSPLIT, $0-32
	MOVQ   gz+0(FP), DI
	MOVQ   y+8(FP), SI
	MOVQ   gy+16(FP), DX
	MOVQ   n+24(FP), CX
	VXORPS Y0, Y0, Y0
	XORQ   AX, AX

grad:
	CMPQ    AX, CX
	JGE     graddone
	VMOVUPS (SI)(AX*4), Y1
	VCMPPS  $0x1e, Y0, Y1, Y2
	VMOVUPS (DX)(AX*4), Y3
	VANDPS  Y3, Y2, Y2
	VMOVUPS Y2, (DI)(AX*4)
	ADDQ    $8, AX
	JMP     grad

graddone:
	VZEROUPPER
	RET
