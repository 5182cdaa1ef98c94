package main

import (
	"bufio"
	"fmt"
	"io"

	"github.com/nflowgo/nflow/internal/outfile"
)

// fileFlag is a file named by a flag: an input or an output.
type fileFlag struct {
	flag, path string
	text       bool // an output that may go to standard output ("-")
}

// toStdout reports whether the output o means standard output: "-", or a
// path such as /dev/stdout that is the process's standard output.
func toStdout(o fileFlag) bool { return o.path == "-" || outfile.IsStdout(o.path) }

// checkBinaryOutput refuses standard output for a binary output, as a usage
// error before any work.
func checkBinaryOutput(o fileFlag, what string) error {
	if o.path != "" && toStdout(o) {
		return fmt.Errorf("%s %s: %s is a binary file and is not written to standard output; give a file name", o.flag, o.path, what)
	}
	return nil
}

// checkOutputs checks every output before the command does any work, and
// returns a target for each (nil for standard output, and for an output
// not given). It refuses an output that is one of the inputs or another
// output (by file identity: hard and symbolic links count), and one that
// outfile.Check refuses.
func checkOutputs(inputs, outputs []fileFlag) ([]*outfile.Target, error) {
	ts := make([]*outfile.Target, len(outputs))
	for i, o := range outputs {
		if o.path == "" || toStdout(o) {
			continue
		}
		t, err := outfile.Check(o.path)
		if err != nil {
			return nil, err
		}
		for _, in := range inputs {
			if t.Is(in.path) {
				return nil, fmt.Errorf("%s %s is the same file as %s %s: refusing to overwrite an input", o.flag, o.path, in.flag, in.path)
			}
		}
		for j, u := range ts[:i] {
			if u != nil && t.Same(u) {
				return nil, fmt.Errorf("%s %s and %s %s are the same file: give each output its own", outputs[j].flag, outputs[j].path, o.flag, o.path)
			}
		}
		ts[i] = t
	}
	return ts, nil
}

// writeOutput writes with write to the target t, or to stdout for t nil,
// and reports the first error of writing or closing. A failed write leaves
// the target as it was.
func writeOutput(t *outfile.Target, stdout io.Writer, write func(io.Writer) error) error {
	if t != nil {
		return t.Write(write)
	}
	bw := bufio.NewWriter(stdout)
	if err := write(bw); err != nil {
		return err
	}
	return bw.Flush()
}
