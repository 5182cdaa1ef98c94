package main

import (
	"flag"
	"fmt"
	"io"
	"math"
	"strconv"

	"gorgonia.org/tensor"
)

// logProbCommand is nflow logprob.
var logProbCommand = &command{
	name:    "logprob",
	args:    "-model MODEL.nflow -data FILE.csv [-context FILE.csv] [-out FILE.csv]",
	summary: "compute the log-density of each point of a CSV file",
	about: `Logprob computes log p(x) under the model for every point of -data and writes
one column, log_prob, in the order of the points, to -out ("-" for stdout).
The mean of -log_prob is the negative log-likelihood that nflow fit reports.
A point so far out that its density underflows gets -Inf. A conditional model
needs -context, one row per data row: it computes log p(x | context).`,
	flags: logProbFlags,
	run:   func(o any, out, _ io.Writer) error { return runLogProb(o.(*logProbOptions), out) },
}

// logProbOptions are the flags of nflow logprob.
type logProbOptions struct {
	model, data, context, out string
}

func logProbFlags(fs *flag.FlagSet) any {
	o := &logProbOptions{}
	fs.StringVar(&o.model, "model", "", "model `file` written by nflow fit (required)")
	fs.StringVar(&o.data, "data", "", "CSV `file` of points (required)")
	fs.StringVar(&o.context, "context", "", "CSV `file` of contexts, one row per data row (conditional models)")
	fs.StringVar(&o.out, "out", "-", "CSV `file` to write, - for stdout")
	return o
}

func (o *logProbOptions) check() error {
	switch {
	case o.model == "":
		return fmt.Errorf("-model is required: the model file written by nflow fit")
	case o.data == "":
		return fmt.Errorf("-data is required: the CSV file of points")
	case o.out == "":
		return fmt.Errorf("-out is required: a CSV file, or - for stdout")
	}
	return nil
}

func runLogProb(o *logProbOptions, stdout io.Writer) error {
	outs, err := checkOutputs([]fileFlag{{flag: "-model", path: o.model}, {flag: "-data", path: o.data}, {flag: "-context", path: o.context}},
		[]fileFlag{{flag: "-out", path: o.out, text: true}})
	if err != nil {
		return err
	}
	_, model, err := openModel(o.model)
	if err != nil {
		return err
	}
	x, err := loadPoints(o.data, o.model, model)
	if err != nil {
		return err
	}
	c, err := loadContext(o.context, o.model, model, x.Shape()[0], o.data)
	if err != nil {
		return err
	}
	lp, err := logProbs(model, x, c)
	if err != nil {
		return err
	}
	bits := 32
	if model.DType() == tensor.Float64 {
		bits = 64
	}
	return writeOutput(outs[0], stdout, func(w io.Writer) error {
		return writeColumn(w, "log_prob", lp, bits)
	})
}

// writeColumn writes a one-column CSV: the header, then each value in the
// shortest form that parses back to it at the given precision (-Inf, +Inf
// and NaN as such).
func writeColumn(w io.Writer, header string, v []float64, bits int) error {
	buf := append([]byte(header), '\n')
	for _, x := range v {
		switch {
		case math.IsInf(x, -1):
			buf = append(buf, "-Inf"...)
		case math.IsInf(x, 1):
			buf = append(buf, "+Inf"...)
		default:
			buf = strconv.AppendFloat(buf, x, 'g', -1, bits)
		}
		buf = append(buf, '\n')
		if len(buf) > 1<<16 {
			if _, err := w.Write(buf); err != nil {
				return err
			}
			buf = buf[:0]
		}
	}
	_, err := w.Write(buf)
	return err
}
