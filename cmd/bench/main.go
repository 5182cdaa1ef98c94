// Command bench measures nflow's speed on the lab's model and two larger
// ones: training steps/s, log_prob points/s, sampling samples/s, achieved
// GFLOP/s, allocations per step and peak memory, per device and batch size.
//
//	go run ./cmd/bench              # full table (about a minute per model)
//	go run ./cmd/bench -quick       # seconds: a smoke run for CI
//	go run ./cmd/bench -json        # one JSON line per measurement
//	go run ./cmd/bench -launches    # each training step's CUDA launches and
//	                                # their modelled H200 time (no device needed)
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"github.com/nflowgo/nflow/internal/cliflag"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/nflowgo/nflow/bijectors"
	"github.com/nflowgo/nflow/dist"
	"github.com/nflowgo/nflow/engine"
	"github.com/nflowgo/nflow/kernels/cpu/gemm"
	"github.com/nflowgo/nflow/ops"
	"github.com/nflowgo/nflow/train"
	"gorgonia.org/tensor"
)

// model is one benchmark architecture: layers × MAF(MADE(D, hidden)).
type model struct {
	Name   string
	D      int
	Hidden []int
	Layers int
}

var models = []model{
	{"lab", 2, []int{128, 128}, 3},
	{"deep", 8, []int{512, 512}, 5},
	{"wide", 64, []int{1024, 1024}, 5},
}

