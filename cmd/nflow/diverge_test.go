package main

import (
	"bytes"
	"flag"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nflowgo/nflow/train"
)

// TestDivergedFitSavesNothing is "nflow fit -flow realnvp -lr 1e3": the
// first epoch diverges, so there is no good epoch to save; fit says so,
// leaves -out alone and fails.
func TestDivergedFitSavesNothing(t *testing.T) {
	dir := t.TempDir()
	csv := moonsCSV(t, dir, 300)
	model := writeFile(t, dir, "old.nflow", "an older file")
	code, out, stderr := nflow(fitArgs(csv, model, "-flow", "realnvp", "-lr", "1e3")...)
	if code != 1 || !strings.Contains(stderr, "training diverged") || !strings.Contains(stderr, "before any epoch was good: nothing saved") {
		t.Errorf("status %d, stderr %q; expected status 1 and a divergence with nothing saved", code, stderr)
	}
	if strings.Contains(out, "NLL") {
		t.Errorf("stdout reports a result:\n%s", out)
	}
	unchanged(t, "diverged fit", model, []byte("an older file"))
}

// TestDivergedFitSavesTheBestEpoch runs fit with a learning rate that grows
// along a cosine to 100 (a setting the flags do not offer), so that training
// goes well, then diverges: fit saves the best epoch's parameters, says so
// and reports their NLL.
func TestDivergedFitSavesTheBestEpoch(t *testing.T) {
	dir := t.TempDir()
	csv := moonsCSV(t, dir, 300)
	model := filepath.Join(dir, "model.nflow")
	fs := flag.NewFlagSet("fit", flag.ContinueOnError)
	o := fitFlags(fs).(*fitOptions)
	if err := fs.Parse(fitArgs(csv, model, "-epochs", "40", "-patience", "0", "-scale", "exp", "-dtype", "float64")[1:]); err != nil {
		t.Fatal(err)
	}
	if err := o.check(); err != nil {
		t.Fatal(err)
	}
	o.cfg.FinalLearningRate = 100
	var out, log bytes.Buffer
	if err := runFit(o, &out, &log); err != nil {
		t.Fatalf("%v\n%s", err, log.String())
	}
	for _, want := range []string{"nflow fit: training diverged", "saved the best epoch, ", "to " + model} {
		if !strings.Contains(log.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, log.String())
		}
	}
	if !strings.Contains(out.String(), "(diverged), best epoch ") {
		t.Errorf("stdout does not report the divergence:\n%s", out.String())
	}
	if _, err := os.Stat(model); err != nil {
		t.Errorf("no model saved: %v", err)
	}
}

// TestFiniteEpochs: the loss curve of a diverged fit stops before the
// first epoch with a non-finite loss.
func TestFiniteEpochs(t *testing.T) {
	h := &train.History{Loss: []float64{3, 2, 5, 7}, ValLoss: []float64{3, 2, math.Inf(1), 8}}
	tr, val := finiteEpochs(h)
	if len(tr) != 2 || len(val) != 2 {
		t.Errorf("%d training and %d validation epochs kept, expected 2 and 2", len(tr), len(val))
	}
	h = &train.History{Loss: []float64{3, 2, 1}}
	if tr, val := finiteEpochs(h); len(tr) != 3 || len(val) != 0 {
		t.Errorf("a finite history without validation: %d and %d epochs kept, expected 3 and 0", len(tr), len(val))
	}
}
