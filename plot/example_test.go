package plot_test

import (
	"fmt"
	"math"

	"github.com/nflowgo/nflow/plot"
)

func ExampleGrid_Points() {
	g := plot.Grid{XMin: 0, XMax: 3, YMin: 0, YMax: 2, NX: 3, NY: 2}
	pts := g.Points()
	fmt.Println(pts.Shape())
	xy := pts.Data().([]float64)
	for i := 0; i < g.NX*g.NY; i++ {
		fmt.Printf("row %d: (%.1f, %.1f)\n", i, xy[2*i], xy[2*i+1])
	}
	// Output:
	// (6, 2)
	// row 0: (0.5, 0.5)
	// row 1: (1.5, 0.5)
	// row 2: (2.5, 0.5)
	// row 3: (0.5, 1.5)
	// row 4: (1.5, 1.5)
	// row 5: (2.5, 1.5)
}

func ExampleGrid_Mass() {
	// The log density of the standard normal in the plane, evaluated at the
	// cell centres, integrates to one over [-6, 6]².
	g := plot.Grid{XMin: -6, XMax: 6, YMin: -6, YMax: 6, NX: 200, NY: 200}
	xy := g.Points().Data().([]float64)
	logProb := make([]float64, g.NX*g.NY)
	for i := range logProb {
		x, y := xy[2*i], xy[2*i+1]
		logProb[i] = -(x*x+y*y)/2 - math.Log(2*math.Pi)
	}
	logProb[0] = math.NaN()
	mass, nonFinite := g.Mass(logProb)
	fmt.Printf("cell area %.4f, mass %.4f, %d non-finite\n", g.CellArea(), mass, nonFinite)
	// Output:
	// cell area 0.0036, mass 1.0000, 1 non-finite
}