// Result is one measurement (one JSON line with -json).
type Result struct {
	Device          string  `json:"device"`
	Model           string  `json:"model"`
	Params          int     `json:"params"`
	Batch           int     `json:"batch"`
	TrainStepsPerS  float64 `json:"train_steps_per_s"`
	TrainSamplesPS  float64 `json:"train_samples_per_s"`
	LogProbPerS     float64 `json:"log_prob_points_per_s"`
	SamplePerS      float64 `json:"sample_samples_per_s"`
	TrainGFLOPs     float64 `json:"train_gflop_per_s"`         // dense-equivalent: every kernel entry counted
	LogProbGFLOPs   float64 `json:"log_prob_gflop_per_s"`      // dense-equivalent
	TrainDone       float64 `json:"train_gflop_done_per_s"`    // the work the kernels do, masked-zero tiles skipped
	LogProbDone     float64 `json:"log_prob_gflop_done_per_s"` // likewise
	WorkFraction    float64 `json:"train_work_fraction"`       // training work done / dense-equivalent
	AllocsPerStep   float64 `json:"allocs_per_step"`
	StepMicros      float64 `json:"step_us,omitempty"`           // GPU: time per step with graph replay
	StepMicrosNoGr  float64 `json:"step_us_no_graph,omitempty"`  // GPU: time per step launching every kernel
	LaunchesPerStep int     `json:"launches_per_step,omitempty"` // GPU: kernels a training step enqueued, counted
	PeakHeapMB      float64 `json:"peak_heap_mb"`
	Threads         int     `json:"threads"`
}

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	devices := fs.String("device", "cpu", "devices, comma-separated: cpu, cuda")
	modelNames := fs.String("model", "lab,deep,wide", "models, comma-separated: lab (D=2, [128,128], 3 layers), deep (D=8, [512,512], 5), wide (D=64, [1024,1024], 5)")
	batches := fs.String("batch", "32,256,4096", "batch sizes, comma-separated")
	quick := fs.Bool("quick", false, "a smoke run in seconds: the lab model, short timings, one round")
	rounds := fs.Int("rounds", 3, "timed rounds per figure; the median is reported")
	seconds := fs.Float64("seconds", 0.5, "length of each timed round")
	asJSON := fs.Bool("json", false, "print one JSON line per measurement instead of a table")
	tf32 := fs.Bool("tf32", false, "cuda: let the large-batch matrix products use TF32 tensor cores (default FP32)")
	launches := fs.Bool("launches", false, "print each training step's CUDA launches (kernel, grid, block, FLOPs, bytes, modelled H200 time) and exit; needs no GPU")
	shardRows := fs.Int("min-shard-rows", train.MinShardRows, "least batch rows per CPU for a training step split across CPUs (train.MinShardRows)")
	gemmThreads := fs.Int("gemm-threads", 0, "goroutines a large matrix product is split across (gemm.SetThreads; 0: one per CPU)")
	only := fs.String("only", "train,log_prob,sample", "figures, comma-separated: train, log_prob, sample (the others are reported as 0)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *quick { // explicit flags win over -quick's settings
		set := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
		for name, v := range map[string]string{"model": "lab", "batch": "32,256", "rounds": "1", "seconds": "0.05"} {
			if !set[name] {
				fs.Set(name, v)
			}
		}
	}
	bs, err := cliflag.PositiveInts(*batches)
	if err != nil {
		return fmt.Errorf("-batch: %v", err)
	}
	if *rounds < 1 || !(*seconds > 0) {
		return fmt.Errorf("-rounds=%d -seconds=%g: expected at least one round of positive length", *rounds, *seconds)
	}
	train.MinShardRows = *shardRows
	gemm.SetThreads(*gemmThreads)
	figs := map[string]bool{}
	for _, f := range strings.Split(*only, ",") {
		switch f = strings.TrimSpace(f); f {
		case "train", "log_prob", "sample":
			figs[f] = true
		default:
			return fmt.Errorf("-only: unknown figure %q, expected train, log_prob or sample", f)
		}
	}
	var ms []model
	for _, name := range strings.Split(*modelNames, ",") {
		found := false
		for _, m := range models {
			if m.Name == strings.TrimSpace(name) {
				ms, found = append(ms, m), true
			}
		}
		if !found {
			return fmt.Errorf("-model: unknown model %q, expected lab, deep or wide", name)
		}
	}
	if *tf32 {
		defer engine.SetCUDALowerOptions(engine.SetCUDALowerOptions(engine.LowerOptions{TF32: true}))
	}
	if *launches {
		for _, m := range ms {
			for _, b := range bs {
				if err := printLaunches(stdout, m, b); err != nil {
					return fmt.Errorf("%s batch %d: %w", m.Name, b, err)
				}
			}
		}
		return nil
	}
	var results []Result
	for _, devName := range strings.Split(*devices, ",") {
		dev, err := engine.DeviceByName(strings.TrimSpace(devName))
		if err != nil {
			return fmt.Errorf("-device: %w", err)
		}
		for _, m := range ms {
			for _, b := range bs {
				r, err := measure(dev, m, b, *rounds, time.Duration(*seconds*float64(time.Second)), figs)
				if err != nil {
					return fmt.Errorf("%s %s batch %d: %w", dev.Name(), m.Name, b, err)
				}
				if *asJSON {
					line, _ := json.Marshal(r)
					fmt.Fprintln(stdout, string(line))
				} else {
					fmt.Fprintf(stderr, "measured %s %s batch %d\n", r.Device, r.Model, r.Batch)
				}
				results = append(results, r)
			}
		}
	}
	if !*asJSON {
		printTable(stdout, results)
	}
	return nil
}

func build(m model) (*dist.TransformedDistribution, error) {
	flow, err := bijectors.NewMAFStack(m.Layers, bijectors.MADEConfig{EventSize: m.D, HiddenUnits: m.Hidden,
		Activation: ops.ReLU, Seed: 1}, ops.ScaleSoftplus)
	if err != nil {
		return nil, err
	}
	base, err := dist.StandardNormal(m.D, tensor.Float32)
	if err != nil {
		return nil, err
	}
	return dist.NewTransformedDistribution(base, flow)
}

// forwardFLOPs is the flop count of one network pass over one point:
// 2·Σ in·out over every dense layer of every MADE.
func forwardFLOPs(m model) float64 {
	sizes := append(append([]int{m.D}, m.Hidden...), 2*m.D)
	f := 0
	for i := 0; i+1 < len(sizes); i++ {
		f += 2 * sizes[i] * sizes[i+1]
	}
	return float64(f * m.Layers)
}

// doneFLOPs returns the flops per point that the CPU kernels perform for
// one forward pass and for one training step (forward, input gradient and
// weight gradient) once the masks' zero tiles are skipped.
func doneFLOPs(m model) (forward, train float64, err error) {
	net, err := bijectors.NewAutoregressiveNetwork(bijectors.MADEConfig{Params: 2, EventSize: m.D, HiddenUnits: m.Hidden})
	if err != nil {
		return 0, 0, err
	}
	_, fwd, gx := net.MultiplyAdds()
	return float64(2 * fwd * m.Layers), float64(2 * (fwd + 2*gx) * m.Layers), nil
}

