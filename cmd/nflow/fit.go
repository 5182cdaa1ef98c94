package main

import (
	"errors"
	"flag"
	"fmt"
	"github.com/nflowgo/nflow/internal/cliflag"
	"io"
	"math"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/nflowgo/nflow/data"
	"github.com/nflowgo/nflow/dist"
	"github.com/nflowgo/nflow/flows"
	"github.com/nflowgo/nflow/train"
	"gorgonia.org/tensor"
)

// fitCommand is nflow fit.
var fitCommand = &command{
	name:    "fit",
	args:    "-data FILE.csv [-flow KIND] [-out MODEL.nflow] [-loss LOSS.png] [flags]",
	summary: "fit a flow to the points of a CSV file and save the model",
	about: `Fit reads the points of a CSV file (one point per line, an optional header),
shuffles them, holds out the fraction -val for validation, and fits the flow
by maximum likelihood with Adam. Training stops early after -patience epochs
without a better validation loss and keeps the best epoch's parameters. A
line per epoch goes to stderr; the model is saved to -out, the loss curve to
-loss, and the final training and validation NLL (nats per point) are
printed. With -context the flow is conditional, p(x | context), trained on the
pairs (data row n, context row n).

If the loss becomes non-finite or grows far beyond its best, fit says so and
saves the best epoch (or, with no good epoch, saves nothing and fails). The
first Ctrl-C (SIGINT) or SIGTERM stops at the end of the current step and
saves the best epoch so far (exit status 130 or 143); a second quits at once.

By default (-standardize) the flow's first bijector maps each column to
(x - median)/s, learned from the training points and saved with the model:
s is the larger of IQR/1.349 and the larger distance from the median to the
0.5% or 99.5% quantile, divided by 2.576 (both the sd of a normal column),
so that 99% of each column's training values fall within ±2.576 while the
most extreme 1% hardly move s. Raw numbers in any units train well, and
every density and NLL is still in the data's units (the log-det of the
scaling is included). The splines of the nsf kinds act on [-bound, bound]
(default 5, zuko's range) of those standardized values and are the
identity (linear tails) outside it: points beyond the range pass through
unchanged (log-det 0) rather than breaking the fit, but the spline cannot
reshape them. With -standardize=false the range applies to the raw values.

The other defaults are the ones that held up on real data (tools/realdata,
against zuko): -scale softclip, -init torch-uniform, -input-bound 2 for the
maf and nsf kinds, -density-params (the maf and nsf conditioners parameterise the
data-to-noise direction, as zuko's do) and -spline-knots softclip (zuko's
normalisation of the nsf networks' outputs; it has no CUDA kernel).
-clip-norm is off: clipping the gradient's norm slowed every fit tried.
-density-params=false -spline-knots softplus -bound 3 -scale softplus
-init glorot-uniform -input-bound 0 -standardize=false give the library's
(and the lab's) Spec zero values.`,
	flags: fitFlags,
	run:   func(o any, out, log io.Writer) error { return runFit(o.(*fitOptions), out, log) },
}

// fitOptions are the flags of nflow fit.
type fitOptions struct {
	data, out, loss string
	context         string
	spec            flows.Spec
	hidden          string
	cfg             train.Config
}

