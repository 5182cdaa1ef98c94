// Command vi is the variational-inference lab: it fits a flow q to one of
// three unnormalized targets by reverse KL (package vi), evaluates q on
// 100,000 samples (ELBO, ESS, importance-sampling log Z, Pareto k̂) and
// writes figures.
//
//	go run ./cmd/vi -target banana        # figures in vi-out/banana/
//	go run ./cmd/vi -target ring -json    # one JSON line at the end
//	go run ./cmd/vi -target funnel -steps 200 -seed 1
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/nflowgo/nflow/dist"
	"github.com/nflowgo/nflow/internal/cliflag"
	"github.com/nflowgo/nflow/vi"
)

type options struct {
	target   string
	r        recipe
	seed     uint64
	evalN    int
	out      string
	json     bool
	progress bool
}

// result is the -json line.
type result struct {
	Target       string  `json:"target"`
	ELBO         float64 `json:"elbo"`
	ELBOStdErr   float64 `json:"elbo_se"`
	ESSFraction  float64 `json:"ess_fraction"`
	LogZ         float64 `json:"log_z"`
	KHat         float64 `json:"khat"`
	ModesCovered *int    `json:"modes_covered,omitempty"`
	Seconds      float64 `json:"seconds"`
	Steps        int     `json:"steps"`
	StepsPerS    float64 `json:"steps_per_s"`
	Seed         uint64  `json:"seed"`
	Samples      int     `json:"samples"`
	Figures      string  `json:"figures,omitempty"`
}

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "vi:", err)
		os.Exit(1)
	}
}

