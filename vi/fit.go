package vi

import (
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"time"

	"github.com/nflowgo/nflow/dist"
	"github.com/nflowgo/nflow/engine"
	"gorgonia.org/tensor"
)

// Config sets up Fit, in the style of train.Config. Zero values take the
// defaults noted.
type Config struct {
	Steps        int     // optimizer steps; default 2000
	BatchSize    int     // samples of q per step; default 256
	LearningRate float64 // Adam's lr; default 1e-3
	// FinalLearningRate, when set, decays the learning rate along a cosine
	// to it over the run: lr(t) = final + (lr - final)·(1 + cos(π t/T))/2.
	FinalLearningRate float64
	Beta1, Beta2      float64 // default 0.9, 0.999
	Epsilon           float64 // default 1e-7 (Keras's)
	Seed              uint64  // seeds the base samples

	// PathGradient drops the score term of the gradient ("sticking the
	// landing", Roeder, Wu and Duvenaud 2017): log q is evaluated with
	// stopped parameters at the reparameterized samples, which costs the
	// flow's density direction (D passes for an IAF) but gives a gradient
	// whose variance vanishes as q approaches p.
	PathGradient bool

	// AnnealSteps > 0 anneals the target: the loss uses β log p̃ with β
	// rising linearly from InitialBeta to 1 over the first AnnealSteps
	// steps, so that q first spreads over a flattened target and keeps
	// its modes (reverse KL alone is mode-seeking). InitialBeta defaults
	// to 0.01.
	AnnealSteps int
	InitialBeta float64
	// GeometricAnneal raises β geometrically, β(t) = β₀^(1 - t/T), instead
	// of linearly: the schedule spends more of its steps at small β, where
	// the modes are still joined and q's mass can move between them.
	GeometricAnneal bool

	// EvalEvery is the length of a history interval in steps (default
	// Steps/100, at least 1): History records the mean batch ELBO and ESS
	// of each interval, and Progress gets a line per interval.
	EvalEvery int
	// RestoreBest restores, at the end, the parameters that ended the
	// interval with the highest mean ELBO among those at β = 1.
	RestoreBest bool

	// Progress receives one line per interval: step, β, ELBO, ESS
	// fraction, steps/s and time left. nil is silent.
	Progress io.Writer
}

// History is what Fit returns.
type History struct {
	ELBO []float64 // mean batch ELBO E[log p̃ - log q] of each interval (at β = 1 whatever the schedule)
	ESS  []float64 // mean batch ESS fraction of each interval
	Beta []float64 // β at the end of each interval
	// IntervalSteps is the number of steps in an interval (EvalEvery).
	IntervalSteps  int
	Steps          int // optimizer steps taken
	BestInterval   int // 1-based interval with the best ELBO at β = 1 (0: none)
	Seconds        float64
	StepsPerSecond float64
}

// NonFiniteError reports a loss or gradient that was NaN or infinite. The
// flow's parameters have been restored to the last ones that gave a
// finite step.
type NonFiniteError struct {
	Step int // 1-based
	Loss float64
}

func (e *NonFiniteError) Error() string {
	return fmt.Sprintf("vi: non-finite loss or gradient (loss %g) at step %d; parameters restored to the last finite step", e.Loss, e.Step)
}

func (c *Config) defaults() error {
	if c.Steps == 0 {
		c.Steps = 2000
	}
	if c.BatchSize == 0 {
		c.BatchSize = 256
	}
	if c.LearningRate == 0 {
		c.LearningRate = 1e-3
	}
	if c.InitialBeta == 0 {
		c.InitialBeta = 0.01
	}
	if c.EvalEvery == 0 {
		c.EvalEvery = max(1, c.Steps/100)
	}
	switch {
	case c.Steps < 0:
		return fmt.Errorf("vi: steps = %d, expected >= 1", c.Steps)
	case c.BatchSize < 2:
		return fmt.Errorf("vi: batch size = %d, expected >= 2", c.BatchSize)
	case !(c.LearningRate > 0) || math.IsInf(c.LearningRate, 0):
		return fmt.Errorf("vi: learning rate = %g, expected a finite positive number", c.LearningRate)
	case !(c.FinalLearningRate >= 0) || math.IsInf(c.FinalLearningRate, 0):
		return fmt.Errorf("vi: final learning rate = %g, expected a finite non-negative number", c.FinalLearningRate)
	case c.AnnealSteps < 0:
		return fmt.Errorf("vi: anneal steps = %d, expected >= 0", c.AnnealSteps)
	case !(c.InitialBeta > 0 && c.InitialBeta <= 1):
		return fmt.Errorf("vi: initial beta = %g, expected a value in (0, 1]", c.InitialBeta)
	case c.EvalEvery < 0:
		return fmt.Errorf("vi: eval every = %d, expected >= 1", c.EvalEvery)
	case c.Beta1 < 0 || c.Beta1 >= 1 || c.Beta2 < 0 || c.Beta2 >= 1:
		return fmt.Errorf("vi: beta1 = %g, beta2 = %g, expected values in [0, 1)", c.Beta1, c.Beta2)
	}
	return nil
}

// beta is the annealing schedule: β(t) = β₀ + (1 - β₀)·t/T (or
// β₀^(1 - t/T) when geometric) for the first T = AnnealSteps steps, then 1.
func (c *Config) beta(t int) float64 {
	if t >= c.AnnealSteps {
		return 1
	}
	if c.GeometricAnneal {
		return math.Pow(c.InitialBeta, 1-float64(t)/float64(c.AnnealSteps))
	}
	return c.InitialBeta + (1-c.InitialBeta)*float64(t)/float64(c.AnnealSteps)
}

