// Command nflow fits normalizing flows to your own data and uses the
// fitted models: it draws samples, computes log-densities and draws 2-D
// densities.
//
//	nflow fit -data points.csv -flow maf -epochs 100 -out model.nflow -loss loss.png
//	nflow sample -model model.nflow -n 1000 -out samples.csv
//	nflow logprob -model model.nflow -data points.csv -out lp.csv
//	nflow density -model model.nflow -out density.png
//
// With -context FILE.csv (one row of conditioning inputs per data row) fit
// trains a conditional flow p(x | context), and the other commands take
// -context too.
//
// Data files are CSV tables of numbers, one point per line, with an
// optional header line; models are files written by flows.SaveFile. Run
// "nflow help COMMAND" for the flags of a command. Errors name the file,
// the line and the problem; the exit status is 1 for a failed command, 2
// for bad usage, and 130 or 143 for a fit stopped by SIGINT or SIGTERM
// (which saves the best epoch so far). Outputs are checked before any work
// and never replace an input, a device, a folder or a read-only file.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

// command is a subcommand of nflow.
type command struct {
	name    string
	args    string // the synopsis of its flags
	summary string // one line for the command list
	about   string // what it does, for its help
	flags   func(*flag.FlagSet) any
	run     func(opts any, out io.Writer, log io.Writer) error
}

// commands are the subcommands, in the order help lists them.
var commands = []*command{fitCommand, sampleCommand, logProbCommand, densityCommand}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run runs nflow with the arguments args and returns the exit status: 0
// for success and for help, 1 for a failed command, 2 for bad usage, and
// 130 or 143 for a fit ended by SIGINT or SIGTERM.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		mainUsage(stderr)
		return 2
	}
	name := args[0]
	switch name {
	case "help", "-h", "-help", "--help":
		if len(args) > 1 && name == "help" {
			c := lookup(args[1])
			if c == nil {
				fmt.Fprintf(stderr, "nflow help: unknown command %q; the commands are %s\n", args[1], commandNames())
				return 2
			}
			commandUsage(c, stdout)
			return 0
		}
		mainUsage(stdout)
		return 0
	}
	c := lookup(name)
	if c == nil {
		fmt.Fprintf(stderr, "nflow: unknown command %q; the commands are %s (run 'nflow help')\n", name, commandNames())
		return 2
	}
	fs := newFlagSet(c)
	opts := c.flags(fs)
	err := fs.Parse(args[1:])
	if err == nil && fs.NArg() > 0 {
		err = fmt.Errorf("unexpected argument %q: %s takes only flags", fs.Arg(0), c.name)
	}
	if err == nil {
		if v, ok := opts.(interface{ check() error }); ok {
			err = v.check()
		}
	}
	switch {
	case errors.Is(err, flag.ErrHelp):
		commandUsage(c, stdout)
		return 0
	case err != nil:
		fmt.Fprintf(stderr, "nflow %s: %v\nrun 'nflow help %s' for its flags\n", c.name, err, c.name)
		return 2
	}
	if err := c.run(opts, stdout, stderr); err != nil {
		var st *exitStatus
		if errors.As(err, &st) {
			return st.code
		}
		fmt.Fprintf(stderr, "nflow %s: %v\n", c.name, err)
		return 1
	}
	return 0
}

func lookup(name string) *command {
	for _, c := range commands {
		if c.name == name {
			return c
		}
	}
	return nil
}

func commandNames() string {
	var names []string
	for _, c := range commands {
		names = append(names, c.name)
	}
	return strings.Join(names, ", ")
}

// newFlagSet returns a flag set for c that returns its errors, for run to
// print, rather than printing them and exiting.
func newFlagSet(c *command) *flag.FlagSet {
	fs := flag.NewFlagSet("nflow "+c.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

func mainUsage(w io.Writer) {
	fmt.Fprint(w, `nflow fits normalizing flows to your own data and uses the fitted models.

Usage:
  nflow COMMAND [flags]

Commands:
`)
	for _, c := range commands {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, `  help      show the flags of a command

Run 'nflow help COMMAND' or 'nflow COMMAND -h' for the flags of a command.
`)
}

func commandUsage(c *command, w io.Writer) {
	fs := newFlagSet(c)
	c.flags(fs)
	fmt.Fprintf(w, "Usage: nflow %s %s\n\n%s\n\nFlags:\n", c.name, c.args, c.about)
	fs.SetOutput(w)
	fs.PrintDefaults()
}
