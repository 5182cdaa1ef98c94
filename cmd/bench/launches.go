package main

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/nflowgo/nflow/engine"
	"github.com/nflowgo/nflow/train"
)

// printLaunches writes the launches of one training step of m at the
// given batch on the cuda device, as the lowering plans them (pure Go: it
// needs no GPU): kernel, grid, block, FLOPs, bytes and the time the H200
// roofline (engine.H200) gives each, then the step's totals.
func printLaunches(w io.Writer, m model, batch int) error {
	td, err := build(m)
	if err != nil {
		return err
	}
	plan, _, err := train.LossPlan(td, batch)
	if err != nil {
		return err
	}
	step, _, err := engine.TrainStepLaunches(plan, m.D)
	if err != nil {
		return err
	}
	r := engine.H200
	fmt.Fprintf(w, "%s batch %d: %d launches per training step (%d plan steps)\n", m.Name, batch, len(step), len(plan.Steps))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "#\tkernel\tgrid\tblock\tMFLOP\tKB\tmodel µs\t")
	var flops, bytes, total float64
	for i, l := range step {
		c, t := engine.LaunchCost(l), r.Time(l)
		flops, bytes, total = flops+c.FLOPs, bytes+c.Bytes, total+t
		name := l.Kernel
		if len(l.Fused) > 0 {
			name = fmt.Sprintf("%s (%d ops)", l.Kernel, len(l.Fused))
		}
		fmt.Fprintf(tw, "%d\t%s\t%v\t%v\t%.3f\t%.1f\t%.2f\t\n", i, name, l.Grid, l.Block, c.FLOPs/1e6, c.Bytes/1e3, t*1e6)
	}
	tw.Flush()
	fmt.Fprintf(w, "total: %.3f MFLOP, %.1f KB, modelled %s step %.1f µs (%.0f steps/s; roofline of each launch at %.0f TFLOP/s FP32, %.1f TB/s, %d SMs, plus %.1f µs a launch)\n\n",
		flops/1e6, bytes/1e3, r.Name, total*1e6, 1/total, r.FLOPs/1e12, r.HBM/1e12, r.SMs, r.Launch*1e6)
	return nil
}
