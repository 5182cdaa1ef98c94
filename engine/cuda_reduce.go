package engine

// Reductions over the batch split over the batch: at N = 65536 a single
// block per output column (or per 32×32 weight tile) would leave most of
// an H200's 132 SMs idle while each block streams megabytes, so the first
// stage runs S blocks per output, each over a chunk of about N/S rows,
// writing S partial results to the plan's scratch area, and sum_parts adds
// them. S is chosen so the first stage has at least MinReduceBlocks blocks
// (4 per SM), but never more chunks than rows/reduceChunkRows; small
// batches keep S = 1 and the single-launch kernels.

const (
	// MinReduceBlocks is the block count a split reduction's first stage
	// reaches when the batch allows it: 4 blocks per SM of an H200 (132 SMs).
	MinReduceBlocks = 4 * 132
	reduceChunkRows = 64 // fewest rows a chunk of a split reduction sums
	rowBlock        = 64 // threads per block of the one-thread-per-row kernels
)

// reduceSplits is the number of batch chunks S of a reduction over n rows
// whose unsplit launch has blocks blocks: the least S with blocks·S ≥
// MinReduceBlocks, at most ceil(n/reduceChunkRows), at least 1.
func reduceSplits(n, blocks int) int {
	s := (MinReduceBlocks + blocks - 1) / max(blocks, 1)
	s = min(s, (n+reduceChunkRows-1)/reduceChunkRows)
	return max(s, 1)
}

func scratchArg() Arg { return Arg{Kind: ArgScratch} }

// useScratch records that a launch keeps size floats of partial sums.
func (c *CUDAPlan) useScratch(size int) { c.Scratch = max(c.Scratch, size) }

// sumParts is the second stage: out[i] = scale·Σ_p scratch[p·size + i].
// Block (32, 8), one block per 32 outputs.
func sumParts(out Arg, size, parts int, scale float64) Launch {
	g := [3]int{min((size+tile-1)/tile, maxGridX), 1, 1}
	return Launch{Kernel: "sum_parts", Grid: g, Block: [3]int{tile, 8, 1}, Args: []Arg{scratchArg(), out, intArg(size), intArg(parts), floatArg(scale)}}
}

// denseGradW lowers dw = (xᵀ·gz)∘mask of a DenseGradW step (x, gz) into
// buffer out; mask is a constant or a null pointer.
func (c *CUDAPlan) denseGradW(st *Step, out int, mask Arg) []Launch {
	n, in, o := st.Shapes[0][0], st.Shapes[0][1], st.Shapes[1][1]
	if n >= SGEMMMinRows {
		return c.sgemmGradW(st, out, mask)
	}
	g, b := TileGrid(in, o)
	s := reduceSplits(n, g[0]*g[1])
	args := []Arg{buf(st.In[0]), buf(st.In[1]), buf(out), intArg(n), intArg(in), intArg(o), mask}
	if s == 1 {
		return []Launch{{Kernel: "dense_grad_w", Grid: g, Block: b, Args: args}}
	}
	c.useScratch(s * in * o)
	args[2] = scratchArg()
	g[2] = s
	return []Launch{{Kernel: "dense_grad_w", Grid: g, Block: b, Args: args}, sumParts(buf(out), in*o, s, 1)}
}

// colSum lowers out[c] = Σ_r g[r, c], g [n, d].
func (c *CUDAPlan) colSum(in, out, n, d int) []Launch {
	g, b := ElementGrid(d)
	s := reduceSplits(n, g[0])
	if s == 1 {
		return []Launch{{Kernel: "col_sum", Grid: g, Block: b, Args: []Arg{buf(in), buf(out), intArg(n), intArg(d)}}}
	}
	c.useScratch(s * d)
	g[1] = s
	return []Launch{{Kernel: "col_sum", Grid: g, Block: b, Args: []Arg{buf(in), scratchArg(), intArg(n), intArg(d)}},
		sumParts(buf(out), d, s, 1)}
}

// negMean lowers out[0] = −(1/n) Σ x: one block of 1024 threads, or
// row_sum_parts over S chunks and sum_parts with scale −1/n.
func (c *CUDAPlan) negMean(in, out, n int) []Launch {
	s := reduceSplits(n, 1)
	if s == 1 {
		return []Launch{{Kernel: "neg_mean", Grid: [3]int{1, 1, 1}, Block: [3]int{1024, 1, 1}, Args: []Arg{buf(in), buf(out), intArg(n)}}}
	}
	c.useScratch(s)
	return []Launch{{Kernel: "row_sum_parts", Grid: [3]int{s, 1, 1}, Block: [3]int{redBlock, 1, 1}, Args: []Arg{buf(in), scratchArg(), intArg(n)}},
		sumParts(buf(out), 1, s, -1/float64(n))}
}

// RowGrid is the launch shape of a one-thread-per-row kernel over n rows
// (the log-det and log-density row sums): blocks of 64 threads, so that
// n = 65536 rows make 1024 blocks (grid.x capped at 65535, the kernels
// stride over the rest).
func RowGrid(n int) (grid, block [3]int) {
	g := min(max((n+rowBlock-1)/rowBlock, 1), maxGridX)
	return [3]int{g, 1, 1}, [3]int{rowBlock, 1, 1}
}

func rowwise(kernel string, n int, args ...Arg) []Launch {
	g, b := RowGrid(n)
	return []Launch{{Kernel: kernel, Grid: g, Block: b, Args: args}}
}
