package train

import (
	"errors"
	"fmt"

	"github.com/nflowgo/nflow/bijectors"
	"github.com/nflowgo/nflow/dist"
	"github.com/nflowgo/nflow/engine"
	"github.com/nflowgo/nflow/ops"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// deviceRun trains on a GPU: the data set is uploaded once and each epoch
// runs on the device, returning its step losses at the end.
type deviceRun struct {
	tr     engine.DeviceTrainer
	batch  int
	nTrain int
}

// LossPlan plans the training graph of model for a batch of rows: one
// input (the batch), outputs the mean NLL and the gradient of each
// parameter, in the order of the returned parameter values. Devices train
// from it (engine.TrainSpec).
func LossPlan(model dist.Distribution, rows int) (*engine.Plan, []*tensor.Dense, error) {
	g, err := bijectors.NewGraph(model.DType())
	if err != nil {
		return nil, nil, err
	}
	g.Training = true
	x := g.Input("x", rows, model.EventSize())
	lp, err := model.LogProbNode(g, x)
	if err != nil {
		return nil, nil, err
	}
	cost, err := gorgonia.ApplyOp(ops.NewNegMean(), lp)
	if err != nil {
		return nil, nil, err
	}
	ps, nodes := g.Params()
	grads, err := gorgonia.Grad(cost, nodes...)
	if err != nil {
		return nil, nil, err
	}
	plan, err := engine.NewPlan(g.G, gorgonia.Nodes{x}, append(gorgonia.Nodes{cost}, grads...))
	if err != nil {
		return nil, nil, err
	}
	values := make([]*tensor.Dense, len(ps))
	for i, p := range ps {
		values[i] = p.Value
	}
	return plan, values, nil
}

func newDeviceRun(dev engine.Device, model dist.Distribution, cfg Config, rows []float64, nTrain, d, batch int) (*deviceRun, error) {
	if model.DType() != tensor.Float32 {
		return nil, fmt.Errorf("train: device %s trains float32 models, this one is %v", dev.Name(), model.DType())
	}
	full, params, err := LossPlan(model, batch)
	if err != nil {
		return nil, err
	}
	// Every other tensor the plan reads in place may be state a kernel
	// updates (BatchNormalization's running moments): share and sync it.
	isParam := map[*tensor.Dense]bool{}
	for _, p := range params {
		isParam[p] = true
	}
	var state []*tensor.Dense
	for _, b := range full.Buffers {
		if v, ok := b.Value.(*tensor.Dense); ok && b.Role == engine.Bound && !isParam[v] {
			state = append(state, v)
		}
	}
	var rest *engine.Plan
	if nTrain%batch != 0 {
		if rest, _, err = LossPlan(model, nTrain%batch); err != nil {
			return nil, err
		}
	}
	data := make([]float32, nTrain*d)
	for i := range data {
		data[i] = float32(rows[i])
	}
	tr, err := engine.NewDeviceTrainer(dev, engine.TrainSpec{Full: full, Rest: rest, Params: params, State: state, Data: data,
		Rows: nTrain, Cols: d, Batch: batch, LR: cfg.LearningRate, Beta1: cfg.Beta1, Beta2: cfg.Beta2, Epsilon: cfg.Epsilon,
		Graphs: !cfg.NoGraphs})
	if err != nil {
		return nil, err
	}
	return &deviceRun{tr: tr, batch: batch, nTrain: nTrain}, nil
}

// epoch runs one epoch in the given order and returns the sum of the
// batch-size-weighted losses and the number of steps. On a non-finite
// step the device's parameters (the last good ones) are copied back and
// the error names the step.
func (r *deviceRun) epoch(order []int, epoch int) (float64, int, error) {
	losses, err := r.tr.Epoch(order)
	var nf *engine.NonFiniteStep
	if errors.As(err, &nf) {
		if serr := r.tr.Sync(); serr != nil {
			return 0, 0, serr
		}
		return 0, nf.Step, &NonFiniteError{Epoch: epoch, Step: nf.Step + 1, Loss: nf.Loss}
	}
	if err != nil {
		return 0, 0, err
	}
	sum := 0.0
	for s, l := range losses {
		sum += l * float64(min(r.batch, r.nTrain-s*r.batch))
	}
	return sum, len(losses), nil
}