// Fit fits q to target by minimising the reverse KL divergence
// E_q[log q - β log p̃] with Adam on reparameterized samples, and returns
// the history. q's parameters are updated in place. Each step draws
// BatchSize base samples and runs one program compiled once with the
// engine (sampling pass, target, loss and backward pass), which does not
// allocate for a diagonal Gaussian or GaussianMixture base (when the
// target does not). A non-finite loss or gradient
// stops training with a *NonFiniteError and the last good parameters
// restored.
func Fit(q *dist.TransformedDistribution, target Target, cfg Config) (*History, error) {
	if q == nil {
		return nil, fmt.Errorf("vi: q is nil")
	}
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	if err := checkTarget(target, q.EventSize()); err != nil {
		return nil, err
	}
	if dist.ContextSizeOf(q) > 0 {
		return nil, fmt.Errorf("vi: %v is conditional; Fit needs an unconditional flow", q)
	}
	if _, ok := q.Base.(ReparameterizedBase); !ok && len(q.Base.Params()) > 0 {
		return nil, fmt.Errorf("vi: the base %v has trainable parameters but is not a ReparameterizedBase; its samples would carry no gradient", q.Base)
	}
	params := q.Params()
	if len(params) == 0 {
		return nil, fmt.Errorf("vi: %v has no trainable parameters", q)
	}
	values := make([]*tensor.Dense, len(params))
	for i, p := range params {
		values[i] = p.Value
	}
	opt, err := engine.NewAdam(values, cfg.LearningRate, cfg.Beta1, cfg.Beta2, cfg.Epsilon)
	if err != nil {
		return nil, err
	}
	st, err := newStep(q, target, cfg.BatchSize, cfg.PathGradient)
	if err != nil {
		return nil, err
	}
	lastGood, best := engine.CloneTensors(values), []*tensor.Dense(nil)
	bestELBO := math.Inf(-1)
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x7669))
	h := &History{IntervalSteps: cfg.EvalEvery}
	var sumELBO, sumESS float64
	var inInterval int
	start := time.Now()
	for t := 0; t < cfg.Steps; t++ {
		st.beta = cfg.beta(t)
		if cfg.FinalLearningRate > 0 {
			opt.LR = cfg.FinalLearningRate + (cfg.LearningRate-cfg.FinalLearningRate)*(1+math.Cos(math.Pi*float64(t)/float64(cfg.Steps)))/2
		}
		if err := st.sample(rng); err != nil {
			return h, err
		}
		loss := st.run()
		if !finite(loss) || !st.gradsFinite() {
			engine.CopyTensors(values, lastGood)
			if finite(loss) {
				loss = math.NaN()
			}
			return h, &NonFiniteError{Step: t + 1, Loss: loss}
		}
		engine.CopyTensors(lastGood, values)
		st.update(opt)
		h.Steps++
		e, ess := batchELBO(st.logp, st.logq, st.weights)
		sumELBO += e
		sumESS += ess
		inInterval++
		if inInterval == cfg.EvalEvery || t == cfg.Steps-1 {
			h.ELBO = append(h.ELBO, sumELBO/float64(inInterval))
			h.ESS = append(h.ESS, sumESS/float64(inInterval))
			h.Beta = append(h.Beta, st.beta)
			sumELBO, sumESS, inInterval = 0, 0, 0
			h.Seconds = time.Since(start).Seconds()
			h.StepsPerSecond = float64(h.Steps) / h.Seconds
			if cfg.Progress != nil {
				progressLine(cfg.Progress, h, cfg.Steps)
			}
			if last := h.ELBO[len(h.ELBO)-1]; st.beta == 1 && last > bestELBO {
				bestELBO, h.BestInterval = last, len(h.ELBO)
				if cfg.RestoreBest {
					best = engine.CloneTensors(values)
				}
			}
		}
	}
	h.Seconds = time.Since(start).Seconds()
	h.StepsPerSecond = float64(h.Steps) / h.Seconds
	if cfg.RestoreBest && best != nil {
		engine.CopyTensors(values, best)
	}
	return h, nil
}

// batchELBO returns the mean of log w = log p̃ - log q over a batch and
// its ESS fraction (Σw)²/(N Σw²); rows weigh rw[n] (nil: 1) in both.
func batchELBO(logp, logq, rw []float64) (elbo, ess float64) {
	m := math.Inf(-1)
	var sw float64
	for i := range logp {
		w, r := logp[i]-logq[i], 1.0
		if rw != nil {
			r = rw[i]
		}
		elbo += r * w
		sw += r
		m = math.Max(m, w)
	}
	var s1, s2 float64
	for i := range logp {
		w := math.Exp(logp[i] - logq[i] - m)
		if rw != nil {
			w *= rw[i]
		}
		s1 += w
		s2 += w * w
	}
	return elbo / sw, s1 * s1 / (s2 * float64(len(logp)))
}

func progressLine(w io.Writer, h *History, steps int) {
	i := len(h.ELBO) - 1
	left := time.Duration(float64(steps-h.Steps) / h.StepsPerSecond * float64(time.Second)).Round(time.Second)
	fmt.Fprintf(w, "step %*d/%d  beta %.3f  elbo %.4f  ess %.3f  %.0f steps/s  %v left\n",
		len(fmt.Sprint(steps)), h.Steps, steps, h.Beta[i], h.ELBO[i], h.ESS[i], h.StepsPerSecond, left)
}
