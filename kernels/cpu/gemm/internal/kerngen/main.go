// Command kerngen writes the Go assembly microkernels of package gemm and the
// Go file that declares them. Run it with go generate in kernels/cpu/gemm.
//
// A microkernel computes one tile of C from a k-long strip of A (mr rows) and
// a panel of B (nr columns, two vector registers wide):
//
//	C[0:mr, 0:nr] = alpha·Σ_p A[:, p]·B[p, :] + beta·C[0:mr, 0:nr].
//
// The accumulators stay in 2·mr vector registers; each step p loads the two
// vectors of B[p, :], broadcasts A[i, p] for every row i and issues 2·mr
// fused multiply-adds. Two families differ in how A is addressed:
//
//	col: A[i, p] at a[i + p·as] (a packed panel, as = mr, or Aᵀ read in place)
//	row: A[i, p] at a[i·as + p] (A read in place, as = lda)
//
// B[p, j] is at b[p·bs + j]: a packed panel (bs = nr) or B read in place
// (bs = ldb).
package main

import (
	"bytes"
	"fmt"
	"go/format"
	"log"
	"os"
	"path/filepath"
)

// isa describes one vector instruction set.
type isa struct {
	name   string // avx512 or avx2
	reg    string // vector register prefix, Z or Y
	vbytes int    // bytes in a vector register
	maxMR  int    // most rows of a tile
	masked bool   // stores only nr columns using opmask registers
}

// dtype describes one element type.
type dtype struct {
	prefix string // s or d
	goType string
	size   int
	shift  int    // log2(size)
	sfx    string // PS or PD
	bcast  string // VBROADCASTSS or VBROADCASTSD
}

var (
	avx512 = isa{name: "avx512", reg: "Z", vbytes: 64, maxMR: 14, masked: true}
	avx2   = isa{name: "avx2", reg: "Y", vbytes: 32, maxMR: 6}

	f32 = dtype{prefix: "s", goType: "float32", size: 4, shift: 2, sfx: "PS", bcast: "VBROADCASTSS"}
	f64 = dtype{prefix: "d", goType: "float64", size: 8, shift: 3, sfx: "PD", bcast: "VBROADCASTSD"}
)

func name(is isa, dt dtype, family string, mr int) string {
	return fmt.Sprintf("%s%s%s%d", dt.prefix, is.name, family, mr)
}

// epiName is the name of the kernel with the bias epilogue.
func epiName(is isa, dt dtype, family string, mr int) string {
	return fmt.Sprintf("%s%s%sbias%d", dt.prefix, is.name, family, mr)
}

// frame returns the argument offsets of alpha and beta and the frame size.
func frame(dt dtype) (alpha, beta, size int) {
	if dt.size == 4 {
		return 64, 68, 72
	}
	return 64, 72, 80
}

type gen struct{ bytes.Buffer }

func (g *gen) f(format string, args ...any) { fmt.Fprintf(&g.Buffer, "\t"+format+"\n", args...) }
func (g *gen) label(l string)               { fmt.Fprintf(&g.Buffer, "%s:\n", l) }

// rowAddr returns the address of A[i, p0+u] in the row family.
func rowAddr(i, off int) string {
	table := []string{
		"(R8)", "(R8)(R9*1)", "(R8)(R9*2)", "(R8)(R10*1)", "(R8)(R9*4)",
		"(R8)(R11*1)", "(R8)(R10*2)", "(R8)(R12*1)", "(R8)(R9*8)",
		"(R13)", "(R13)(R9*1)", "(R13)(R9*2)", "(R13)(R10*1)", "(R13)(R9*4)",
	}
	return fmt.Sprintf("%d%s", off, table[i])
}

