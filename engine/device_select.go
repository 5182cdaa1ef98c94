package engine

import (
	"errors"
	"fmt"
)

// ErrNoGPUSupport is returned for the cuda device by a binary built
// without the gpu build tag. It points to the README's GPU section, whose
// heading it quotes.
var ErrNoGPUSupport = fmt.Errorf("this binary was built without GPU support; rebuild with the gpu build tag (go run -tags gpu ./cmd/... -device=cuda) on a machine with the CUDA headers (see README.md, section %q, and `make gpu-check`)", readmeGPUSection)

// ErrNoDevice is wrapped by the cuda device's error, in a binary built with
// the gpu tag, when the driver has no device to offer: cuInit failed (no
// GPU, or one hidden from this process by CUDA_VISIBLE_DEVICES, MIG or a
// container) or none is visible. GPU tests skip on it; programs print it
// and exit non-zero.
var ErrNoDevice = errors.New("no usable CUDA device")

// readmeGPUSection is the heading of README.md's GPU section.
const readmeGPUSection = "GPU (`-tags gpu`)"

// DeviceByName returns the device called name: "cpu", or "cuda" in a
// binary built with the gpu tag.
func DeviceByName(name string) (Device, error) {
	switch name {
	case "cpu", "":
		return CPU, nil
	case "cuda":
		return cudaDevice()
	}
	return nil, fmt.Errorf("device %q: unknown device, expected cpu or cuda", name)
}