// rate runs f repeatedly for rounds timed rounds of about d each, after a
// warm-up call, and returns the median calls per second.
func rate(rounds int, d time.Duration, f func() error) (float64, error) {
	if err := f(); err != nil {
		return 0, err
	}
	var rates []float64
	for r := 0; r < rounds; r++ {
		n, start := 0, time.Now()
		for time.Since(start) < d || n == 0 {
			if err := f(); err != nil {
				return 0, err
			}
			n++
		}
		rates = append(rates, float64(n)/time.Since(start).Seconds())
	}
	sort.Float64s(rates)
	return rates[len(rates)/2], nil
}

func measure(dev engine.Device, m model, batch, rounds int, d time.Duration, figs map[string]bool) (Result, error) {
	if dev.Name() != "cpu" {
		return measureDevice(dev, m, batch, rounds, d)
	}
	runtime.GC()
	td, err := build(m)
	if err != nil {
		return Result{}, err
	}
	rng := rand.New(rand.NewPCG(1, 2))
	data, err := td.Base.Sample(batch, rng)
	if err != nil {
		return Result{}, err
	}
	r := Result{Device: dev.Name(), Model: m.Name, Batch: batch, Threads: runtime.GOMAXPROCS(0)}
	for _, p := range td.Params() {
		r.Params += p.Value.Shape().TotalSize()
	}
	fwd := forwardFLOPs(m)
	doneFwd, doneTrain, err := doneFLOPs(m)
	if err != nil {
		return r, err
	}
	var ms runtime.MemStats
	if figs["train"] {
		if err := measureTrain(&r, td, data, rounds, d); err != nil {
			return r, err
		}
		r.TrainSamplesPS = r.TrainStepsPerS * float64(batch)
		r.TrainGFLOPs = r.TrainSamplesPS * 3 * fwd / 1e9
		r.TrainDone, r.WorkFraction = r.TrainSamplesPS*doneTrain/1e9, doneTrain/(3*fwd)
	}
	if figs["log_prob"] {
		if r.LogProbPerS, err = rate(rounds, d, func() error { _, err := td.LogProb(data); return err }); err != nil {
			return r, err
		}
		r.LogProbPerS *= float64(batch)
		r.LogProbGFLOPs = r.LogProbPerS * fwd / 1e9
		r.LogProbDone = r.LogProbPerS * doneFwd / 1e9
	}
	if figs["sample"] {
		if r.SamplePerS, err = rate(rounds, d, func() error { _, err := td.Sample(batch, rng); return err }); err != nil {
			return r, err
		}
		r.SamplePerS *= float64(batch)
	}
	runtime.ReadMemStats(&ms)
	r.PeakHeapMB = float64(ms.HeapSys) / (1 << 20)
	return r, nil
}

// measureTrain sets r's training rate and allocations per step.
func measureTrain(r *Result, td *dist.TransformedDistribution, data *tensor.Dense, rounds int, d time.Duration) error {
	tr, err := train.NewTrainer(td, train.Config{})
	if err != nil {
		return err
	}
	step := func() error { _, err := tr.Step(data); return err }
	if r.TrainStepsPerS, err = rate(rounds, d, step); err != nil {
		return err
	}
	// Allocations per step: the least of three windows of up to 20 steps
	// (about a second's worth), so a runtime allocation that lands in one
	// window is not charged to steps.
	var ms runtime.MemStats
	r.AllocsPerStep = math.Inf(1)
	window := max(1, min(20, int(r.TrainStepsPerS)))
	for w := 0; w < 3; w++ {
		runtime.ReadMemStats(&ms)
		before := ms.Mallocs
		for i := 0; i < window; i++ {
			if err := step(); err != nil {
				return err
			}
		}
		runtime.ReadMemStats(&ms)
		r.AllocsPerStep = math.Min(r.AllocsPerStep, float64(ms.Mallocs-before)/float64(window))
	}
	return nil
}

