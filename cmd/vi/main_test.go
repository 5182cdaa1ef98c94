package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/nflowgo/nflow/vi"
)

// A tiny run of each target writes the figures and a JSON line with
// every field.
func TestSmoke(t *testing.T) {
	for _, target := range []string{"banana", "funnel", "ring"} {
		dir := t.TempDir()
		var out, errOut bytes.Buffer
		err := run([]string{"-target", target, "-steps", "20", "-batch", "16", "-eval", "2000", "-anneal", "10", "-out", dir, "-json"}, &out, &errOut)
		if err != nil {
			t.Fatalf("%s: %v\n%s", target, err, errOut.String())
		}
		var res map[string]any
		if err := json.Unmarshal(out.Bytes(), &res); err != nil {
			t.Fatalf("%s: output %q is not one JSON line: %v", target, out.String(), err)
		}
		for _, k := range []string{"elbo", "ess_fraction", "log_z", "khat", "seconds", "steps"} {
			if _, ok := res[k]; !ok {
				t.Errorf("%s: JSON %s lacks %q", target, out.String(), k)
			}
		}
		if _, ok := res["modes_covered"]; ok != (target == "ring") {
			t.Errorf("%s: modes_covered present = %v, expected only for the ring", target, ok)
		}
		if res["steps"].(float64) != 20 {
			t.Errorf("%s: steps %v, expected 20", target, res["steps"])
		}
		for _, f := range []string{"01-target.png", "02-q-samples.png", "03-q-density.png", "04-resampled.png", "05-elbo.png", "06-p-beside-q.png"} {
			if st, err := os.Stat(filepath.Join(dir, target, f)); err != nil || st.Size() == 0 {
				t.Errorf("%s: figure %s: %v", target, f, err)
			}
		}
	}
}

func TestBadFlags(t *testing.T) {
	for _, args := range [][]string{{"-target", "moons"}, {"-stl", "maybe"}, {"-eval", "3"}, {"-flow", "glow", "-steps", "1"}} {
		if err := run(args, &bytes.Buffer{}, &bytes.Buffer{}); err == nil {
			t.Errorf("%v: no error", args)
		}
	}
}

// The lab's hand-written gradients are right.
func TestTargetGradients(t *testing.T) {
	for _, name := range []string{"banana", "funnel", "ring"} {
		tg, err := targetByName(name)
		if err != nil {
			t.Fatal(err)
		}
		x := make([]float64, 5*tg.Dim())
		for i := range x {
			x[i] = 0.7*float64(i%7) - 2 + 0.1*float64(i)
		}
		c, err := vi.CheckGradient(tg, x, 0)
		if err != nil || c.Error > 1e-6 {
			t.Errorf("%s: %v, %v", name, c, err)
		}
	}
}

// modesCovered counts the modes above the threshold.
func TestModesCovered(t *testing.T) {
	mu := ringModes()
	var x []float64
	for k := 0; k < 3; k++ { // 3 modes, 10 samples each, and one stray sample
		for i := 0; i < 10; i++ {
			x = append(x, mu[k][0], mu[k][1])
		}
	}
	x = append(x, mu[5][0], mu[5][1])
	if m, frac := modesCovered(x, 0.05); m != 3 || frac[5] > 0.05 {
		t.Errorf("modes covered %d (%v), expected 3", m, frac)
	}
}
