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

// func biasAVX2(c *float32, ldc, rows int, b *float32, cols int, relu bool)
// c[r·ldc + j] += b[j] for r < rows, j < cols (a multiple of 8), then
// max(·, 0) when relu is set; NaN stays NaN.
TEXT ·biasAVX2(SB), NOSPLIT, $0-41
	MOVQ   c+0(FP), DI
	MOVQ   ldc+8(FP), SI
	SHLQ   $2, SI
	MOVQ   rows+16(FP), DX
	MOVQ   b+24(FP), BX
	MOVQ   cols+32(FP), CX
	MOVB   relu+40(FP), R8
	VXORPS Y0, Y0, Y0
	TESTB  R8, R8
	JZ     addrow

relurow:
	XORQ AX, AX

reluloop:
	VMOVUPS (DI)(AX*4), Y1
	VADDPS  (BX)(AX*4), Y1, Y1
	VMAXPS  Y1, Y0, Y1
	VMOVUPS Y1, (DI)(AX*4)
	ADDQ    $8, AX
	CMPQ    AX, CX
	JLT     reluloop
	ADDQ    SI, DI
	DECQ    DX
	JNZ     relurow
	JMP     done

addrow:
	XORQ AX, AX

addloop:
	VMOVUPS (DI)(AX*4), Y1
	VADDPS  (BX)(AX*4), Y1, Y1
	VMOVUPS Y1, (DI)(AX*4)
	ADDQ    $8, AX
	CMPQ    AX, CX
	JLT     addloop
	ADDQ    SI, DI
	DECQ    DX
	JNZ     addrow

done:
	VZEROUPPER
	RET

// func biasAVX512(c *float32, ldc, rows int, b *float32, cols int, relu bool)
// biasAVX2 for any cols ≥ 1: 16 lanes at a time, the last vector of each
// row masked to the cols%16 that remain (lanes beyond are not touched).
TEXT ·biasAVX512(SB), NOSPLIT, $0-41
	MOVQ   c+0(FP), DI
	MOVQ   ldc+8(FP), SI
	SHLQ   $2, SI
	MOVQ   rows+16(FP), DX
	MOVQ   b+24(FP), BX
	MOVQ   cols+32(FP), CX
	MOVB   relu+40(FP), R8
	MOVQ   CX, R9
	ANDQ   $15, R9             // lanes of the masked last vector
	MOVQ   $1, R10
	MOVQ   R9, CX
	SHLQ   CX, R10
	DECQ   R10                 // (1 << (cols%16)) - 1
	KMOVW  R10, K1
	MOVQ   cols+32(FP), CX
	ANDQ   $-16, CX            // lanes in whole vectors
	VXORPS Z0, Z0, Z0

row512:
	XORQ AX, AX
	CMPQ CX, $0
	JEQ  tail512

loop512:
	VMOVUPS (DI)(AX*4), Z1
	VADDPS  (BX)(AX*4), Z1, Z1
	TESTB   R8, R8
	JZ      store512
	VMAXPS  Z1, Z0, Z1

store512:
	VMOVUPS Z1, (DI)(AX*4)
	ADDQ    $16, AX
	CMPQ    AX, CX
	JLT     loop512

tail512:
	TESTQ     R9, R9
	JZ        next512
	VMOVUPS.Z (DI)(AX*4), K1, Z1
	VMOVUPS.Z (BX)(AX*4), K1, Z2
	VADDPS    Z2, Z1, Z1
	TESTB     R8, R8
	JZ        tailstore512
	VMAXPS    Z1, Z0, Z1

tailstore512:
	VMOVUPS Z1, K1, (DI)(AX*4)

next512:
	ADDQ SI, DI
	DECQ DX
	JNZ  row512
	VZEROUPPER
	RET

// func reluGradAVX512(gz, y, gy *float32, n int)
// reluGradAVX2 sixteen lanes at a time, two vectors a step, over a
// multiple of 32 elements.
TEXT ·reluGradAVX512(SB), NOSPLIT, $0-32
	MOVQ   gz+0(FP), DI
	MOVQ   y+8(FP), SI
	MOVQ   gy+16(FP), DX
	MOVQ   n+24(FP), CX
	VXORPS Z0, Z0, Z0
	XORQ   AX, AX

grad512:
	VCMPPS    $0x11, (SI)(AX*4), Z0, K1 // 0 < y (false for NaN)
	VCMPPS    $0x11, 64(SI)(AX*4), Z0, K2
	VMOVUPS.Z (DX)(AX*4), K1, Z1
	VMOVUPS.Z 64(DX)(AX*4), K2, Z2
	VMOVUPS   Z1, (DI)(AX*4)
	VMOVUPS   Z2, 64(DI)(AX*4)
	ADDQ      $32, AX
	CMPQ      AX, CX
	JLT       grad512
	VZEROUPPER
	RET
