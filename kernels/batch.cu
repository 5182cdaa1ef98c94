// Mini-batch kernels: the data set [N, d] stays on the device and each
// step gathers its batch through a permutation, with the step counter on
// the device too, so a captured training step can be replayed unchanged.

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

// record_loss stores losses[*step] = loss[0], the step's loss in the
// epoch's loss history, on the device so that a replayed step needs no
// host copy. One thread does the work; launch with grid 1, block 1.
extern "C" __global__ void record_loss(const float* loss, float* losses, const long long* step)
{
	if (blockIdx.x == 0 && threadIdx.x == 0) {
		losses[*step] = loss[0];
	}
}

// step_tick increments the batch counter *step. One thread does the work;
// launch with grid 1, block 1 (other threads do nothing).
extern "C" __global__ void step_tick(long long* step)
{
	if (blockIdx.x == 0 && threadIdx.x == 0) {
		*step += 1;
	}
}
