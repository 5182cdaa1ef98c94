package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/nflowgo/nflow/engine"
	"github.com/nflowgo/nflow/train"
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

// TestLaunchesTable checks -launches on a CPU build: one table per batch
// whose launch count is the lowering's, with the lab step at batch 32 in
// at most 12 launches and a modelled time per step.
func TestLaunchesTable(t *testing.T) {
	var out, errb bytes.Buffer
	if err := run([]string{"-launches", "-model", "lab", "-batch", "32,4096"}, &out, &errb); err != nil {
		t.Fatalf("%v\n%s", err, errb.String())
	}
	text := out.String()
	for _, b := range []int{32, 4096} {
		td, err := build(models[0])
		if err != nil {
			t.Fatal(err)
		}
		plan, _, err := train.LossPlan(td, b)
		if err != nil {
			t.Fatal(err)
		}
		step, _, err := engine.TrainStepLaunches(plan, 2)
		if err != nil {
			t.Fatal(err)
		}
		head := fmt.Sprintf("lab batch %d: %d launches per training step", b, len(step))
		if !strings.Contains(text, head) {
			t.Errorf("no %q in\n%s", head, text)
		}
		if b == 32 && len(step) > 12 {
			t.Errorf("lab batch 32: %d launches, want at most 12", len(step))
		}
	}
	if strings.Count(text, "modelled H200 step") != 2 || !strings.Contains(text, "block_program") {
		t.Errorf("-launches output:\n%s", text)
	}
}
