package main

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/nflowgo/nflow/bijectors"
	"github.com/nflowgo/nflow/dist"
	"github.com/nflowgo/nflow/plot"
	"github.com/nflowgo/nflow/vi"
	"gorgonia.org/tensor"
)

// view is the plane a target's figures show: a grid, and for targets of
// more than two dimensions the pair of coordinates drawn (x, y) and the
// exact 2-D marginal density of that pair.
type view struct {
	grid     plot.Grid
	cols     [2]int    // coordinates of a sample drawn as (x, y)
	marginal vi.Target // log density of the drawn pair, in (x, y) order
	exactQ   bool      // q's density on the grid is exact (2-D), else a histogram of its samples
}

func viewOf(name string, t vi.Target) view {
	switch name {
	case "banana":
		return view{grid: plot.Grid{XMin: -6, XMax: 6, YMin: -4, YMax: 12, NX: 150, NY: 200}, cols: [2]int{0, 1}, marginal: t, exactQ: true}
	case "funnel":
		// (x_1, v): the 2-D funnel is the exact marginal of any (v, x_i).
		f := funnel(2)
		swapped := vi.TargetFunc{D: 2, Fn: func(x, logp, grad []float64) {
			s := make([]float64, len(x))
			for i := 0; i < len(x); i += 2 {
				s[i], s[i+1] = x[i+1], x[i]
			}
			f.LogDensity(s, logp, nil)
		}}
		return view{grid: plot.Grid{XMin: -10, XMax: 10, YMin: -9, YMax: 9, NX: 160, NY: 144}, cols: [2]int{1, 0}, marginal: swapped}
	}
	return view{grid: plot.Grid{XMin: -6, XMax: 6, YMin: -6, YMax: 6, NX: 160, NY: 160}, cols: [2]int{0, 1}, marginal: t, exactQ: true}
}

// figures writes the lab's PNGs into dir: the target's density, q's
// samples, q's density, q's samples resampled toward p by their
// importance weights, and the ELBO curve.
func figures(dir string, o *options, q *dist.TransformedDistribution, t vi.Target, x *tensor.Dense, logw []float64, h *vi.History, rng *rand.Rand) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	v := viewOf(o.target, t)
	pts := dist.Float64s(v.grid.Points())
	lp, _, err := vi.EvalTarget(v.marginal, pts, false)
	if err != nil {
		return err
	}
	rng2 := plot.WithRange(v.grid.XMin, v.grid.XMax, v.grid.YMin, v.grid.YMax)
	if err := plot.Density(filepath.Join(dir, "01-target.png"), o.target+": target density p", v.grid, lp); err != nil {
		return err
	}
	const shown = 3000
	xs := dist.Float64s(x)
	d := q.EventSize()
	if err := plot.Scatter(filepath.Join(dir, "02-q-samples.png"), pair(xs, d, v.cols, shown), fmt.Sprintf("%d samples of q", shown), rng2); err != nil {
		return err
	}
	var lq []float64
	if v.exactQ {
		l, err := dist.LogProb(q, bijectors.NewTensor(q.DType(), pts, len(pts)/2, 2))
		if err != nil {
			return err
		}
		lq = dist.Float64s(l)
	} else {
		lq = histogramLogDensity(v.grid, dist.Float64s(pair(xs, d, v.cols, len(xs)/d)))
	}
	title := "density of q"
	if v.exactQ {
		// A mixture component of vanishing weight may shrink to a spike
		// of no mass; clip the colour scale at twice the target's peak.
		top := math.Inf(-1)
		for _, l := range lp {
			top = math.Max(top, l)
		}
		clipped := 0
		for i, l := range lq {
			if l > top+math.Ln2 {
				lq[i], clipped = top+math.Ln2, clipped+1
			}
		}
		if clipped > 0 {
			title = fmt.Sprintf("density of q (%d cells clipped at twice p's peak)", clipped)
		}
	} else {
		title = fmt.Sprintf("density of q (histogram of %d samples)", len(xs)/d)
	}
	if err := plot.Density(filepath.Join(dir, "03-q-density.png"), title, v.grid, lq); err != nil {
		return err
	}
	if err := plot.SideBySide(filepath.Join(dir, "06-p-beside-q.png"), filepath.Join(dir, "01-target.png"),
		filepath.Join(dir, "02-q-samples.png"), filepath.Join(dir, "03-q-density.png")); err != nil {
		return err
	}
	res, err := vi.Resample(x, logw, shown, rng)
	if err != nil {
		return err
	}
	if err := plot.Scatter(filepath.Join(dir, "04-resampled.png"), pair(dist.Float64s(res), d, v.cols, shown), "q's samples resampled toward p (importance weights)", rng2); err != nil {
		return err
	}
	steps := make([]float64, len(h.ELBO))
	for i := range steps {
		steps[i] = float64(min((i+1)*h.IntervalSteps, h.Steps))
	}
	return plot.Curve(filepath.Join(dir, "05-elbo.png"), fmt.Sprintf("%s: batch ELBO (mean over %d steps)", o.target, h.IntervalSteps),
		"step", "ELBO (nats)", steps, h.ELBO)
}

// pair returns the first n rows of the columns cols of x [N, d] as [n, 2].
func pair(x []float64, d int, cols [2]int, n int) *tensor.Dense {
	n = min(n, len(x)/d)
	out := make([]float64, 2*n)
	for i := 0; i < n; i++ {
		out[2*i], out[2*i+1] = x[i*d+cols[0]], x[i*d+cols[1]]
	}
	return bijectors.NewTensor(tensor.Float64, out, n, 2)
}

// histogramLogDensity is log(count / (S · cell area)) of the points xy
// [S, 2] on g's cells (-Inf for an empty cell).
func histogramLogDensity(g plot.Grid, xy []float64) []float64 {
	counts := make([]float64, g.NX*g.NY)
	s := len(xy) / 2
	for i := 0; i < s; i++ {
		ix := int((xy[2*i] - g.XMin) / (g.XMax - g.XMin) * float64(g.NX))
		iy := int((xy[2*i+1] - g.YMin) / (g.YMax - g.YMin) * float64(g.NY))
		if ix >= 0 && ix < g.NX && iy >= 0 && iy < g.NY {
			counts[iy*g.NX+ix]++
		}
	}
	for i, c := range counts {
		counts[i] = math.Log(c / (float64(s) * g.CellArea()))
	}
	return counts
}