func fitFlags(fs *flag.FlagSet) any {
	o := &fitOptions{}
	fs.StringVar(&o.data, "data", "", "CSV `file` of training points (required)")
	fs.StringVar(&o.context, "context", "", "CSV `file` of conditioning inputs, one row per data row: fits a conditional flow p(x | c)")
	fs.StringVar(&o.spec.Kind, "flow", "maf", "flow `kind`: "+strings.Join(flows.Kinds(), ", "))
	fs.IntVar(&o.spec.Layers, "layers", 3, "number of flow layers")
	fs.StringVar(&o.hidden, "hidden", "128,128", "hidden `units` of each conditioner network, comma-separated")
	fs.StringVar(&o.spec.Activation, "activation", "relu", "conditioner `activation`: relu, tanh, sigmoid, softplus, elu, identity")
	fs.StringVar(&o.spec.Scale, "scale", "softclip", "affine scale `function`: softclip (|log σ| < 6.9), softplus, exp")
	fs.StringVar(&o.spec.Init, "init", "torch-uniform", "conditioner `initialisation`: torch-uniform (PyTorch's nn.Linear default) or glorot-uniform (TFP's)")
	fs.Float64Var(&o.spec.InputBound, "input-bound", flows.DefaultInputBound, "maf and nsf kinds: conditioner networks read `B`·tanh(y/B), so shift and scale (or spline) far from the data are those at its edge (0: y itself)")
	fs.BoolVar(&o.spec.DensityParams, "density-params", true, "maf, iaf and nsf kinds: the conditioners parameterise the density direction (data to noise, zuko's convention: x·σ + m, spline g(x)); false: the sampling direction (TFP's: (x - m)/σ, g⁻¹(x))")
	fs.StringVar(&o.spec.SplineKnots, "spline-knots", "softclip", "nsf kind: how the networks' outputs become bin widths, heights and slopes: softclip (zuko's: soft-clipped softmax bins, slopes exp(u/(1+|u|/6.9))) or softplus (bins of at least 0.1% of the range, slopes softplus(u+c)+0.001)")
	fs.IntVar(&o.spec.Bins, "bins", 0, "spline bins of the nsf kinds (0: the kind's default)")
	fs.Float64Var(&o.spec.Bound, "bound", flows.FitSplineBound, "spline range [-bound, bound] of the nsf kinds, in standardized units (0: the library's default, 3)")
	fs.BoolVar(&o.spec.Standardize, "standardize", true, "learn a per-column shift and scale (median, quantile spread) from the training points as the flow's first bijector; densities stay in the data's units")
	fs.StringVar(&o.spec.DType, "dtype", "float32", "`dtype` of the model: float32 or float64")
	fs.IntVar(&o.cfg.Epochs, "epochs", 100, "most training epochs")
	fs.IntVar(&o.cfg.BatchSize, "batch", 128, "batch size")
	fs.Float64Var(&o.cfg.LearningRate, "lr", 1e-3, "Adam learning rate")
	fs.Float64Var(&o.cfg.ClipNorm, "clip-norm", 0, "rescale each step's gradient to a global L2 `norm` of at most this before Adam's update (0: no clipping)")
	fs.Uint64Var(&o.cfg.Seed, "seed", 0, "random seed (initialisation, validation split, shuffling)")
	fs.Float64Var(&o.cfg.ValidationSplit, "val", 0.1, "`fraction` of the points held out for validation (0: none)")
	fs.IntVar(&o.cfg.Patience, "patience", 10, "stop after this many `epochs` without improvement (0: never)")
	fs.StringVar(&o.out, "out", "model.nflow", "model `file` to write")
	fs.StringVar(&o.loss, "loss", "", "PNG `file` for the loss curve (default: none)")
	return o
}

