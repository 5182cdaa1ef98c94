package main

import (
	"bufio"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestSampleIntoClosedPipe is "nflow sample -n 200000 -out /dev/stdout |
// head -1": once the reader has gone, sample must exit rather than block on
// a pipe it holds open for reading itself.
func TestSampleIntoClosedPipe(t *testing.T) {
	dir := t.TempDir()
	csv := moonsCSV(t, dir, 300)
	model := filepath.Join(dir, "model.nflow")
	if code, _, log := nflow(fitArgs(csv, model)...); code != 0 {
		t.Fatalf("fit: status %d\n%s", code, log)
	}
	for _, out := range []string{"/dev/stdout", "-"} {
		cmd := nflowCommand(t, "sample", "-model", model, "-n", "200000", "-out", out)
		pipe, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		line, err := bufio.NewReader(pipe).ReadString('\n')
		if err != nil || line != "x0,x1\n" {
			t.Errorf("-out %s: first line %q (%v), expected the header x0,x1", out, line, err)
		}
		pipe.Close() // head -1 exits
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done: // exited (killed by SIGPIPE, or an error status): not hung
		case <-time.After(2 * time.Minute): // a guard against a hang, not a timing assertion
			cmd.Process.Kill()
			t.Errorf("-out %s: sample still running two minutes after its reader closed the pipe\n%s", out, stderr.String())
		}
	}
}
