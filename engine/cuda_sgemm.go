package engine

import "github.com/nflowgo/nflow/ops"

// SGEMMMinRows is the smallest batch whose dense-layer products run on the
// register-tiled sgemm (kernels/sgemm.cu: 128×128 tiles, 8×8 outputs a
// thread): 8192 rows are 64 row tiles, half an H200's SMs for a 128-wide
// layer (the weight gradients split over the batch besides). Smaller
// batches keep the 32×32-tile kernels, whose 16 times smaller tiles fill
// more SMs.
const SGEMMMinRows = 8192

const sgemmTile = 128

// sgemm layouts and epilogues (kernels/sgemm.cu).
const (
	sgemmFwd   = 0 // C = A·B, A [M, K], B [K, N]
	sgemmGradX = 1 // C = A·Bᵀ, B stored [N, K]
	sgemmGradW = 2 // C = Aᵀ·B, A stored [K, M], K split over grid.z

	epiPlain = 0
	epiBias  = 1 // act(AB + e[col])
	epiAdd   = 2 // act(AB + e[row, col])
	epiMask  = 3 // AB∘e
)

func (c *CUDAPlan) sgemm(a, b, out, e Arg, m, n, k, layout, epi int, act ops.Activation, parts int) Launch {
	tf32 := 0
	if c.opts.TF32 {
		tf32 = 1
	}
	return Launch{Kernel: "sgemm", Grid: [3]int{(n + sgemmTile - 1) / sgemmTile, min((m+sgemmTile-1)/sgemmTile, maxGridX), parts},
		Block: [3]int{256, 1, 1}, Args: []Arg{a, b, out, e, intArg(m), intArg(n), intArg(k), intArg(layout), intArg(epi),
			intArg(int(act)), intArg(tf32)}}
}

// denseFwd lowers y = act(x·w + b) (dense_fwd) or act(x·w + a)
// (dense_fwd_add), in = (x, w, b or a).
func (c *CUDAPlan) denseFwd(kernel string, in []int, out, n, inDim, outDim int, act ops.Activation) []Launch {
	if n >= SGEMMMinRows && n <= maxGridX*sgemmTile {
		epi := epiBias
		if kernel == "dense_fwd_add" {
			epi = epiAdd
		}
		return []Launch{c.sgemm(buf(in[0]), buf(in[1]), buf(out), buf(in[2]), n, outDim, inDim, sgemmFwd, epi, act, 1)}
	}
	g, b := TileGrid(n, outDim)
	return []Launch{{Kernel: kernel, Grid: g, Block: b, Args: []Arg{buf(in[0]), buf(in[1]), buf(in[2]), buf(out),
		intArg(n), intArg(inDim), intArg(outDim), intArg(int(act))}}}
}

// denseGradX lowers dx = gz·wᵀ, in = (gz, w).
func (c *CUDAPlan) denseGradX(in []int, out, n, inDim, outDim int) []Launch {
	if n >= SGEMMMinRows && n <= maxGridX*sgemmTile {
		return []Launch{c.sgemm(buf(in[0]), buf(in[1]), buf(out), Arg{Kind: ArgNull}, n, inDim, outDim, sgemmGradX, epiPlain, 0, 1)}
	}
	g, b := TileGrid(n, inDim)
	return []Launch{{Kernel: "dense_grad_x", Grid: g, Block: b, Args: []Arg{buf(in[0]), buf(in[1]), buf(out),
		intArg(n), intArg(inDim), intArg(outDim)}}}
}

// sgemmGradW lowers dw = (xᵀ·gz)∘mask on sgemm, the batch split over
// grid.z into scratch and added by sum_parts when the tiles alone are too
// few blocks.
func (c *CUDAPlan) sgemmGradW(st *Step, out int, mask Arg) []Launch {
	n, in, o := st.Shapes[0][0], st.Shapes[0][1], st.Shapes[1][1]
	tiles := ((o + sgemmTile - 1) / sgemmTile) * ((in + sgemmTile - 1) / sgemmTile)
	s := reduceSplits(n, tiles)
	if s == 1 {
		return []Launch{c.sgemm(buf(st.In[0]), buf(st.In[1]), buf(out), mask, in, o, n, sgemmGradW, epiMask, 0, 1)}
	}
	c.useScratch(s * in * o)
	return []Launch{c.sgemm(buf(st.In[0]), buf(st.In[1]), scratchArg(), mask, in, o, n, sgemmGradW, epiMask, 0, s),
		sumParts(buf(out), in*o, s, 1)}
}
