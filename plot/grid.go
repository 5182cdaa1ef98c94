package plot

import (
	"fmt"
	"math"

	"gorgonia.org/tensor"
)

// Grid is the rectangle [XMin, XMax]×[YMin, YMax] divided into NX columns
// and NY rows of equal cells, each of width dx = (XMax-XMin)/NX and height
// dy = (YMax-YMin)/NY. It is the domain on which Density draws a density and
// Mass integrates one.
//
// Cells are numbered with x varying fastest: cell (ix, iy), for
// 0 <= ix < NX and 0 <= iy < NY, has index iy·NX + ix and centre
//
//	(XMin + (ix+1/2)·dx, YMin + (iy+1/2)·dy).
type Grid struct {
	XMin, XMax, YMin, YMax float64
	NX, NY                 int
}

// Validate returns an error if the bounds of g are not finite, if
// XMin >= XMax or YMin >= YMax, if a side's length XMax-XMin or YMax-YMin
// overflows, if a cell is too small to tell its edges apart at the bounds'
// magnitude, or if NX or NY is less than one.
func (g Grid) Validate() error {
	for _, v := range []float64{g.XMin, g.XMax, g.YMin, g.YMax} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("plot: grid bounds [%v, %v]×[%v, %v] must be finite", g.XMin, g.XMax, g.YMin, g.YMax)
		}
	}
	if !(g.XMin < g.XMax) {
		return fmt.Errorf("plot: grid XMin = %v, XMax = %v, want XMin < XMax", g.XMin, g.XMax)
	}
	if !(g.YMin < g.YMax) {
		return fmt.Errorf("plot: grid YMin = %v, YMax = %v, want YMin < YMax", g.YMin, g.YMax)
	}
	if g.NX < 1 || g.NY < 1 {
		return fmt.Errorf("plot: grid NX = %d, NY = %d, want both >= 1", g.NX, g.NY)
	}
	for _, s := range []struct {
		axis   string
		lo, hi float64
		n      int
	}{{"x", g.XMin, g.XMax, g.NX}, {"y", g.YMin, g.YMax, g.NY}} {
		w := s.hi - s.lo
		if math.IsInf(w, 0) {
			return fmt.Errorf("plot: grid %s range [%v, %v] is %v wide, want a width below %v", s.axis, s.lo, s.hi, w, math.MaxFloat64)
		}
		// Cells narrower than a few ulps of the bounds cannot be drawn or
		// labelled.
		if w/float64(s.n) < minCellUlps*ulp(math.Max(math.Abs(s.lo), math.Abs(s.hi))) {
			return fmt.Errorf("plot: grid %s range [%v, %v] in %d cells: cells too narrow for numbers of that size", s.axis, s.lo, s.hi, s.n)
		}
	}
	return nil
}

// minCellUlps is the narrowest cell Validate accepts, in units in the last
// place of the grid's largest bound.
const minCellUlps = 16

// ulp is the spacing of float64s at x >= 0.
func ulp(x float64) float64 { return math.Nextafter(x, math.Inf(1)) - x }

// Points returns the centres of the NX·NY cells of g as a float64 Dense of
// shape [NX·NY, 2], row iy·NX + ix holding the centre of cell (ix, iy).
// Points panics if g is not valid; see Validate.
func (g Grid) Points() *tensor.Dense {
	if err := g.Validate(); err != nil {
		panic(err)
	}
	xy := make([]float64, 0, 2*g.NX*g.NY)
	for iy := 0; iy < g.NY; iy++ {
		y := g.y(iy)
		for ix := 0; ix < g.NX; ix++ {
			xy = append(xy, g.x(ix), y)
		}
	}
	return tensor.New(tensor.WithShape(g.NX*g.NY, 2), tensor.WithBacking(xy))
}

// CellArea returns the area dx·dy of one cell of g.
func (g Grid) CellArea() float64 {
	return g.dx() * g.dy()
}

// Mass returns the midpoint-rule integral of a density over g,
//
//	mass = Σ_i exp(logProb[i]) · dx·dy,
//
// where logProb holds the log density at the cell centres in Points order.
// Values of logProb that are NaN or ±Inf are left out of the sum and counted
// in nonFinite; -Inf, a zero density, is counted too. A mass near one means
// the density is normalized and its support lies within g.
//
// Mass panics if len(logProb) is not NX·NY.
func (g Grid) Mass(logProb []float64) (mass float64, nonFinite int) {
	if len(logProb) != g.NX*g.NY {
		panic(fmt.Sprintf("plot: Grid.Mass: len(logProb) = %d, want NX·NY = %d", len(logProb), g.NX*g.NY))
	}
	var sum float64
	for _, lp := range logProb {
		if math.IsNaN(lp) || math.IsInf(lp, 0) {
			nonFinite++
			continue
		}
		sum += math.Exp(lp)
	}
	return sum * g.CellArea(), nonFinite
}

// dx and dy return the width and height of a cell.
func (g Grid) dx() float64 { return (g.XMax - g.XMin) / float64(g.NX) }
func (g Grid) dy() float64 { return (g.YMax - g.YMin) / float64(g.NY) }

// x and y return the centre coordinates of column ix and row iy.
func (g Grid) x(ix int) float64 { return g.XMin + (float64(ix)+0.5)*g.dx() }
func (g Grid) y(iy int) float64 { return g.YMin + (float64(iy)+0.5)*g.dy() }
