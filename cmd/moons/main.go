// Command moons runs the normalizing-flows lab end to end: it fits a
// masked autoregressive flow to scikit-learn's two moons and writes the
// lab's figures as numbered PNGs.
//
//	go run ./cmd/moons                 # the lab's recipe: 80 epochs at batch 32
//	go run ./cmd/moons -epochs 5 -json # a quick run, one JSON line at the end
//	go run ./cmd/moons -conditional    # a MAF conditioned on the moon label (conditional.go)
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"github.com/nflowgo/nflow/internal/cliflag"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/nflowgo/nflow/bijectors"
	"github.com/nflowgo/nflow/data"
	"github.com/nflowgo/nflow/dist"
	"github.com/nflowgo/nflow/engine"
	"github.com/nflowgo/nflow/flows"
	"github.com/nflowgo/nflow/ops"
	"github.com/nflowgo/nflow/plot"
	"github.com/nflowgo/nflow/train"
	"gorgonia.org/tensor"
)

type options struct {
	n          int
	noise      float64
	layers     int
	hidden     []int
	activation ops.Activation
	scale      ops.ScaleFn
	init       bijectors.KernelInit
	epochs     int
	batch      int
	lr         float64
	lrFinal    float64
	seed       int64
	out        string
	device     string
	json       bool

	conditional bool // train the label-conditioned MAF (conditional.go)
	flow        string
	dev         engine.Device
}

// result is the -json line.
type result struct {
	TrainNLL  float64 `json:"train_nll"`
	TestNLL   float64 `json:"test_nll"`
	GridMass  float64 `json:"grid_mass"`
	Seconds   float64 `json:"seconds"`
	StepsPerS float64 `json:"steps_per_s"`
	Steps     int     `json:"steps"`
	Params    int     `json:"params"`
	Epochs    int     `json:"epochs"`
	Batch     int     `json:"batch"`
	Seed      int64   `json:"seed"`
	Device    string  `json:"device"`
	Figures   string  `json:"figures"`
	NonFinite int     `json:"grid_nonfinite"`
	// Diverged is the epoch at which training diverged, 0 if it did not;
	// the scores are then the best epoch's, BestEpoch.
	Diverged  int `json:"diverged_at_epoch,omitempty"`
	BestEpoch int `json:"best_epoch"`
}

func main() {
	os.Exit(status(run(os.Args[1:], os.Stdout, os.Stderr), os.Stderr))
}

// status is the exit status for run's error: 0 for success and for -h
// (the flag package has printed the usage), else 1 with the error printed
// to stderr.
func status(err error, stderr io.Writer) int {
	switch {
	case err == nil || errors.Is(err, flag.ErrHelp):
		return 0
	}
	fmt.Fprintln(stderr, "moons:", err)
	return 1
}

