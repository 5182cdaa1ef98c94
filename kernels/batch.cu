// Mini-batch kernels: the data set [N, d] stays on the device and each
// step gathers its batch through a permutation, with the step counter on
// the device too, so a captured training step can be replayed unchanged.
// gather_batch gathers an epoch's first batch and its short last one;
// train_guard (adam.cu) gathers every other batch as it ends the step
// before.

// gather_batch copies out[r, :] = data[perm[*step·stride + r], :] for
// r < rows, data [·, d], out [rows, d]: perm holds the epoch's row order,
// *step the index of the batch within it and stride the batch size (rows
// is smaller than stride for a short last batch). Grid-stride over rows·d.
extern "C" __global__ void gather_batch(const float* data, const long long* perm, float* out, long long rows,
	long long d, long long stride, const long long* step)
{
	const long long base = *step * stride;
	const long long count = rows * d;
	for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < count; i += (long long)gridDim.x * blockDim.x) {
		const long long r = i / d;
		out[i] = data[perm[base + r] * d + (i - r * d)];
	}
}
