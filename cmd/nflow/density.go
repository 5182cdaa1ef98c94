package main

import (
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"

	"github.com/nflowgo/nflow/dist"
	"github.com/nflowgo/nflow/plot"
	"gorgonia.org/tensor"
)

// densityCommand is nflow density.
var densityCommand = &command{
	name:    "density",
	args:    "-model MODEL.nflow [-out FILE.png] [-range XMIN,XMAX,YMIN,YMAX] [-grid N] [-context FILE.csv]",
	summary: "draw a 2-D model's density as a PNG heat map",
	about: `Density evaluates the density of a 2-D model on an N×N grid and draws it as a
heat map. Without -range the window covers the middle 99% of 5000 samples
of the model, with a margin. A conditional model needs -context, a CSV file
with one context row: it draws p(x | context).`,
	flags: densityFlags,
	run:   func(o any, _, log io.Writer) error { return runDensity(o.(*densityOptions), log) },
}

// densityOptions are the flags of nflow density.
type densityOptions struct {
	model, out, rangeFlag, title string
	context                      string
	grid                         int
	seed                         uint64
	window                       []float64 // parsed -range, nil for automatic
}

func densityFlags(fs *flag.FlagSet) any {
	o := &densityOptions{}
	fs.StringVar(&o.model, "model", "", "model `file` written by nflow fit (required)")
	fs.StringVar(&o.out, "out", "density.png", "PNG `file` to write")
	fs.StringVar(&o.rangeFlag, "range", "", "window `xmin,xmax,ymin,ymax` (default: from samples of the model)")
	fs.IntVar(&o.grid, "grid", 200, "grid `cells` per axis")
	fs.StringVar(&o.title, "title", "", "figure title (default: the model file)")
	fs.StringVar(&o.context, "context", "", "CSV `file` with the one context row to draw p(x | context) for (conditional models)")
	fs.Uint64Var(&o.seed, "seed", 1, "random seed of the samples that choose the window")
	return o
}

func (o *densityOptions) check() error {
	if err := checkBinaryOutput(fileFlag{flag: "-out", path: o.out}, "a PNG figure"); err != nil {
		return err
	}
	switch {
	case o.model == "":
		return fmt.Errorf("-model is required: the model file written by nflow fit")
	case o.out == "":
		return fmt.Errorf("-out is required: the PNG file to write")
	case o.grid < 2 || o.grid > 2000:
		return fmt.Errorf("-grid=%d: expected 2 to 2000 cells per axis", o.grid)
	}
	if o.rangeFlag == "" {
		return nil
	}
	fields := strings.Split(o.rangeFlag, ",")
	if len(fields) != 4 {
		return fmt.Errorf("-range=%q: expected four numbers xmin,xmax,ymin,ymax", o.rangeFlag)
	}
	for _, f := range fields {
		v, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("-range=%q: %q is not a finite number", o.rangeFlag, strings.TrimSpace(f))
		}
		o.window = append(o.window, v)
	}
	if !(o.window[0] < o.window[1] && o.window[2] < o.window[3]) {
		return fmt.Errorf("-range=%q: expected xmin < xmax and ymin < ymax", o.rangeFlag)
	}
	if err := o.gridOf(o.window).Validate(); err != nil {
		return fmt.Errorf("-range=%q: %s", o.rangeFlag, strings.TrimPrefix(err.Error(), "plot: "))
	}
	return nil
}

func runDensity(o *densityOptions, log io.Writer) error {
	if _, err := checkOutputs([]fileFlag{{flag: "-model", path: o.model}, {flag: "-context", path: o.context}},
		[]fileFlag{{flag: "-out", path: o.out}}); err != nil {
		return err
	}
	_, model, err := openModel(o.model)
	if err != nil {
		return err
	}
	if d := model.EventSize(); d != 2 {
		return fmt.Errorf("%s is a %d-D model; density plots need a 2-D model (use sample or logprob instead)", o.model, d)
	}
	c, err := loadContext(o.context, o.model, model, 0, "")
	if err != nil {
		return err
	}
	if c != nil && c.Shape()[0] != 1 {
		return fmt.Errorf("%s has %d rows; a density plot is for one context: give a file with one row", o.context, c.Shape()[0])
	}
	w := o.window
	if w == nil {
		if w, err = sampleWindow(model, c, o.seed); err != nil {
			return err
		}
	}
	g := o.gridOf(w)
	if err := g.Validate(); err != nil {
		return fmt.Errorf("the window from the model's samples is unusable (%s); give it with -range", strings.TrimPrefix(err.Error(), "plot: "))
	}
	pts := g.Points()
	lp, err := logProbs(model, pts, repeatRow(c, pts.Shape()[0]))
	if err != nil {
		return err
	}
	title := o.title
	if title == "" {
		title = "density of " + o.model
	}
	if err := plot.Density(o.out, title, g, lp); err != nil {
		return err
	}
	mass, _ := g.Mass(lp)
	fmt.Fprintf(log, "wrote %s: window [%.4g, %.4g]×[%.4g, %.4g], probability mass in the window %.4f\n", o.out, w[0], w[1], w[2], w[3], mass)
	return nil
}

// gridOf is the -grid × -grid grid on the window w = xmin, xmax, ymin, ymax.
func (o *densityOptions) gridOf(w []float64) plot.Grid {
	return plot.Grid{XMin: w[0], XMax: w[1], YMin: w[2], YMax: w[3], NX: o.grid, NY: o.grid}
}

// repeatRow returns the one-row c repeated n times, or nil for c nil.
func repeatRow(c *tensor.Dense, n int) *tensor.Dense {
	if c == nil {
		return nil
	}
	row := dist.Float64s(c)
	v := make([]float64, 0, n*len(row))
	for i := 0; i < n; i++ {
		v = append(v, row...)
	}
	return tensor.New(tensor.WithShape(n, len(row)), tensor.WithBacking(v))
}

// sampleWindow returns a window around the middle 99% of 5000 samples of
// the model (given the one-row context c, unless nil), padded by 15% of
// its size on every side.
func sampleWindow(model *dist.TransformedDistribution, c *tensor.Dense, seed uint64) ([]float64, error) {
	rng := rand.New(rand.NewPCG(seed, 0x77696e646f77))
	var s *tensor.Dense
	var err error
	if c == nil {
		s, err = model.Sample(5000, rng)
	} else {
		s, err = dist.SampleGiven(model, 5000, c, rng)
	}
	if err != nil {
		return nil, err
	}
	v := dist.Float64s(s)
	var w []float64
	for axis := 0; axis < 2; axis++ {
		var c []float64
		for i := axis; i < len(v); i += 2 {
			if !math.IsNaN(v[i]) && !math.IsInf(v[i], 0) {
				c = append(c, v[i])
			}
		}
		if len(c) == 0 {
			return nil, fmt.Errorf("the model's samples are not finite; give the window with -range")
		}
		slices.Sort(c)
		lo, hi := c[len(c)/200], c[len(c)-1-len(c)/200]
		pad := 0.15 * (hi - lo)
		if !(pad > 1e-6) {
			pad = 1
		}
		w = append(w, lo-pad, hi+pad)
	}
	return w, nil
}