func parse(args []string, stderr io.Writer) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("moons", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&o.n, "n", 10000, "number of training points")
	fs.Float64Var(&o.noise, "noise", 0.05, "make_moons noise (standard deviation)")
	fs.IntVar(&o.layers, "layers", 3, "number of MAF layers")
	hidden := fs.String("hidden", "128,128", "hidden units of each MADE, comma-separated")
	act := fs.String("activation", "relu", "MADE activation: relu, tanh, sigmoid, softplus, elu, identity")
	scale := fs.String("scale", "softplus", "MAF scale: softplus (stabilized), exp (TFP's raw exp), softclip")
	init := fs.String("init", string(bijectors.TorchUniform), "network initialisation: torch-uniform (PyTorch's nn.Linear default, which trains the lab more reliably) or glorot-uniform (TFP's)")
	fs.IntVar(&o.epochs, "epochs", 80, "training epochs")
	fs.IntVar(&o.batch, "batch", 32, "batch size")
	fs.Float64Var(&o.lr, "lr", 1e-3, "Adam learning rate")
	fs.Float64Var(&o.lrFinal, "lr-final", 0, "decay the learning rate to this value along a cosine (0: constant, as the lab; unset with -flow nsf: 1e-5)")
	fs.Int64Var(&o.seed, "seed", 0, "random seed (data, initialisation, shuffling, sampling)")
	fs.StringVar(&o.out, "out", "moons-out", "folder for the figures")
	fs.StringVar(&o.device, "device", "cpu", "cpu or cuda")
	fs.StringVar(&o.flow, "flow", "maf", "flow: "+strings.Join(flows.Kinds(), ", "))
	fs.BoolVar(&o.json, "json", false, "print one JSON line with the results at the end")
	fs.BoolVar(&o.conditional, "conditional", false, "train a MAF conditioned on the one-hot moon label instead; adds figures 09-10 and test_nll_given_label")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	o.lrFinal = defaultFinalRate(fs, o.flow, o.lrFinal)
	var err error
	if o.hidden, err = cliflag.PositiveInts(*hidden); err != nil {
		return nil, fmt.Errorf("-hidden=%q: %v", *hidden, err)
	}
	if o.activation, err = ops.ParseActivation(*act); err != nil {
		return nil, fmt.Errorf("-activation: %v", err)
	}
	if o.scale, err = ops.ParseScaleFn(*scale); err != nil {
		return nil, fmt.Errorf("-scale: %v", err)
	}
	o.init = bijectors.KernelInit(*init)
	if o.init != bijectors.GlorotUniform && o.init != bijectors.TorchUniform {
		return nil, fmt.Errorf("-init=%q: expected glorot-uniform or torch-uniform", *init)
	}
	switch {
	case o.n < 2:
		return nil, fmt.Errorf("-n=%d: expected at least 2 points", o.n)
	case o.layers < 1:
		return nil, fmt.Errorf("-layers=%d: expected at least 1", o.layers)
	case o.epochs < 1:
		return nil, fmt.Errorf("-epochs=%d: expected at least 1", o.epochs)
	case o.batch < 1:
		return nil, fmt.Errorf("-batch=%d: expected at least 1", o.batch)
	case !(o.lr > 0) || math.IsInf(o.lr, 0):
		return nil, fmt.Errorf("-lr=%g: expected a positive learning rate", o.lr)
	case !(o.lrFinal >= 0) || math.IsInf(o.lrFinal, 0):
		return nil, fmt.Errorf("-lr-final=%g: expected 0 (a constant rate) or a positive learning rate", o.lrFinal)
	}
	if o.dev, err = engine.DeviceByName(o.device); err != nil {
		return nil, fmt.Errorf("-device: %w", err)
	}
	if !slices.Contains(flows.Kinds(), o.flow) {
		return nil, fmt.Errorf("-flow=%q: unknown flow, expected one of %s", o.flow, strings.Join(flows.Kinds(), ", "))
	}
	if o.conditional && o.flow != "maf" {
		return nil, fmt.Errorf("-flow=%s with -conditional: the conditional lab trains a MAF conditioned on the label; drop -flow or use -flow maf", o.flow)
	}
	return o, nil
}