func (o *fitOptions) check() error {
	var err error
	if err = checkBinaryOutput(fileFlag{flag: "-out", path: o.out}, "a model"); err != nil {
		return err
	}
	if err = checkBinaryOutput(fileFlag{flag: "-loss", path: o.loss}, "a PNG figure"); err != nil {
		return err
	}
	switch {
	case o.data == "":
		return fmt.Errorf("-data is required: the CSV file of training points")
	case o.out == "":
		return fmt.Errorf("-out is required: the model file to write")
	case !slices.Contains(flows.Kinds(), o.spec.Kind):
		return fmt.Errorf("-flow=%q: unknown flow; the flows are %s", o.spec.Kind, strings.Join(flows.Kinds(), ", "))
	case o.spec.Layers < 1:
		return fmt.Errorf("-layers=%d: expected at least 1", o.spec.Layers)
	case o.cfg.Epochs < 1:
		return fmt.Errorf("-epochs=%d: expected at least 1", o.cfg.Epochs)
	case o.cfg.BatchSize < 1:
		return fmt.Errorf("-batch=%d: expected at least 1", o.cfg.BatchSize)
	case !(o.cfg.LearningRate > 0) || math.IsInf(o.cfg.LearningRate, 0):
		return fmt.Errorf("-lr=%g: expected a positive learning rate", o.cfg.LearningRate)
	case !(o.cfg.ValidationSplit >= 0 && o.cfg.ValidationSplit < 1):
		return fmt.Errorf("-val=%g: expected a fraction in [0, 1)", o.cfg.ValidationSplit)
	case !(o.cfg.ClipNorm >= 0) || math.IsInf(o.cfg.ClipNorm, 0):
		return fmt.Errorf("-clip-norm=%g: expected 0 (no clipping) or a positive norm", o.cfg.ClipNorm)
	case o.cfg.Patience < 0:
		return fmt.Errorf("-patience=%d: expected 0 (never stop early) or more", o.cfg.Patience)
	case o.spec.Bins < 0:
		return fmt.Errorf("-bins=%d: expected 0 (the default) or more", o.spec.Bins)
	}
	if o.spec.Hidden, err = cliflag.PositiveInts(o.hidden); err != nil {
		return fmt.Errorf("-hidden=%q: %v", o.hidden, err)
	}
	o.spec.Seed = o.cfg.Seed
	o.spec.EventSize = 1 // checked against the data later
	// The saved spec records only what the kind uses.
	switch o.spec.Kind {
	case "maf", "iaf":
		o.spec.Bound, o.spec.SplineKnots = 0, ""
	case "nsf": // Spec.InputBound is the maf kinds'; nsf's is SplineInputBound
		o.spec.SplineInputBound, o.spec.InputBound = o.spec.InputBound, 0
	case "nsf-coupling":
		o.spec.DensityParams, o.spec.SplineKnots, o.spec.InputBound = false, "", 0
	default:
		o.spec.Bound, o.spec.DensityParams, o.spec.SplineKnots, o.spec.InputBound = 0, false, "", 0
	}
	if _, err := o.spec.Normalize(); err != nil {
		return fmt.Errorf("%s", strings.TrimPrefix(err.Error(), "flows: "))
	}
	o.cfg.RestoreBest = true
	return nil
}

// fitted is a trained model and how it was trained.
type fitted struct {
	spec             flows.Spec
	model            *dist.TransformedDistribution
	history          *train.History
	nTrain, nVal     int
	trainNLL, valNLL float64
	// ended is how training ended early, nil when it ran its course:
	// train.ErrStopped, a *train.DivergedError or a *train.NonFiniteError.
	ended error
}

