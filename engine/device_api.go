package engine

import (
	"fmt"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Caller evaluates a compiled graph: Call takes one tensor per input node
// and returns copies of the outputs. Func (CPU) and the CUDA device's
// functions implement it.
type Caller interface {
	Call(ins ...*tensor.Dense) ([]*tensor.Dense, error)
}

// NewDeviceFunc compiles g from ins to outs for dev: a CPU Func, or a
// function whose buffers live on the GPU (inputs are uploaded and outputs
// downloaded at each call; parameters are read at each call, as the CPU
// reads them in place, and re-uploaded when they changed).
func NewDeviceFunc(dev Device, g *gorgonia.ExprGraph, ins, outs gorgonia.Nodes) (Caller, error) {
	if dev == nil || dev.Name() == "cpu" {
		return NewFunc(g, ins, outs, Compiled)
	}
	plan, err := NewPlan(g, ins, outs)
	if err != nil {
		return nil, err
	}
	return newCUDAFunc(dev, plan)
}

// TrainSpec describes a training run resident on a device.
type TrainSpec struct {
	// Full and Rest are the loss-and-gradient plans (one input, the batch;
	// outputs: the loss, then the gradient of each parameter) for a full
	// batch and for the last, partial batch of an epoch (nil when the
	// batch size divides the rows).
	Full, Rest *Plan
	// Params are the parameter tensors, in the order of the gradients.
	Params []*tensor.Dense
	// State are other tensors the plans read that kernels may update in
	// place (BatchNormalization's running moments): shared by both plans
	// on the device and copied back by Sync.
	State []*tensor.Dense
	// Data is the training set, Rows × Cols, uploaded once.
	Data       []float32
	Rows, Cols int
	Batch      int
	// Adam's hyper-parameters (Keras's defaults for zeros).
	LR, Beta1, Beta2, Epsilon float64
	// Graphs captures each step into a CUDA graph after the first and
	// replays it; false launches every kernel every step.
	Graphs bool
}

// NonFiniteStep reports the first step of an epoch whose loss or gradient
// was not finite; the device kept the last good parameters.
type NonFiniteStep struct {
	Step int // 0-based step within the epoch
	Loss float64
}

func (e *NonFiniteStep) Error() string {
	return fmt.Sprintf("non-finite loss or gradient (loss %g) at step %d", e.Loss, e.Step+1)
}

// DeviceTrainer trains on a device: data, parameters and Adam's moments
// stay there; each epoch's losses come back once, at its end.
type DeviceTrainer interface {
	// Epoch runs one epoch visiting the rows in order and returns the loss
	// of every step.
	Epoch(order []int) ([]float64, error)
	// Sync copies the device's parameters and state into the host tensors.
	Sync() error
	// Close frees the device memory.
	Close() error
}

// NewDeviceTrainer prepares a training run on dev (a GPU device).
func NewDeviceTrainer(dev Device, spec TrainSpec) (DeviceTrainer, error) {
	if dev == nil || dev.Name() == "cpu" {
		return nil, fmt.Errorf("engine.NewDeviceTrainer: device %s; the CPU trains through train.Trainer", deviceName(dev))
	}
	if spec.Full == nil || spec.Batch < 1 || spec.Rows < 1 || spec.Cols < 1 || len(spec.Data) != spec.Rows*spec.Cols {
		return nil, fmt.Errorf("engine.NewDeviceTrainer: incomplete spec (batch %d, %d×%d data of %d values)", spec.Batch, spec.Rows, spec.Cols, len(spec.Data))
	}
	return newCUDATrainer(dev, spec)
}

// NewDeviceSampler compiles g for dev with its one input z filled on the
// device by a counter-based generator (Philox-4x32-10, standard normals)
// before each run: sampling without uploading the base draws.
func NewDeviceSampler(dev Device, g *gorgonia.ExprGraph, z *gorgonia.Node, outs gorgonia.Nodes) (Sampler, error) {
	if dev == nil || dev.Name() == "cpu" {
		return nil, fmt.Errorf("engine.NewDeviceSampler: device %s; the CPU samples through dist", deviceName(dev))
	}
	plan, err := NewPlan(g, gorgonia.Nodes{z}, outs)
	if err != nil {
		return nil, err
	}
	return newCUDASampler(dev, plan)
}

// Sampler draws from a compiled sampling graph on a device.
type Sampler interface {
	// Sample runs the graph on the base draws of seed's stream, from its
	// start: equal seeds give equal outputs (for equal parameters).
	Sample(seed uint64) ([]*tensor.Dense, error)
}

func deviceName(d Device) string {
	if d == nil {
		return "cpu"
	}
	return d.Name()
}
