package main

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gorgonia.org/tensor"
)

// TestQuickConditionalLab runs the -conditional lab at a small size and
// checks every figure and the JSON line.
func TestQuickConditionalLab(t *testing.T) {
	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	err := run([]string{"-conditional", "-n", "512", "-epochs", "2", "-hidden", "16,16", "-batch", "64", "-out", out, "-json"}, &stdout, &stderr)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	for _, f := range []string{"01-data.png", "02-base-samples.png", "03-shift-scale-samples.png", "04-shift-scale-density.png",
		"05-untrained-density.png", "06-loss.png", "07-trained-density.png", "08-trained-samples.png",
		"09-conditional-samples-label0.png", "10-conditional-samples-label1.png"} {
		st, err := os.Stat(filepath.Join(out, f))
		if err != nil || st.Size() < 1000 {
			t.Errorf("figure %s missing or empty: %v", f, err)
		}
	}
	var r map[string]any
	if err := json.Unmarshal(stdout.Bytes(), &r); err != nil {
		t.Fatalf("stdout is not one JSON line: %v\n%s", err, stdout.String())
	}
	for _, k := range []string{"train_nll", "test_nll", "test_nll_given_label", "grid_mass", "seconds", "steps_per_s", "params"} {
		if v, ok := r[k].(float64); !ok || math.IsNaN(v) {
			t.Errorf("JSON %q = %v", k, r[k])
		}
	}
	if m := r["grid_mass"].(float64); m < 0.9 || m > 1.05 {
		t.Errorf("grid mass %g, expected about 1", m)
	}
	// Each layer adds a context kernel V_l [2, out_l] to the lab's MADE.
	if p := r["params"].(float64); p != 3*(2*16+16+16*16+16+16*4+4+2*(16+16+4)) {
		t.Errorf("params %g", p)
	}
	// The marginal mixes the two conditionals: log p(x) >= log p(x | k) + log π_k.
	if g, m := r["test_nll_given_label"].(float64), r["test_nll"].(float64); !(g > m-math.Log(2)-0.01) {
		t.Errorf("test NLL given label %g below marginal %g - log 2", g, m)
	}
	if !strings.Contains(stderr.String(), "conditioned on the one-hot label") {
		t.Errorf("no training line in stderr:\n%s", stderr.String())
	}
}

func TestOneHot(t *testing.T) {
	c, err := oneHot([]int{0, 1, 1}, tensor.Float32)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Shape().Eq(tensor.Shape{3, 2}) || c.Dtype() != tensor.Float32 {
		t.Fatalf("one-hot %v %v", c.Shape(), c.Dtype())
	}
	if got := c.Float32s(); got[0] != 1 || got[1] != 0 || got[2] != 0 || got[3] != 1 || got[5] != 1 {
		t.Errorf("one-hot %v", got)
	}
	if _, err := oneHot([]int{2}, tensor.Float32); err == nil || !strings.Contains(err.Error(), "expected 0 or 1") {
		t.Errorf("label 2: %v", err)
	}
}
