package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// TestQuickJSON is CI's smoke run of the harness: -quick -json gives one
// well-formed line per batch size with every figure positive.
func TestQuickJSON(t *testing.T) {
	var out, errb bytes.Buffer
	if err := run([]string{"-quick", "-json", "-batch", "8"}, &out, &errb); err != nil {
		t.Fatalf("%v\n%s", err, errb.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 1 {
		t.Fatalf("%d lines, want 1:\n%s", len(lines), out.String())
	}
	var r Result
	if err := json.Unmarshal([]byte(lines[0]), &r); err != nil {
		t.Fatal(err)
	}
	if r.Model != "lab" || r.Batch != 8 || r.Params != 52236 {
		t.Errorf("result %+v, want the lab model (52236 parameters) at batch 8", r)
	}
	if !(r.TrainStepsPerS > 0 && r.LogProbPerS > 0 && r.SamplePerS > 0 && r.TrainGFLOPs > 0) {
		t.Errorf("non-positive figures: %+v", r)
	}
	if r.AllocsPerStep != 0 {
		t.Errorf("%v allocations per training step, want 0", r.AllocsPerStep)
	}
}

func TestBadFlags(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-device", "cuda"}, "built without GPU support"},
		{[]string{"-model", "huge"}, "unknown model"},
		{[]string{"-batch", "0"}, "not a positive integer"},
	} {
		var o, e bytes.Buffer
		if err := run(c.args, &o, &e); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: error %v, want %q", c.args, err, c.want)
		}
	}
}