// kernel writes one microkernel. With epi (masked kernel sets only) it
// writes the kernel with the bias epilogue, which takes two more
// arguments, bias *T and relu int, and stores
//
//	C[0:mr, 0:nr] = act(alpha·Σ_p A[:, p]·B[p, :] + beta·C[0:mr, 0:nr] + bias[0:nr]),
//
// act(x) = max(x, 0) when relu ≠ 0 (NaN stays NaN) and x otherwise: the
// sum rounded as the plain kernel rounds it, then the bias added.
func (g *gen) kernel(is isa, dt dtype, family string, mr int, epi bool) {
	alphaOff, betaOff, size := frame(dt)
	kname := name(is, dt, family, mr)
	if epi {
		size += 16
		kname = epiName(is, dt, family, mr)
	}
	r := is.reg
	acc := func(i, v int) string { return fmt.Sprintf("%s%d", r, 2*i+v) }
	bReg := func(v int) string { return fmt.Sprintf("%s%d", r, 2*is.maxMR+v) }
	tReg := func(i int) string { return fmt.Sprintf("%s%d", r, 2*is.maxMR+2+i%2) }
	fma := "VFMADD231" + dt.sfx
	mov := "VMOVU" + dt.sfx

	fmt.Fprintf(&g.Buffer, "\n// func %s(%s)\n", kname, signature(dt, epi))
	fmt.Fprintf(&g.Buffer, "TEXT ·%s(SB), NOSPLIT, $0-%d\n", kname, size)
	g.f("MOVQ kc+0(FP), CX")
	g.f("MOVQ a+8(FP), R8")
	g.f("MOVQ as+16(FP), R9")
	g.f("SHLQ $%d, R9", dt.shift)
	g.f("MOVQ b+24(FP), BX")
	g.f("MOVQ bs+32(FP), DX")
	g.f("SHLQ $%d, DX", dt.shift)
	g.f("MOVQ c+40(FP), DI")
	g.f("MOVQ ldc+48(FP), SI")
	g.f("SHLQ $%d, SI", dt.shift)
	if family == "row" {
		if mr > 3 {
			g.f("LEAQ (R9)(R9*2), R10")
		}
		if mr > 5 {
			g.f("LEAQ (R9)(R9*4), R11")
		}
		if mr > 7 {
			g.f("LEAQ (R10)(R9*4), R12")
		}
		if mr > 9 {
			g.f("LEAQ (R8)(R9*8), R13")
			g.f("ADDQ R9, R13")
		}
	}

	// Fetch the rows of C while the loop runs.
	rowBytes := 2 * is.vbytes
	g.f("MOVQ DI, AX")
	for i := 0; i < mr; i++ {
		g.f("PREFETCHT0 (AX)")
		g.f("PREFETCHT0 %d(AX)", rowBytes-1)
		if i < mr-1 {
			g.f("ADDQ SI, AX")
		}
	}
	for i := 0; i < mr; i++ {
		for v := 0; v < 2; v++ {
			if is.masked {
				g.f("VPXORD %s, %s, %s", acc(i, v), acc(i, v), acc(i, v))
			} else {
				g.f("VXOR%s %s, %s, %s", dt.sfx, acc(i, v), acc(i, v), acc(i, v))
			}
		}
	}

	step := func(u int) {
		bAddr := func(v int) string {
			if u == 0 {
				return fmt.Sprintf("%d(BX)", v*is.vbytes)
			}
			return fmt.Sprintf("%d(BX)(DX*1)", v*is.vbytes)
		}
		g.f("%s %s, %s", mov, bAddr(0), bReg(0))
		g.f("%s %s, %s", mov, bAddr(1), bReg(1))
		for i := 0; i < mr; i++ {
			var aAddr string
			if family == "row" {
				aAddr = rowAddr(i, u*dt.size)
			} else if u == 0 {
				aAddr = fmt.Sprintf("%d(R8)", i*dt.size)
			} else {
				aAddr = fmt.Sprintf("%d(R8)(R9*1)", i*dt.size)
			}
			g.f("%s %s, %s", dt.bcast, aAddr, tReg(i))
			g.f("%s %s, %s, %s", fma, bReg(0), tReg(i), acc(i, 0))
			g.f("%s %s, %s, %s", fma, bReg(1), tReg(i), acc(i, 1))
		}
	}

	g.f("MOVQ CX, AX")
	g.f("SHRQ $1, CX")
	g.f("JZ tail")
	g.label("loop")
	step(0)
	step(1)
	if family == "row" {
		g.f("ADDQ $%d, R8", 2*dt.size)
		if mr > 9 {
			g.f("ADDQ $%d, R13", 2*dt.size)
		}
	} else {
		g.f("LEAQ (R8)(R9*2), R8")
	}
	g.f("LEAQ (BX)(DX*2), BX")
	g.f("DECQ CX")
	g.f("JNZ loop")
	g.label("tail")
	g.f("ANDQ $1, AX")
	g.f("JZ store")
	step(0)
	g.label("store")

	alpha, beta := bReg(0), bReg(1)
	g.f("%s alpha+%d(FP), %s", dt.bcast, alphaOff, alpha)
	if is.masked {
		// K1, K2 select the nr columns to store; K3, K4 the columns of C
		// to load, none when beta = 0 so that NaN in C is ignored.
		lanes := is.vbytes / dt.size
		g.f("MOVQ nr+56(FP), CX")
		g.f("MOVQ $1, AX")
		g.f("SHLQ CX, AX")
		g.f("DECQ AX")
		g.f("KMOVW AX, K1")
		g.f("SHRQ $%d, AX", lanes)
		g.f("KMOVW AX, K2")
		g.f("KMOVW K1, K3")
		g.f("KMOVW K2, K4")
		g.f("%s beta+%d(FP), %s", dt.bcast, betaOff, beta)
		if dt.size == 4 {
			g.f("MOVL beta+%d(FP), AX", betaOff)
			g.f("SHLL $1, AX")
		} else {
			g.f("MOVQ beta+%d(FP), AX", betaOff)
			g.f("SHLQ $1, AX")
		}
		g.f("JNZ update")
		g.f("KXORW K3, K3, K3")
		g.f("KXORW K4, K4, K4")
		g.label("update")
		for i := 0; i < mr; i++ {
			g.f("%s.Z (DI), K3, %s", mov, tReg(0))
			g.f("%s.Z %d(DI), K4, %s", mov, is.vbytes, tReg(1))
			g.f("VMUL%s %s, %s, %s", dt.sfx, alpha, acc(i, 0), acc(i, 0))
			g.f("VMUL%s %s, %s, %s", dt.sfx, alpha, acc(i, 1), acc(i, 1))
			g.f("%s %s, %s, %s", fma, beta, tReg(0), acc(i, 0))
			g.f("%s %s, %s, %s", fma, beta, tReg(1), acc(i, 1))
			if epi { // stored in the second pass
				g.f("ADDQ SI, DI")
				continue
			}
			g.f("%s %s, K1, (DI)", mov, acc(i, 0))
			g.f("%s %s, K2, %d(DI)", mov, acc(i, 1), is.vbytes)
			if i < mr-1 {
				g.f("ADDQ SI, DI")
			}
		}
		if epi {
			g.epilogue(is, dt, mr, size, acc, mov)
		}
		g.f("VZEROUPPER")
		g.f("RET")
		return
	}
	if dt.size == 4 {
		g.f("MOVL beta+%d(FP), AX", betaOff)
		g.f("SHLL $1, AX")
	} else {
		g.f("MOVQ beta+%d(FP), AX", betaOff)
		g.f("SHLQ $1, AX")
	}
	g.f("JZ overwrite")
	g.f("%s beta+%d(FP), %s", dt.bcast, betaOff, beta)
	for i := 0; i < mr; i++ {
		for v := 0; v < 2; v++ {
			g.f("VMUL%s %s, %s, %s", dt.sfx, alpha, acc(i, v), acc(i, v))
			g.f("%s %d(DI), %s, %s", fma, v*is.vbytes, beta, acc(i, v))
			g.f("%s %s, %d(DI)", mov, acc(i, v), v*is.vbytes)
		}
		if i < mr-1 {
			g.f("ADDQ SI, DI")
		}
	}
	g.f("VZEROUPPER")
	g.f("RET")
	g.label("overwrite")
	for i := 0; i < mr; i++ {
		for v := 0; v < 2; v++ {
			g.f("VMUL%s %s, %s, %s", dt.sfx, alpha, acc(i, v), acc(i, v))
			g.f("%s %s, %d(DI)", mov, acc(i, v), v*is.vbytes)
		}
		if i < mr-1 {
			g.f("ADDQ SI, DI")
		}
	}
	g.f("VZEROUPPER")
	g.f("RET")
}

