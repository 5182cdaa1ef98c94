//go:build !gpu

package main

import "fmt"

// checkDevice accepts the devices this build supports.
func checkDevice(name string) error {
	switch name {
	case "cpu":
		return nil
	case "cuda":
		return fmt.Errorf("-device=cuda: this binary was built without GPU support; rebuild with the gpu build tag (go run -tags gpu ./cmd/moons -device=cuda) on a machine with the CUDA headers (see GPU.md and `make gpu-check`)")
	}
	return fmt.Errorf("-device=%q: unknown device, expected cpu or cuda", name)
}