func parse(args []string, stderr io.Writer) (*options, error) {
	fs := flag.NewFlagSet("vi", flag.ContinueOnError)
	fs.SetOutput(stderr)
	o := &options{}
	fs.StringVar(&o.target, "target", "banana", "target: banana, funnel or ring")
	flow := fs.String("flow", "", "flow: iaf or iaf-nsf (default: the target's recipe)")
	layers := fs.Int("layers", 0, "flow layers")
	hidden := fs.String("hidden", "", "MADE hidden units, comma-separated")
	act := fs.String("activation", "", "MADE activation")
	scale := fs.String("scale", "", "affine scale function of the iaf: softplus, exp or softclip")
	bins := fs.Int("bins", 0, "spline bins (iaf-nsf)")
	bound := fs.Float64("bound", 0, "spline bound B of [-B, B] (iaf-nsf)")
	baseScale := fs.Float64("base-scale", 0, "standard deviation of the Gaussian base")
	mixture := fs.Int("mixture", -1, "components of a trainable Gaussian-mixture base (0: a Gaussian base)")
	spread := fs.Float64("spread", 0, "standard deviation of the mixture's initial means")
	steps := fs.Int("steps", 0, "Adam steps")
	batch := fs.Int("batch", 0, "samples of q per step")
	lr := fs.Float64("lr", 0, "learning rate")
	lrFinal := fs.Float64("lr-final", -1, "final learning rate of the cosine decay (0: constant)")
	anneal := fs.Int("anneal", -1, "annealing steps: beta rises linearly to 1 over them (0: none)")
	beta0 := fs.Float64("beta0", 0, "initial beta of the annealing")
	geom := fs.String("geometric", "", "geometric annealing schedule: true or false (default: the recipe's)")
	stl := fs.String("stl", "", "path-gradient estimator: true or false (default: the recipe's)")
	fs.Uint64Var(&o.seed, "seed", 0, "seed of the flow's initialisation and of the samples")
	fs.IntVar(&o.evalN, "eval", 100000, "samples of q for the evaluation")
	fs.StringVar(&o.out, "out", "vi-out", "folder for the figures (a subfolder per target); empty: no figures")
	fs.BoolVar(&o.json, "json", false, "print one JSON line with the results")
	fs.BoolVar(&o.progress, "progress", true, "print a progress line every 5% of the steps (to stderr with -json)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	r, ok := recipes[o.target]
	if !ok {
		return nil, fmt.Errorf("target %q, expected banana, funnel or ring", o.target)
	}
	if *flow != "" {
		r.Flow = *flow
	}
	if *layers != 0 {
		r.Layers = *layers
	}
	if *hidden != "" {
		h, err := cliflag.PositiveInts(*hidden)
		if err != nil {
			return nil, fmt.Errorf("-hidden: %w", err)
		}
		r.Hidden = h
	}
	if *act != "" {
		r.Activation = *act
	}
	if *scale != "" {
		r.Scale = *scale
	}
	if *bins != 0 {
		r.Bins = *bins
	}
	if *bound != 0 {
		r.Bound = *bound
	}
	if *baseScale != 0 {
		r.BaseScale = *baseScale
	}
	if *mixture >= 0 {
		r.Mixture = *mixture
	}
	if *spread != 0 {
		r.Spread = *spread
	}
	if *steps != 0 {
		r.Steps = *steps
	}
	if *batch != 0 {
		r.Batch = *batch
	}
	if *lr != 0 {
		r.LR = *lr
	}
	if *lrFinal >= 0 {
		r.LRFinal = *lrFinal
	}
	if *anneal >= 0 {
		r.Anneal = *anneal
	}
	if *beta0 != 0 {
		r.Beta0 = *beta0
	}
	switch *geom {
	case "":
	case "true":
		r.Geometric = true
	case "false":
		r.Geometric = false
	default:
		return nil, fmt.Errorf("-geometric %q, expected true or false", *geom)
	}
	switch *stl {
	case "":
	case "true":
		r.STL = true
	case "false":
		r.STL = false
	default:
		return nil, fmt.Errorf("-stl %q, expected true or false", *stl)
	}
	if o.evalN < 25 {
		return nil, fmt.Errorf("-eval %d, expected at least 25 samples", o.evalN)
	}
	o.r = r
	return o, nil
}

func run(args []string, stdout, stderr io.Writer) error {
	o, err := parse(args, stderr)
	if err != nil {
		return err
	}
	target, err := targetByName(o.target)
	if err != nil {
		return err
	}
	q, err := buildQ(o.r, target.Dim(), o.seed)
	if err != nil {
		return err
	}
	cfg := vi.Config{Steps: o.r.Steps, BatchSize: o.r.Batch, LearningRate: o.r.LR, FinalLearningRate: o.r.LRFinal,
		Seed: o.seed, PathGradient: o.r.STL, AnnealSteps: o.r.Anneal, InitialBeta: o.r.Beta0, GeometricAnneal: o.r.Geometric, EvalEvery: max(1, o.r.Steps/100)}
	if o.progress {
		cfg.Progress = &every{w: progressTo(o, stdout, stderr), n: 5}
	}
	h, err := vi.Fit(q, target, cfg)
	if err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(o.seed, 0x6576616c))
	x, logw, err := vi.LogWeights(q, target, o.evalN, rng)
	if err != nil {
		return err
	}
	d, err := vi.Summarize(logw)
	if err != nil {
		return err
	}
	res := result{Target: o.target, ELBO: d.ELBO, ELBOStdErr: d.ELBOStdErr, ESSFraction: d.ESSFraction, LogZ: d.LogZ, KHat: d.KHat,
		Seconds: h.Seconds, Steps: h.Steps, StepsPerS: h.StepsPerSecond, Seed: o.seed, Samples: o.evalN}
	line := fmt.Sprintf("%s: %v after %d steps in %.1f s", o.target, d, h.Steps, h.Seconds)
	if o.target == "ring" {
		m, frac := modesCovered(dist.Float64s(x), 0.05)
		res.ModesCovered = &m
		line += fmt.Sprintf("; %d of 8 modes hold >= 5%% of the samples %.3f", m, frac)
	}
	if o.out != "" {
		dir := filepath.Join(o.out, o.target)
		if err := figures(dir, o, q, target, x, logw, h, rng); err != nil {
			return err
		}
		res.Figures = dir
	}
	if o.json {
		b, err := json.Marshal(res)
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, string(b))
		return nil
	}
	fmt.Fprintln(stdout, line)
	return nil
}

func progressTo(o *options, stdout, stderr io.Writer) io.Writer {
	if o.json {
		return stderr
	}
	return stdout
}

// every passes on one line in n of Fit's progress lines (one per 1% of
// the steps).
type every struct {
	w    io.Writer
	n, i int
}

func (e *every) Write(p []byte) (int, error) {
	e.i++
	if e.i%e.n == 0 {
		return e.w.Write(p)
	}
	return len(p), nil
}