// epilogue writes the second pass of a bias kernel: with C's rows updated
// in the accumulators and alpha, beta and the loop's registers free, it
// adds bias[0:nr] (memory operands under K1, K2: lanes past nr are not
// read) and applies act through the floor register F, max(F, x) with x
// second so that NaN stays: F = 0 for ReLU, -Inf otherwise. Then the rows
// are stored under K1, K2. DI has moved past the last row: rewind it.
func (g *gen) epilogue(is isa, dt dtype, mr, size int, acc func(i, v int) string, mov string) {
	floor := fmt.Sprintf("%s%d", is.reg, 2*is.maxMR)
	g.f("MOVQ c+40(FP), DI")
	g.f("MOVQ bias+%d(FP), R14", size-16)
	g.f("MOVQ relu+%d(FP), AX", size-8)
	g.f("TESTQ AX, AX")
	g.f("JNZ relu")
	if dt.size == 4 {
		g.f("MOVL $0xff800000, AX")
		g.f("VPBROADCASTD AX, %s", floor)
	} else {
		g.f("MOVQ $0xfff0000000000000, AX")
		g.f("VPBROADCASTQ AX, %s", floor)
	}
	g.f("JMP act")
	g.label("relu")
	g.f("VPXORD %s, %s, %s", floor, floor, floor)
	g.label("act")
	for i := 0; i < mr; i++ {
		g.f("VADD%s (R14), %s, K1, %s", dt.sfx, acc(i, 0), acc(i, 0))
		g.f("VADD%s %d(R14), %s, K2, %s", dt.sfx, is.vbytes, acc(i, 1), acc(i, 1))
		g.f("VMAX%s %s, %s, %s", dt.sfx, acc(i, 0), floor, acc(i, 0))
		g.f("VMAX%s %s, %s, %s", dt.sfx, acc(i, 1), floor, acc(i, 1))
		g.f("%s %s, K1, (DI)", mov, acc(i, 0))
		g.f("%s %s, K2, %d(DI)", mov, acc(i, 1), is.vbytes)
		if i < mr-1 {
			g.f("ADDQ SI, DI")
		}
	}
}