func run(args []string, stdout, stderr io.Writer) error {
	o, err := parse(args, stderr)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(o.out, 0o755); err != nil {
		return err
	}
	log := stdout
	if o.json {
		log = stderr
	}
	fig := func(name string) string {
		p := filepath.Join(o.out, name)
		fmt.Fprintln(log, "wrote", p)
		return p
	}
	dt := tensor.Float32
	rng := rand.New(rand.NewPCG(uint64(o.seed), 0x6d6f6f6e))

	// 1. Data.
	x64, labels, err := data.MakeMoons(o.n, o.noise, o.seed)
	if err != nil {
		return err
	}
	x, err := data.Cast(x64, dt)
	if err != nil {
		return err
	}
	if err := plot.Scatter(fig("01-data.png"), x, fmt.Sprintf("make_moons(%d, noise=%g)", o.n, o.noise)); err != nil {
		return err
	}

	// 2. Base distribution.
	base, err := dist.StandardNormal(2, dt)
	if err != nil {
		return err
	}
	z, err := base.Sample(10000, rng)
	if err != nil {
		return err
	}
	if err := plot.Scatter(fig("02-base-samples.png"), z, "base: 10000 samples of N(0, I)", plot.WithRange(-4, 4, -4, 4)); err != nil {
		return err
	}

	// 3. A first bijector: x = z·(1, 0.5) + (0.5, 0.25).
	shift, err := bijectors.Shift([]float64{0.5, 0.25})
	if err != nil {
		return err
	}
	scale, err := bijectors.Scale([]float64{1, 0.5})
	if err != nil {
		return err
	}
	ss, err := bijectors.Chain(shift, scale)
	if err != nil {
		return err
	}
	ssDist, err := dist.NewTransformedDistribution(base, ss)
	if err != nil {
		return err
	}
	ssSamples, err := ssDist.Sample(10000, rng)
	if err != nil {
		return err
	}
	if err := plot.Scatter(fig("03-shift-scale-samples.png"), ssSamples, "Shift∘Scale: 10000 samples", plot.WithRange(-4, 4, -4, 4)); err != nil {
		return err
	}
	wide := plot.Grid{XMin: -4, XMax: 4, YMin: -4, YMax: 4, NX: 150, NY: 150}
	if _, _, err := density(fig("04-shift-scale-density.png"), "Shift∘Scale density", ssDist, wide); err != nil {
		return err
	}

	if o.conditional {
		return runConditional(o, x, labels, base, rng, wide, fig, log, stdout)
	}

	// 4. The flow.
	model, err := flows.Build(flows.Spec{Kind: o.flow, EventSize: 2, Layers: o.layers, Hidden: o.hidden,
		Activation: o.activation.String(), Scale: o.scale.String(), Init: string(o.init), Seed: uint64(o.seed) * 1000})
	if err != nil {
		return err
	}
	flow := model.Bijector
	if _, _, err := density(fig("05-untrained-density.png"), "untrained flow density", model, wide); err != nil {
		return err
	}

	// 5. Train.
	fmt.Fprintf(log, "training %v: %d parameters, %d epochs at batch %d\n", flow, numParams(model), o.epochs, o.batch)
	h, diverged, err := fitLab(model, x, train.Config{Epochs: o.epochs, BatchSize: o.batch, LearningRate: o.lr,
		Seed: uint64(o.seed), Progress: log, Device: o.dev, FinalLearningRate: o.lrFinal}, log)
	if err != nil {
		return err
	}
	if err := plot.Loss(fig("06-loss.png"), "training loss", h.Loss, h.ValLoss); err != nil {
		return err
	}

	// 6. The trained density and samples.
	lab := plot.Grid{XMin: -2.5, XMax: 2.5, YMin: -2.5, YMax: 2.5, NX: 200, NY: 200}
	mass, nonFinite, err := densityOn(o.dev, fig("07-trained-density.png"), "trained flow density", model, lab)
	if err != nil {
		return err
	}
	samples, err := dist.SampleOn(o.dev, model, 10000, uint64(o.seed)+1)
	if err != nil {
		return err
	}
	if err := plot.Scatter(fig("08-trained-samples.png"), samples, "trained flow: 10000 samples", plot.WithRange(-2.5, 2.5, -2.5, 2.5)); err != nil {
		return err
	}

	// 7. Scores.
	trainNLL, err := train.MeanNLL(model, x)
	if err != nil {
		return err
	}
	test, _, err := testSet(o, dt)
	if err != nil {
		return err
	}
	testNLL, err := train.MeanNLL(model, test)
	if err != nil {
		return err
	}
	r := result{TrainNLL: trainNLL, TestNLL: testNLL, GridMass: mass, NonFinite: nonFinite, Seconds: h.Seconds,
		StepsPerS: h.StepsPerSecond, Steps: h.Steps, Params: numParams(model), Epochs: o.epochs, Batch: o.batch,
		Seed: o.seed, Device: o.device, Figures: o.out, Diverged: diverged, BestEpoch: h.BestEpoch}
	fmt.Fprintf(log, "train NLL %.4f  test NLL %.4f  grid mass %.4f  %.1f s of training (%.0f steps/s)\n",
		r.TrainNLL, r.TestNLL, r.GridMass, r.Seconds, r.StepsPerS)
	if o.json {
		b, err := json.Marshal(r)
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, string(b))
	}
	return nil
}

func numParams(d dist.Distribution) int {
	n := 0
	for _, p := range d.Params() {
		n += p.Value.Shape().TotalSize()
	}
	return n
}

// density plots exp(log_prob) of d on g and returns its mass over the grid
// and the number of grid points with a non-finite log-density.
// testSet is the fresh 10,000-point moons set the scores use: the
// training noise, another seed.
func testSet(o *options, dt tensor.Dtype) (*tensor.Dense, []int, error) {
	x, labels, err := data.MakeMoons(10000, o.noise, o.seed+7919)
	if err != nil {
		return nil, nil, err
	}
	x, err = data.Cast(x, dt)
	return x, labels, err
}

func density(path, title string, d dist.Distribution, g plot.Grid) (float64, int, error) {
	return densityOn(engine.CPU, path, title, d, g)
}

// densityOn is density with the log-densities computed on dev.
func densityOn(dev engine.Device, path, title string, d dist.Distribution, g plot.Grid) (float64, int, error) {
	pts, err := data.Cast(g.Points(), d.DType())
	if err != nil {
		return 0, 0, err
	}
	lp, err := dist.LogProbOn(dev, d, pts)
	if err != nil {
		return 0, 0, err
	}
	v := dist.Float64s(lp)
	mass, nonFinite := g.Mass(v)
	return mass, nonFinite, plot.Density(path, fmt.Sprintf("%s (mass %.3f)", title, mass), g, v)
}