// fit loads the data (and context) and trains the model, stopping early
// when stop is closed; progress lines go to log.
func fit(o *fitOptions, log io.Writer, stop <-chan struct{}) (*fitted, error) {
	x64, err := loadTable(o.data, o.spec.Dtype())
	if err != nil {
		return nil, err
	}
	n, d := x64.Shape()[0], x64.Shape()[1]
	var c64 *tensor.Dense
	cs := 0
	if o.context != "" {
		if c64, err = loadTable(o.context, o.spec.Dtype()); err != nil {
			return nil, err
		}
		if m := c64.Shape()[0]; m != n {
			return nil, fmt.Errorf("%s has %d rows and %s has %d: give one context row per data row", o.context, m, o.data, n)
		}
		cs = c64.Shape()[1]
	}
	spec := o.spec
	spec.EventSize, spec.ContextSize = d, cs
	model, err := flows.Build(spec)
	if err != nil {
		return nil, err
	}
	if got := dist.ContextSizeOf(model); got != cs {
		return nil, fmt.Errorf("-flow=%s built a model with context size %d from -context %s of %d columns: this kind does not support conditioning", spec.Kind, got, o.context, cs)
	}
	// Shuffle before Fit takes the validation rows from the end, so that a
	// file sorted by some column still gives a fair validation set.
	perm := rand.New(rand.NewPCG(o.cfg.Seed, 0x6e666c6f77)).Perm(n)
	x, err := permuted(x64, perm, model.DType())
	if err != nil {
		return nil, err
	}
	cfg := o.cfg
	if c64 != nil {
		if cfg.Context, err = permuted(c64, perm, model.DType()); err != nil {
			return nil, err
		}
	}
	nVal := int(math.Round(o.cfg.ValidationSplit * float64(n)))
	if n-nVal < 1 || (o.cfg.ValidationSplit > 0 && nVal < 1) {
		return nil, fmt.Errorf("%s: %d points cannot be split into training and validation sets with -val=%g", o.data, n, o.cfg.ValidationSplit)
	}
	if spec.Standardize {
		if err := initStandardize(model, x, n-nVal); err != nil {
			return nil, err
		}
	}
	cfg.Progress = log
	given := ""
	if cs > 0 {
		given = fmt.Sprintf(" given %d context values from %s", cs, o.context)
	}
	fmt.Fprintf(log, "fitting %s (%d layers, hidden %v) to %d points of %d dimensions from %s%s: %d for training, %d for validation\n",
		spec.Kind, spec.Layers, spec.Hidden, n, d, o.data, given, n-nVal, nVal)
	cfg.Stop = stop
	h, err := train.Fit(model, x, cfg)
	f := &fitted{spec: spec, model: model, history: h, nTrain: n - nVal, nVal: nVal, ended: err}
	var de *train.DivergedError
	var nf *train.NonFiniteError
	switch {
	case err == nil:
	case errors.Is(err, train.ErrStopped) || errors.As(err, &de) || errors.As(err, &nf):
		if h.BestEpoch == 0 {
			return f, nil // nothing to measure
		}
	default:
		return nil, err
	}
	if f.trainNLL, err = meanNLL(model, x, cfg.Context, 0, n-nVal); err != nil {
		return nil, err
	}
	if nVal > 0 {
		if f.valNLL, err = meanNLL(model, x, cfg.Context, n-nVal, n); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// loadTable reads the CSV table at path for a model of dtype dt, naming
// the line of a value too large for it and what to do.
func loadTable(path string, dt tensor.Dtype) (*tensor.Dense, error) {
	x, err := data.LoadCSVAs(path, dt)
	if errors.Is(err, data.ErrOverflow) {
		return nil, fmt.Errorf("%w: fit a -dtype float64 model, or scale the data", err)
	}
	return x, err
}

// permuted returns the rows perm of x in dtype dt.
func permuted(x *tensor.Dense, perm []int, dt tensor.Dtype) (*tensor.Dense, error) {
	k := x.Shape()[1]
	v := dist.Float64s(x)
	out := make([]float64, 0, len(v))
	for _, i := range perm {
		out = append(out, v[i*k:(i+1)*k]...)
	}
	return data.Cast(tensor.New(tensor.WithShape(len(perm), k), tensor.WithBacking(out)), dt)
}

// meanNLL is train.MeanNLL (or MeanNLLGiven with the context c) of the
// rows [lo, hi) of x.
func meanNLL(model *dist.TransformedDistribution, x, c *tensor.Dense, lo, hi int) (float64, error) {
	xs, err := rowsOf(dist.Float64s(x), lo, hi, x.Shape()[1], model.DType())
	if err != nil {
		return 0, err
	}
	if c == nil {
		return train.MeanNLL(model, xs)
	}
	cs, err := rowsOf(dist.Float64s(c), lo, hi, c.Shape()[1], model.DType())
	if err != nil {
		return 0, err
	}
	return train.MeanNLLGiven(model, xs, cs)
}
