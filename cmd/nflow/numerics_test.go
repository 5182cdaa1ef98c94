package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestFarPointsLogProb is "nflow logprob" of float32 and float64 models at
// points far from the data: -Inf or finite, never NaN, as the README says.
func TestFarPointsLogProb(t *testing.T) {
	dir := t.TempDir()
	csv := moonsCSV(t, dir, 300)
	far := writeFile(t, dir, "far.csv", "x,y\n2e38,0\n-1e37,0\n1e39,0\n0,-1e39\n1e300,1e300\n")
	for _, dtype := range []string{"float32", "float64"} {
		model := filepath.Join(dir, dtype+".nflow")
		if code, _, log := nflow(fitArgs(csv, model, "-dtype", dtype)...); code != 0 {
			t.Fatalf("fit %s: status %d\n%s", dtype, code, log)
		}
		lp := filepath.Join(dir, dtype+".csv")
		if code, _, log := nflow("logprob", "-model", model, "-data", far, "-out", lp); code != 0 {
			t.Fatalf("logprob %s: status %d\n%s", dtype, code, log)
		}
		_, rows := readColumn(t, lp)
		if len(rows) != 5 {
			t.Fatalf("%s: %d log-densities for 5 points", dtype, len(rows))
		}
		for i, r := range rows {
			if r == "NaN" || r == "+Inf" {
				t.Errorf("%s: point %d of far.csv has log-density %s, expected -Inf or a finite value", dtype, i+1, r)
			}
		}
	}
}

// TestFloat32OverflowInData: a training value beyond float32 names its
// line in the file (the shuffled row would be meaningless) and what to do.
func TestFloat32OverflowInData(t *testing.T) {
	dir := t.TempDir()
	csv := writeFile(t, dir, "big.csv", "x,y\n1,2\n3,4\n5,6\n7,8\n# a comment\n9,1e39\n2,3\n")
	model := filepath.Join(dir, "m.nflow")
	code, _, stderr := nflow(fitArgs(csv, model, "-val", "0")...)
	want := `big.csv: line 7: column 2: field "1e39" overflows float32 (largest 3.4e+38): fit a -dtype float64 model, or scale the data`
	if code != 1 || !strings.Contains(stderr, want) {
		t.Errorf("status %d, stderr %q; expected status 1 and %q", code, stderr, want)
	}
	if code, _, log := nflow(fitArgs(csv, model, "-val", "0", "-dtype", "float64")...); code != 0 {
		t.Errorf("the same data with -dtype float64: status %d\n%s", code, log)
	}
	ctx := writeFile(t, dir, "ctx.csv", "c\n1\n1\n1e39\n1\n1\n1\n")
	code, _, stderr = nflow(fitArgs(csv, model, "-val", "0", "-dtype", "float64", "-context", ctx)...)
	if code != 0 {
		t.Errorf("float64 context: status %d\n%s", code, stderr)
	}
	code, _, stderr = nflow(fitArgs(writeFile(t, dir, "ok.csv", "x,y\n1,2\n3,4\n5,6\n7,8\n9,1\n2,3\n"), model, "-val", "0", "-context", ctx)...)
	if code != 1 || !strings.Contains(stderr, `ctx.csv: line 4: column 1: field "1e39" overflows float32`) {
		t.Errorf("float32 context: status %d, stderr %q", code, stderr)
	}
}
