//go:build !gpu

package engine

import "fmt"

func cudaDevice() (Device, error) {
	return nil, fmt.Errorf("device \"cuda\": %w", ErrNoGPUSupport)
}