// signature returns a microkernel's Go parameter list.
func signature(dt dtype, epi bool) string {
	t := dt.goType
	sig := fmt.Sprintf("kc int, a *%s, as int, b *%s, bs int, c *%s, ldc, nr int, alpha, beta %s", t, t, t, t)
	if epi {
		sig += fmt.Sprintf(", bias *%s, relu int", t)
	}
	return sig
}

// transpose writes stransposeAVX512, which transposes 16·blocks columns of
// rows ≤ 16 rows of float32 in 16×16 blocks: four rounds of 16 shuffles
// (unpack 32-bit, unpack 64-bit, two 128-bit lane shuffles). Rows past rows
// hold stale values that land in the columns the masked stores skip.
func (g *gen) transpose() {
	g.WriteString("\n// func stransposeAVX512(dst *float32, ldd int, src *float32, lds int, rows, blocks int)\n")
	g.WriteString("TEXT ·stransposeAVX512(SB), NOSPLIT, $0-48\n")
	g.f("MOVQ dst+0(FP), DI")
	g.f("MOVQ ldd+8(FP), DX")
	g.f("SHLQ $2, DX")
	g.f("MOVQ src+16(FP), SI")
	g.f("MOVQ lds+24(FP), BX")
	g.f("SHLQ $2, BX")
	g.f("MOVQ rows+32(FP), CX")
	g.f("MOVQ blocks+40(FP), R8")
	g.f("MOVQ $1, AX")
	g.f("SHLQ CX, AX")
	g.f("DECQ AX")
	g.f("KMOVW AX, K1")
	g.label("block")
	g.f("MOVQ SI, R9")
	g.f("VMOVUPS (R9), Z0")
	for i := 1; i < 16; i++ {
		g.f("CMPQ CX, $%d", i)
		g.f("JEQ shuffle")
		g.f("ADDQ BX, R9")
		g.f("VMOVUPS (R9), Z%d", i)
	}
	g.label("shuffle")
	z := func(i int) string { return fmt.Sprintf("Z%d", i) }
	for i := 0; i < 8; i++ {
		g.f("VUNPCKLPS %s, %s, %s", z(2*i+1), z(2*i), z(16+2*i))
		g.f("VUNPCKHPS %s, %s, %s", z(2*i+1), z(2*i), z(17+2*i))
	}
	for gr := 0; gr < 4; gr++ {
		t := 16 + 4*gr
		g.f("VUNPCKLPD %s, %s, %s", z(t+2), z(t), z(4*gr))
		g.f("VUNPCKHPD %s, %s, %s", z(t+2), z(t), z(4*gr+1))
		g.f("VUNPCKLPD %s, %s, %s", z(t+3), z(t+1), z(4*gr+2))
		g.f("VUNPCKHPD %s, %s, %s", z(t+3), z(t+1), z(4*gr+3))
	}
	// v, w, v', w' of column c in Z16+4c ... Z19+4c.
	for c := 0; c < 4; c++ {
		g.f("VSHUFF32X4 $0x44, %s, %s, %s", z(4+c), z(c), z(16+4*c))
		g.f("VSHUFF32X4 $0xEE, %s, %s, %s", z(4+c), z(c), z(17+4*c))
		g.f("VSHUFF32X4 $0x44, %s, %s, %s", z(12+c), z(8+c), z(18+4*c))
		g.f("VSHUFF32X4 $0xEE, %s, %s, %s", z(12+c), z(8+c), z(19+4*c))
	}
	for c := 0; c < 4; c++ {
		v, w, v2, w2 := 16+4*c, 17+4*c, 18+4*c, 19+4*c
		g.f("VSHUFF32X4 $0x88, %s, %s, %s", z(v2), z(v), z(c))
		g.f("VSHUFF32X4 $0xDD, %s, %s, %s", z(v2), z(v), z(4+c))
		g.f("VSHUFF32X4 $0x88, %s, %s, %s", z(w2), z(w), z(8+c))
		g.f("VSHUFF32X4 $0xDD, %s, %s, %s", z(w2), z(w), z(12+c))
	}
	for c := 0; c < 16; c++ {
		g.f("VMOVUPS Z%d, K1, (DI)", c)
		g.f("ADDQ DX, DI")
	}
	g.f("ADDQ $64, SI")
	g.f("DECQ R8")
	g.f("JNZ block")
	g.f("VZEROUPPER")
	g.f("RET")
}

