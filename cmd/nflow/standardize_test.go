package main

import (
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/nflowgo/nflow/data"
	"github.com/nflowgo/nflow/flows"
	"gorgonia.org/tensor"
)

// validationNLL returns the figure fit prints on its "validation NLL" line.
func validationNLL(t *testing.T, out string) float64 {
	t.Helper()
	for _, line := range strings.Split(out, "\n") {
		if f := strings.Fields(line); len(f) >= 3 && strings.HasPrefix(line, "validation NLL ") {
			v, err := strconv.ParseFloat(f[2], 64)
			if err != nil {
				t.Fatal(err)
			}
			return v
		}
	}
	t.Fatalf("no validation NLL line in:\n%s", out)
	return 0
}

// TestFitStandardizes fits moons in units a thousand times larger, far
// from the origin: by default the model standardises them (and says so in
// its file) and reaches an NLL near that of moons plus 2·log 1000; with
// -standardize=false the same budget does not.
func TestFitStandardizes(t *testing.T) {
	dir := t.TempDir()
	x, _, err := data.MakeMoons(600, 0.05, 1)
	if err != nil {
		t.Fatal(err)
	}
	v := x.Float64s()
	for i := range v {
		v[i] = 5e4 + 1000*v[i]
	}
	csv := writeCSV(t, dir, "big.csv", tensor.New(tensor.WithShape(600, 2), tensor.WithBacking(v)), nil)
	model := filepath.Join(dir, "model.nflow")
	code, out, log := nflow(fitArgs(csv, model, "-epochs", "5", "-val", "0.2")...)
	if code != 0 {
		t.Fatalf("fit: status %d\n%s", code, log)
	}
	nll := validationNLL(t, out)
	bound := 2*math.Log(1000) + 3 // a poor fit of moons is under 3 nats
	if !(nll < bound) {
		t.Errorf("fit with standardisation: validation NLL %g, want below %.2f", nll, bound)
	}
	spec, m, err := flows.LoadFile(model)
	if err != nil {
		t.Fatal(err)
	}
	if st := flows.StandardizerOf(m); !spec.Standardize || st == nil || !st.Initialized() {
		t.Errorf("saved model: spec.Standardize %v, standardizer %v; want an initialised one", spec.Standardize, st)
	}
	code, out, log = nflow(fitArgs(csv, model, "-epochs", "5", "-val", "0.2", "-standardize=false")...)
	if code != 0 {
		return // failing outright on raw numbers is also "does not"
	}
	if raw := validationNLL(t, out); !(raw > nll+1) {
		t.Errorf("fit with -standardize=false: validation NLL %g, want it worse than %g with standardisation\n%s", raw, nll, log)
	}
}
