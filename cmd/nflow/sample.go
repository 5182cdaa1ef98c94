package main

import (
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"

	"github.com/nflowgo/nflow/data"
	"github.com/nflowgo/nflow/dist"
	"gorgonia.org/tensor"
)

// sampleCommand is nflow sample.
var sampleCommand = &command{
	name:    "sample",
	args:    "-model MODEL.nflow [-n N] [-seed S] [-context FILE.csv] [-out FILE.csv]",
	summary: "draw points from a saved model",
	about: `Sample draws -n points from the model and writes them as CSV with a header
x0,x1,... to -out ("-" for stdout). The same -seed gives the same points.
A conditional model needs -context: a CSV file with one context row draws -n
points from p(x | context); a file of several rows draws one point per row.`,
	flags: sampleFlags,
	run:   func(o any, out, _ io.Writer) error { return runSample(o.(*sampleOptions), out) },
}

// sampleOptions are the flags of nflow sample.
type sampleOptions struct {
	model, out, context string
	n                   int
	nSet                bool // -n was given
	seed                uint64
}

func sampleFlags(fs *flag.FlagSet) any {
	o := &sampleOptions{}
	fs.StringVar(&o.model, "model", "", "model `file` written by nflow fit (required)")
	fs.Uint64Var(&o.seed, "seed", 1, "random seed")
	fs.StringVar(&o.context, "context", "", "CSV `file` of contexts (conditional models): one row for -n points given it, or one point per row")
	fs.StringVar(&o.out, "out", "-", "CSV `file` to write, - for stdout")
	fs.Func("n", "number of `points` (default 1000)", func(v string) error {
		n, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("%q is not an integer", v)
		}
		o.n, o.nSet = n, true
		return nil
	})
	o.n = 1000
	return o
}

func (o *sampleOptions) check() error {
	switch {
	case o.model == "":
		return fmt.Errorf("-model is required: the model file written by nflow fit")
	case o.n < 1:
		return fmt.Errorf("-n=%d: expected at least 1 point", o.n)
	case o.out == "":
		return fmt.Errorf("-out is required: a CSV file, or - for stdout")
	}
	return nil
}

func runSample(o *sampleOptions, stdout io.Writer) error {
	outs, err := checkOutputs([]fileFlag{{flag: "-model", path: o.model}, {flag: "-context", path: o.context}},
		[]fileFlag{{flag: "-out", path: o.out, text: true}})
	if err != nil {
		return err
	}
	_, model, err := openModel(o.model)
	if err != nil {
		return err
	}
	c, err := loadContext(o.context, o.model, model, 0, "")
	if err != nil {
		return err
	}
	n := o.n
	if c != nil && c.Shape()[0] > 1 {
		if o.nSet && n != c.Shape()[0] {
			return fmt.Errorf("-n=%d, but %s has %d rows: with several context rows nflow draws one point per row", n, o.context, c.Shape()[0])
		}
		n = c.Shape()[0]
	}
	header := make([]string, model.EventSize())
	for i := range header {
		header[i] = fmt.Sprintf("x%d", i)
	}
	var crows []float64
	if c != nil {
		crows = dist.Float64s(c)
	}
	rng := rand.New(rand.NewPCG(o.seed, 0x73616d706c65))
	return writeOutput(outs[0], stdout, func(w io.Writer) error {
		for lo := 0; lo < n; lo += chunkRows {
			hi := min(lo+chunkRows, n)
			var x *tensor.Dense
			var err error
			switch {
			case c == nil:
				x, err = model.Sample(hi-lo, rng)
			case c.Shape()[0] == 1:
				x, err = dist.SampleGiven(model, hi-lo, c, rng)
			default:
				var cc *tensor.Dense
				if cc, err = rowsOf(crows, lo, hi, c.Shape()[1], model.DType()); err == nil {
					x, err = dist.SampleGiven(model, hi-lo, cc, rng)
				}
			}
			if err != nil {
				return err
			}
			if err := data.WriteCSV(w, x, header); err != nil {
				return err
			}
			header = nil
		}
		return nil
	})
}