func printTable(w io.Writer, rs []Result) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "device\tmodel\tbatch\ttrain steps/s\ttrain samples/s\tlog_prob pts/s\tsample samples/s\ttrain GFLOP/s (dense / done)\tlog_prob GFLOP/s (dense / done)\twork done\tallocs/step\theap MB\tstep µs (graph / none)\t")
	for _, r := range rs {
		gpu := "-"
		if r.StepMicros > 0 {
			gpu = fmt.Sprintf("%.1f / %.1f", r.StepMicros, r.StepMicrosNoGr)
		}
		done := "-"
		if r.WorkFraction > 0 {
			done = fmt.Sprintf("%.0f%%", 100*r.WorkFraction)
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%.0f\t%.0f\t%.0f\t%.0f\t%.1f / %.1f\t%.1f / %.1f\t%s\t%.1f\t%.0f\t%s\t\n", r.Device, r.Model, r.Batch,
			r.TrainStepsPerS, r.TrainSamplesPS, r.LogProbPerS, r.SamplePerS, r.TrainGFLOPs, r.TrainDone, r.LogProbGFLOPs, r.LogProbDone, done, r.AllocsPerStep, r.PeakHeapMB, gpu)
	}
	tw.Flush()
	fmt.Fprintf(w, "GOMAXPROCS %d; FLOPs: dense-equivalent training = 3 x forward, forward = 2·Σ in·out per point per MAF layer;\n"+
		"done: the multiply-adds the CPU kernels perform (×2) once the masks' all-zero tiles are skipped; work done = done / dense.\n", runtime.GOMAXPROCS(0))
}

// measureDevice times a GPU: training epochs of 16 steps resident on the
// device (with and without CUDA graph replay), log_prob and sampling.
func measureDevice(dev engine.Device, m model, batch, rounds int, d time.Duration) (Result, error) {
	td, err := build(m)
	if err != nil {
		return Result{}, err
	}
	r := Result{Device: dev.Name(), Model: m.Name, Batch: batch, Threads: runtime.GOMAXPROCS(0)}
	for _, p := range td.Params() {
		r.Params += p.Value.Shape().TotalSize()
	}
	const steps = 16
	rng := rand.New(rand.NewPCG(1, 2))
	data, err := td.Base.Sample(batch*steps, rng)
	if err != nil {
		return r, err
	}
	plan, params, err := train.LossPlan(td, batch)
	if err != nil {
		return r, err
	}
	order := rng.Perm(batch * steps)
	for _, graphs := range []bool{true, false} {
		tr, err := engine.NewDeviceTrainer(dev, engine.TrainSpec{Full: plan, Params: params, Data: data.Float32s(),
			Rows: batch * steps, Cols: m.D, Batch: batch, Graphs: graphs})
		if err != nil {
			return r, err
		}
		epochs, err := rate(rounds, d, func() error { _, err := tr.Epoch(order); return err })
		if c, ok := tr.(engine.StepLaunchCounter); ok && graphs {
			r.LaunchesPerStep = c.LaunchesPerStep()
		}
		tr.Close()
		if err != nil {
			return r, err
		}
		us := 1e6 / (epochs * steps)
		if graphs {
			r.StepMicros, r.TrainStepsPerS = us, epochs*steps
		} else {
			r.StepMicrosNoGr = us
		}
	}
	r.TrainSamplesPS = r.TrainStepsPerS * float64(batch)
	fwd := forwardFLOPs(m)
	r.TrainGFLOPs = r.TrainSamplesPS * 3 * fwd / 1e9
	x := tensor.New(tensor.WithShape(batch, m.D), tensor.WithBacking(data.Float32s()[:batch*m.D]))
	if r.LogProbPerS, err = rate(rounds, d, func() error { _, err := dist.LogProbOn(dev, td, x); return err }); err != nil {
		return r, err
	}
	r.LogProbPerS *= float64(batch)
	r.LogProbGFLOPs = r.LogProbPerS * fwd / 1e9
	if r.SamplePerS, err = rate(rounds, d, func() error { _, err := dist.SampleOn(dev, td, batch, 7); return err }); err != nil {
		return r, err
	}
	r.SamplePerS *= float64(batch)
	return r, nil
}
