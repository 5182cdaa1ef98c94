package engine

// The launches a device trainer adds to each step of a lowered training
// plan. They are pure Go, like the lowering, so the launch count of a
// training step is counted (cmd/bench -launches) on any machine, and the
// gpu trainer enqueues exactly these.

// The trainer's arrays, named by an ArgTrainer argument's Index (its
// Value is a byte offset into the array).
const (
	TrainerParams   = iota // the parameters, back to back in gradient order
	TrainerM               // Adam's first moments
	TrainerV               // Adam's second moments
	TrainerData            // the training set, Rows × Cols
	TrainerPerm            // the epoch's row order (int64)
	TrainerLosses          // the epoch's per-step losses
	TrainerCounters        // step int64 at +0, Adam's t int64 at +8, bad int32 at +16, done int32 at +20
)

// Byte offsets in the trainer's counters.
const (
	counterStep = 0
	counterT    = 8
	counterBad  = 16
	counterDone = 20
)

// TrainStepSpec is what the trainer's launches need to know of a run.
type TrainStepSpec struct {
	Cols, Batch int // the data's width; the batch size, the stride of the row order
	// Next is the number of steps of the epoch this plan runs: a step s
	// with s + 1 < Next gathers the batch of step s + 1.
	Next                      int
	LR, Beta1, Beta2, Epsilon float64
}

func trainerArg(array, offset int) Arg {
	return Arg{Kind: ArgTrainer, Index: array, Value: uint64(offset)}
}

// ParamCount is the number of parameter values a training plan updates:
// the sizes of its outputs after the loss (the gradients).
func ParamCount(p *Plan) int {
	n := 0
	for _, b := range p.Outputs[1:] {
		n += p.Buffers[b].Size
	}
	return n
}

// TrainerLaunches are the two launches that end each training step of c
// (whose gradient outputs the program places back to back):
//
//	train_guard: *bad = 1 if the loss or a gradient is not finite; the
//	             batch of the next step gathered into the input; then, in
//	             the last block to finish, t += 1 unless *bad, the loss
//	             recorded and the step counter advanced
//	adam_step:   Keras's Adam over the parameter arena, skipped when *bad
func TrainerLaunches(c *CUDAPlan, s TrainStepSpec) []Launch {
	nPar, rows := ParamCount(c.Plan), c.InputShapes[0][0]
	g, b := ElementGrid(max(nPar, rows*s.Cols))
	guard := Launch{Kernel: "train_guard", Grid: g, Block: b, Args: []Arg{
		buf(c.Outputs[1]), intArg(nPar), buf(c.Outputs[0]), trainerArg(TrainerLosses, 0), trainerArg(TrainerCounters, 0),
		trainerArg(TrainerData, 0), trainerArg(TrainerPerm, 0), buf(c.Inputs[0]), intArg(rows), intArg(s.Cols), intArg(s.Batch),
		intArg(s.Next)}}
	g, b = ElementGrid(nPar)
	adam := Launch{Kernel: "adam_step", Grid: g, Block: b, Args: []Arg{
		trainerArg(TrainerParams, 0), buf(c.Outputs[1]), trainerArg(TrainerM, 0), trainerArg(TrainerV, 0), intArg(nPar),
		trainerArg(TrainerCounters, counterT), trainerArg(TrainerCounters, counterBad),
		floatArg(s.LR), floatArg(s.Beta1), floatArg(s.Beta2), floatArg(s.Epsilon)}}
	return []Launch{guard, adam}
}

// GatherLaunch gathers the batch of the current step (*step) into c's
// input: the first batch of an epoch, and a short last batch, which no
// earlier step gathers.
func GatherLaunch(c *CUDAPlan, s TrainStepSpec) Launch {
	rows := c.InputShapes[0][0]
	g, b := ElementGrid(rows * s.Cols)
	return Launch{Kernel: "gather_batch", Grid: g, Block: b, Args: []Arg{trainerArg(TrainerData, 0), trainerArg(TrainerPerm, 0),
		buf(c.Inputs[0]), intArg(rows), intArg(s.Cols), intArg(s.Batch), trainerArg(TrainerCounters, counterStep)}}
}

// TrainStepLaunches lowers a training plan (the loss, then one gradient
// per parameter, one input of batch rows × cols) and returns the launches
// one replayed training step runs on the cuda device: the plan's, then
// the trainer's. Their number is the node count of the step's CUDA graph.
func TrainStepLaunches(p *Plan, cols int) ([]Launch, *CUDAPlan, error) {
	c, err := LowerCUDA(p)
	if err != nil {
		return nil, nil, err
	}
	rows := p.InputShapes[0][0]
	ls := append(append([]Launch(nil), c.Launches...), TrainerLaunches(c, TrainStepSpec{Cols: cols, Batch: rows, Next: 2,
		LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Epsilon: 1e-7})...)
	return ls, c, nil
}

// StepLaunchCounter is implemented by device trainers that count the
// kernel launches of a training step as they enqueue them.
type StepLaunchCounter interface {
	// LaunchesPerStep is the number of kernels the last full training
	// step enqueued (the nodes of its CUDA graph); 0 before the first.
	LaunchesPerStep() int
}