const header = "// Code generated by kerngen; DO NOT EDIT.\n\n"

func main() {
	dir := "."
	if len(os.Args) > 1 {
		dir = os.Args[1]
	}
	var decl bytes.Buffer
	decl.WriteString(header)
	decl.WriteString("//go:build !purego\n\npackage gemm\n")
	var tables bytes.Buffer
	tables.WriteString("\n// Microkernel tables indexed by the number of rows of the tile.\nvar (\n")
	for _, is := range []isa{avx512, avx2} {
		for _, dt := range []dtype{f32, f64} {
			var g gen
			g.WriteString(header)
			g.WriteString("//go:build !purego\n\n#include \"textflag.h\"\n")
			for _, family := range []string{"col", "row"} {
				fmt.Fprintf(&tables, "\t%s%s%s = [...]microKernel[%s]{nil", dt.prefix, is.name, family, dt.goType)
				for mr := 1; mr <= is.maxMR; mr++ {
					g.kernel(is, dt, family, mr, false)
					n := name(is, dt, family, mr)
					fmt.Fprintf(&decl, "\n//go:noescape\nfunc %s(%s)\n", n, signature(dt, false))
					fmt.Fprintf(&tables, ", %s", n)
				}
				tables.WriteString("}\n")
				if !is.masked {
					continue
				}
				fmt.Fprintf(&tables, "\t%s%s%sbias = [...]biasKernel[%s]{nil", dt.prefix, is.name, family, dt.goType)
				for mr := 1; mr <= is.maxMR; mr++ {
					g.kernel(is, dt, family, mr, true)
					n := epiName(is, dt, family, mr)
					fmt.Fprintf(&decl, "\n//go:noescape\nfunc %s(%s)\n", n, signature(dt, true))
					fmt.Fprintf(&tables, ", %s", n)
				}
				tables.WriteString("}\n")
			}
			if is.name == "avx512" && dt.size == 4 {
				g.transpose()
				decl.WriteString("\n//go:noescape\nfunc stransposeAVX512(dst *float32, ldd int, src *float32, lds int, rows, blocks int)\n")
			}
			file := filepath.Join(dir, fmt.Sprintf("kernel_%s_%s_amd64.s", is.name, dt.goType))
			if err := os.WriteFile(file, g.Bytes(), 0o644); err != nil {
				log.Fatal(err)
			}
		}
	}
	tables.WriteString(")\n")
	decl.Write(tables.Bytes())
	src, err := format.Source(decl.Bytes())
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "kernel_decl_amd64.go"), src, 0o644); err != nil {
		log.Fatal(err)
	}
}
