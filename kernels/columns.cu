// Column block kernels of the coupling layers (ops.Columns,
// ops.ColumnsGrad, ops.Concat): a coupling splits its input [n, d] into the
// units it passes through and the units it transforms, and joins them back.
// Copies only, so the results are exact. All use a 1-D grid-stride loop
// (block 256, grid min(ceil(count/256), 65535)).

#define GRID_STRIDE(i, count) \
	for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < (count); i += (long long)gridDim.x * blockDim.x)

// columns copies the column block y[r, j] = x[r, lo + j], x [n, d],
// y [n, w] (the columns lo..lo+w−1). Grid-stride over n·w.
extern "C" __global__ void columns(const float* x, float* y, long long n, long long d, long long lo, long long w)
{
	GRID_STRIDE(i, n * w)
	{
		const long long r = i / w;
		y[i] = x[r * d + lo + (i - r * w)];
	}
}

// columns_grad scatters g [n, w] into out [n, d]: out[r, c] = g[r, c − lo]
// for lo <= c < lo + w and 0 elsewhere. Grid-stride over n·d.
extern "C" __global__ void columns_grad(const float* g, float* out, long long n, long long d, long long lo, long long w)
{
	GRID_STRIDE(i, n * d)
	{
		const long long r = i / d;
		const long long c = i - r * d - lo;
		out[i] = (c >= 0 && c < w) ? g[r * w + c] : 0.0f;
	}
}

// concat joins a [n, da] and b [n, db] side by side: out [n, da + db],
// out[r, :da] = a[r, :], out[r, da:] = b[r, :]. Grid-stride over n·(da + db).
extern "C" __global__ void concat(const float* a, const float* b, float* out, long long n, long long da, long long db)
{
	const long long d = da + db;
	GRID_STRIDE(i, n * d)
	{
		const long long r = i / d;
		const long long c = i - r * d;
		out[i] = c < da ? a[r * da + c] : b[r * db + (c - da)];
	}
}
