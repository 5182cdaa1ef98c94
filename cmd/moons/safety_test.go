package main

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// TestHelpExitsZero: -h prints the flags and succeeds.
func TestHelpExitsZero(t *testing.T) {
	var so, se bytes.Buffer
	err := run([]string{"-h"}, &so, &se)
	if code := status(err, &se); code != 0 || !strings.Contains(se.String(), "-lr-final") {
		t.Errorf("-h: status %d, stderr %q; expected 0 and the flags", code, se.String())
	}
}

// TestRefusedBeforeAnyFigure: flags the lab cannot honour are refused
// before it writes anything.
func TestRefusedBeforeAnyFigure(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-conditional", "-flow", "glow"}, "-flow=glow with -conditional"},
		{[]string{"-conditional", "-flow", "realnvp"}, "the conditional lab trains a MAF"},
		{[]string{"-lr-final", "-1"}, "-lr-final=-1"},
		{[]string{"-lr-final", "NaN"}, "-lr-final=NaN"},
		{[]string{"-lr", "Inf"}, "-lr=+Inf"},
	} {
		out := t.TempDir()
		var so, se bytes.Buffer
		err := run(append(c.args, "-n", "64", "-epochs", "1", "-hidden", "4", "-out", out), &so, &se)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: error %v, expected one containing %q", c.args, err, c.want)
		}
		if es, _ := os.ReadDir(out); len(es) > 0 {
			t.Errorf("%v: wrote %d files before refusing", c.args, len(es))
		}
	}
}

// TestDivergedLabKeepsTheBestEpoch is "moons -lr-final 1" at a small size:
// the learning rate grows until training diverges; the lab says so and
// scores the best epoch, not the diverged parameters.
func TestDivergedLabKeepsTheBestEpoch(t *testing.T) {
	for _, cond := range []bool{false, true} {
		args := []string{"-n", "1000", "-epochs", "8", "-hidden", "32,32", "-lr-final", "3", "-out", t.TempDir(), "-json"}
		if cond {
			args = append(args, "-conditional")
		}
		var so, se bytes.Buffer
		if err := run(args, &so, &se); err != nil {
			t.Fatalf("conditional %v: %v\n%s", cond, err, se.String())
		}
		var r struct {
			TestNLL  float64 `json:"test_nll"`
			Diverged int     `json:"diverged_at_epoch"`
			Best     int     `json:"best_epoch"`
		}
		if err := json.Unmarshal(so.Bytes(), &r); err != nil {
			t.Fatalf("conditional %v: %v\n%s", cond, err, so.String())
		}
		if r.Diverged == 0 || r.Best < 1 || r.Best >= r.Diverged {
			t.Errorf("conditional %v: diverged at epoch %d, best epoch %d; expected a divergence after a best epoch", cond, r.Diverged, r.Best)
		}
		if !strings.Contains(se.String(), "the lab goes on with the best epoch") {
			t.Errorf("conditional %v: stderr does not say the lab goes on with the best epoch:\n%s", cond, se.String())
		}
		// The best epoch of a moons fit scores a few nats at worst; the
		// diverged parameters scored 2.6e12.
		if !(r.TestNLL < 10) {
			t.Errorf("conditional %v: test NLL %g, expected the best epoch's (below 10 nats)", cond, r.TestNLL)
		}
	}
}
