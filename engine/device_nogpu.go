//go:build !gpu

package engine

import "fmt"

func cudaDevice() (Device, error) {
	return nil, fmt.Errorf("device \"cuda\": %w", ErrNoGPUSupport)
}

func newCUDAFunc(Device, *Plan) (Caller, error) { return nil, ErrNoGPUSupport }

func newCUDATrainer(Device, TrainSpec) (DeviceTrainer, error) { return nil, ErrNoGPUSupport }

func newCUDASampler(Device, *Plan) (Sampler, error) { return nil, ErrNoGPUSupport }
