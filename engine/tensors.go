package engine

import "gorgonia.org/tensor"

// CloneTensors returns a deep copy of ts (one new tensor each): a snapshot
// of parameters that later steps may overwrite.
func CloneTensors(ts []*tensor.Dense) []*tensor.Dense {
	out := make([]*tensor.Dense, len(ts))
	for i, t := range ts {
		out[i] = t.Clone().(*tensor.Dense)
	}
	return out
}

// CopyTensors copies src's values into dst, tensor by tensor, without
// allocating. dst and src must hold tensors of the same dtypes and sizes,
// as CloneTensors returns.
func CopyTensors(dst, src []*tensor.Dense) {
	for i := range dst {
		if dst[i].Dtype() == tensor.Float32 {
			copy(dst[i].Float32s(), src[i].Float32s())
		} else {
			copy(dst[i].Float64s(), src[i].Float64s())
		}
	}
}
