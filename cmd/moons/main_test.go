package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestQuickLab runs the whole lab at a small size and checks every figure
// and the JSON line.
func TestQuickLab(t *testing.T) {
	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	err := run([]string{"-n", "512", "-epochs", "2", "-hidden", "16,16", "-batch", "64", "-out", out, "-json"}, &stdout, &stderr)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	for _, f := range []string{"01-data.png", "02-base-samples.png", "03-shift-scale-samples.png", "04-shift-scale-density.png",
		"05-untrained-density.png", "06-loss.png", "07-trained-density.png", "08-trained-samples.png"} {
		st, err := os.Stat(filepath.Join(out, f))
		if err != nil || st.Size() < 1000 {
			t.Errorf("figure %s missing or empty: %v", f, err)
		}
	}
	var r map[string]any
	if err := json.Unmarshal(stdout.Bytes(), &r); err != nil {
		t.Fatalf("stdout is not one JSON line: %v\n%s", err, stdout.String())
	}
	for _, k := range []string{"train_nll", "test_nll", "grid_mass", "seconds", "steps_per_s", "params"} {
		if _, ok := r[k]; !ok {
			t.Errorf("JSON lacks %q", k)
		}
	}
	if m := r["grid_mass"].(float64); m < 0.9 || m > 1.05 {
		t.Errorf("grid mass %g, expected about 1", m)
	}
	if p := r["params"].(float64); p != 3*(2*16+16+16*16+16+16*4+4) {
		t.Errorf("params %g", p)
	}
	if !strings.Contains(stderr.String(), "epoch 2/2") {
		t.Errorf("no progress line in stderr:\n%s", stderr.String())
	}
}

func TestBadFlags(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-device", "cuda"}, "built without GPU support"},
		{[]string{"-device", "tpu"}, "unknown device"},
		{[]string{"-hidden", "128,x"}, "not a positive integer"},
		{[]string{"-activation", "swish"}, "unknown activation"},
		{[]string{"-epochs", "0"}, "-epochs=0"},
		{[]string{"-scale", "huge"}, "unknown scale function"},
		{[]string{"-lr", "-1"}, "-lr=-1"},
		{[]string{"-flow", "nope"}, "unknown flow"},
	} {
		var so, se bytes.Buffer
		err := run(c.args, &so, &se)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: error %v, want one containing %q", c.args, err, c.want)
		}
	}
}

// TestFlowFlag runs the lab briefly with each registered flow kind.
func TestFlowFlag(t *testing.T) {
	for _, kind := range []string{"iaf", "glow", "realnvp", "nsf"} {
		var stdout, stderr bytes.Buffer
		err := run([]string{"-n", "256", "-epochs", "1", "-hidden", "8", "-layers", "2", "-batch", "64", "-flow", kind, "-out", t.TempDir(), "-json"}, &stdout, &stderr)
		if err != nil {
			if strings.Contains(err.Error(), "unknown flow") {
				t.Errorf("%s is not registered", kind)
				continue
			}
			t.Fatalf("%s: %v\n%s", kind, err, stderr.String())
		}
		var r map[string]any
		if err := json.Unmarshal(stdout.Bytes(), &r); err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		if m := r["grid_mass"].(float64); m < 0.8 || m > 1.1 {
			t.Errorf("%s: grid mass %g", kind, m)
		}
	}
}
