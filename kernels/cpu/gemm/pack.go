package gemm

// panels returns how many row panels of at most mr rows cover mc rows. The
// panels are balanced: panel q has panelRows(mc, np, q) rows, so that 32 rows
// with mr = 14 run as 11+11+10 rather than 14+14+4.
func panels(mc, mr int) int { return (mc + mr - 1) / mr }

// panelRows returns the number of rows of panel q of np panels over mc rows.
func panelRows(mc, np, q int) int {
	if q < mc%np {
		return mc/np + 1
	}
	return mc / np
}

// packA copies op(A)[ic:ic+mc, pc:pc+kc] into dst as balanced panels of at
// most mr rows. Panel q starting at row off holds rows·kc elements from
// dst[off·kc], with op(A)[ic+off+i, pc+l] at l·rows + i. Cost: mc·kc moves.
func packA[T float](ks *kernels[T], p *problem[T], dst []T, ic, mc, pc, kc int) {
	np := panels(mc, ks.mr)
	off := 0
	for q := 0; q < np; q++ {
		rows := panelRows(mc, np, q)
		panel := dst[off*kc : (off+rows)*kc]
		if p.transA && ks.packCols != nil {
			ks.packCols(&panel[0], &p.a[pc*p.lda+ic+off], p.lda, kc, rows)
		} else if p.transA {
			for l := 0; l < kc; l++ {
				src := p.a[(pc+l)*p.lda+ic+off:]
				copy(panel[l*rows:(l+1)*rows], src[:rows])
			}
		} else {
			l0 := 0
			if ks.transpose != nil && kc >= 16 {
				l0 = kc &^ 15
				ks.transpose(&panel[0], rows, &p.a[(ic+off)*p.lda+pc], p.lda, rows, kc/16)
			}
			for i := 0; i < rows; i++ {
				start := (ic+off+i)*p.lda + pc
				src := p.a[start+l0 : start+kc]
				for l, v := range src {
					panel[(l0+l)*rows+i] = v
				}
			}
		}
		off += rows
	}
}

// packB copies op(B)[pc:pc+kc, j:j+w] into dst, kc rows of nr elements with
// op(B)[pc+l, j+jj] at l·nr + jj, and zeros in the nr-w columns past w.
// Cost: kc·nr moves.
func packB[T float](ks *kernels[T], p *problem[T], dst []T, pc, kc, j, w int) {
	nr := ks.nr
	dst = dst[:kc*nr]
	if !p.transB {
		for l := 0; l < kc; l++ {
			row := dst[l*nr : (l+1)*nr]
			copy(row[:w], p.b[(pc+l)*p.ldb+j:])
			clear(row[w:])
		}
		return
	}
	l0, jj := 0, 0
	if ks.transpose != nil && kc >= 16 && w == nr {
		l0 = kc &^ 15
		for ; jj < w; jj += 16 {
			ks.transpose(&dst[jj], nr, &p.b[(j+jj)*p.ldb+pc], p.ldb, 16, kc/16)
		}
		if l0 == kc {
			return
		}
		jj = 0
	}
	// Four columns of op(B) (rows of B) at a time, so that each row of dst
	// is written in longer runs.
	for ; jj+4 <= w; jj += 4 {
		s0 := p.b[(j+jj)*p.ldb+pc:]
		s1 := p.b[(j+jj+1)*p.ldb+pc:]
		s2 := p.b[(j+jj+2)*p.ldb+pc:]
		s3 := p.b[(j+jj+3)*p.ldb+pc:]
		s0, s1, s2, s3 = s0[l0:kc], s1[l0:kc], s2[l0:kc], s3[l0:kc]
		for l := range s0 {
			d := dst[(l0+l)*nr+jj : (l0+l)*nr+jj+4 : (l0+l)*nr+jj+4]
			d[0], d[1], d[2], d[3] = s0[l], s1[l], s2[l], s3[l]
		}
	}
	for ; jj < w; jj++ {
		src := p.b[(j+jj)*p.ldb+pc:]
		src = src[l0:kc]
		for l, v := range src {
			dst[(l0+l)*nr+jj] = v
		}
	}
	if w < nr {
		for l := 0; l < kc; l++ {
			clear(dst[l*nr+w : (l+1)*nr])
		}
	}
}

// addTile writes a rows×w tile t (leading dimension ldt) into c:
// c = t + beta·c, or c = t when beta = 0.
func addTile[T float](t []T, ldt int, c []T, ldc, rows, w int, beta T) {
	for i := 0; i < rows; i++ {
		tr := t[i*ldt : i*ldt+w]
		cr := c[i*ldc : i*ldc+w]
		if beta == 0 {
			copy(cr, tr)
			continue
		}
		for j := range cr {
			cr[j] = tr[j] + beta*cr[j]
		}
	}
}
