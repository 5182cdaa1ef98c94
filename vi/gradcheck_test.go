package vi

import (
	"math"
	"strings"
	"testing"

	"github.com/nflowgo/nflow/ops"
	"gorgonia.org/gorgonia"
)

// banana's log density and gradient written by hand (x2 = y2 + ½(x1² - 4)).
func bananaFunc(wrongAt int) TargetFunc {
	return TargetFunc{D: 2, Fn: func(x, logp, grad []float64) {
		for n := range logp {
			x1, x2 := x[2*n], x[2*n+1]
			r := x2 - 0.5*(x1*x1-4)
			logp[n] = -x1*x1/8 - r*r/2
			if grad != nil {
				grad[2*n], grad[2*n+1] = -x1/4+r*x1, -r
				if n == wrongAt {
					grad[2*n+1] *= 1.01
				}
			}
		}
	}}
}

// bananaGraph is the same target as a Gorgonia graph.
func bananaGraph() *GraphTarget {
	return &GraphTarget{D: 2, Build: func(g *gorgonia.ExprGraph, x *gorgonia.Node) (*gorgonia.Node, error) {
		x1, err := gorgonia.Slice(x, nil, gorgonia.S(0))
		if err != nil {
			return nil, err
		}
		x2, err := gorgonia.Slice(x, nil, gorgonia.S(1))
		if err != nil {
			return nil, err
		}
		sq := gorgonia.Must(gorgonia.Square(x1))
		r := gorgonia.Must(gorgonia.Sub(x2, gorgonia.Must(gorgonia.Mul(gorgonia.Must(gorgonia.Sub(sq, gorgonia.NewConstant(4.0))), gorgonia.NewConstant(0.5)))))
		a := gorgonia.Must(gorgonia.Mul(sq, gorgonia.NewConstant(-1.0/8)))
		b := gorgonia.Must(gorgonia.Mul(gorgonia.Must(gorgonia.Square(r)), gorgonia.NewConstant(-0.5)))
		return gorgonia.Add(a, b)
	}}
}

var checkPoints = []float64{0.3, -1, 1.7, 2.2, -2.5, 0.4, 0, 0, -0.8, 3}

func TestCheckGradient(t *testing.T) {
	c, err := CheckGradient(bananaFunc(-1), checkPoints, 0)
	if err != nil {
		t.Fatal(err)
	}
	if c.Error > 1e-7 {
		t.Errorf("right gradient: %v, expected error < 1e-7", c)
	}
	c, err = CheckGradient(bananaFunc(3), checkPoints, 0)
	if err != nil {
		t.Fatal(err)
	}
	if c.Row != 3 || c.Col != 1 || c.Error < 1e-3 {
		t.Errorf("gradient wrong at row 3, column 1: %v", c)
	}
	if !strings.Contains(c.String(), "row 3, column 1") {
		t.Errorf("report %q does not name the coordinate", c.String())
	}
	if _, err := CheckGradient(bananaFunc(-1), checkPoints[:3], 0); err == nil {
		t.Error("3 values for D = 2: no error")
	}
}

// The graph target (Gorgonia's ops, TapeMachine) matches the hand-written
// one, and its automatic gradient passes the check.
func TestGraphTarget(t *testing.T) {
	g := bananaGraph()
	lp, grad, err := EvalTarget(g, checkPoints, true)
	if err != nil {
		t.Fatal(err)
	}
	if g.Err() != nil {
		t.Fatal(g.Err())
	}
	want, wantGrad, _ := EvalTarget(bananaFunc(-1), checkPoints, true)
	for i := range want {
		if math.Abs(lp[i]-want[i]) > 1e-12 {
			t.Errorf("log p̃ row %d: graph %g, function %g", i, lp[i], want[i])
		}
	}
	for i := range wantGrad {
		if math.Abs(grad[i]-wantGrad[i]) > 1e-12 {
			t.Errorf("gradient %d: graph %g, function %g", i, grad[i], wantGrad[i])
		}
	}
	c, err := CheckGradient(g, checkPoints, 0)
	if err != nil || c.Error > 1e-7 {
		t.Errorf("graph target: %v, %v", c, err)
	}
	// It trains: a few steps of Fit run through it.
	if _, err := Fit(iaf(t, 2, "float32"), g, Config{Steps: 5, BatchSize: 8}); err != nil {
		t.Error(err)
	}
	if g.Compiled(len(checkPoints) / 2) {
		t.Error("a graph of Gorgonia's Slice and Square compiled, expected the TapeMachine")
	}
	// A graph of nflow's ops runs compiled and matches the function.
	loc, sd := []float64{1, -1}, []float64{0.5, 2}
	op, err := ops.NewNormalLogProb(loc, sd)
	if err != nil {
		t.Fatal(err)
	}
	ng := &GraphTarget{D: 2, Build: func(g *gorgonia.ExprGraph, x *gorgonia.Node) (*gorgonia.Node, error) { return gorgonia.ApplyOp(op, x) }}
	lp, grad, _ = EvalTarget(ng, checkPoints, true)
	want, wantGrad, _ = EvalTarget(gaussian(loc, sd, 0), checkPoints, true)
	if !ng.Compiled(len(checkPoints)/2) || ng.Err() != nil {
		t.Errorf("a graph of nflow's NormalLogProb: compiled %v, error %v; expected the engine", ng.Compiled(len(checkPoints)/2), ng.Err())
	}
	for i := range want {
		if math.Abs(lp[i]-want[i]) > 1e-12 || math.Abs(grad[2*i]-wantGrad[2*i]) > 1e-12 || math.Abs(grad[2*i+1]-wantGrad[2*i+1]) > 1e-12 {
			t.Errorf("row %d: compiled graph %g %v, function %g %v", i, lp[i], grad[2*i:2*i+2], want[i], wantGrad[2*i:2*i+2])
		}
	}
	bad := &GraphTarget{D: 2, Build: func(g *gorgonia.ExprGraph, x *gorgonia.Node) (*gorgonia.Node, error) { return x, nil }}
	lp, _, _ = EvalTarget(bad, checkPoints, false)
	if bad.Err() == nil || !math.IsNaN(lp[0]) {
		t.Errorf("a graph of shape [N, D]: error %v, log p̃ %v; expected an error and NaN", bad.Err(), lp[0])
	}
}
