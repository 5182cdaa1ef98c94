package main

import (
	"bufio"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// startFit starts nflow fit as a process with many epochs and returns it
// once its first epoch has ended, with the rest of its stderr.
func startFit(t *testing.T, csv, model string) (*exec.Cmd, *bufio.Reader) {
	t.Helper()
	cmd := nflowCommand(t, fitArgs(csv, model, "-epochs", "1000000", "-patience", "0", "-hidden", "8")...)
	pipe, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(pipe)
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			cmd.Process.Kill()
			t.Fatalf("fit ended before its first epoch: %v", err)
		}
		if strings.HasPrefix(line, "epoch ") {
			return cmd, r
		}
	}
}

// exitCode waits for cmd and returns its status, failing the test if it
// was killed by a signal instead.
func exitCode(t *testing.T, cmd *exec.Cmd) int {
	t.Helper()
	err := cmd.Wait()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee) && ee.ExitCode() >= 0:
		return ee.ExitCode()
	}
	t.Fatalf("fit: %v (killed, no status of its own)", err)
	return -1
}

// TestInterruptSavesTheBestEpoch sends a real SIGINT or SIGTERM to a
// running fit: it stops at the end of the step, saves the best epoch so
// far, says so and exits 130 or 143.
func TestInterruptSavesTheBestEpoch(t *testing.T) {
	dir := t.TempDir()
	csv := moonsCSV(t, dir, 300)
	for _, c := range []struct {
		sig  syscall.Signal
		name string
		code int
	}{{syscall.SIGINT, "SIGINT", 130}, {syscall.SIGTERM, "SIGTERM", 143}} {
		model := filepath.Join(dir, c.name+".nflow")
		cmd, stderr := startFit(t, csv, model)
		if err := cmd.Process.Signal(c.sig); err != nil {
			t.Fatal(err)
		}
		rest, _ := io.ReadAll(stderr)
		code := exitCode(t, cmd)
		if code != c.code {
			t.Errorf("%s: status %d, expected %d\n%s", c.name, code, c.code, rest)
		}
		for _, want := range []string{"nflow: " + c.name + ": stopping at the end of this step", "nflow fit: " + c.name + " after ", "saved the best epoch so far", "to " + model} {
			if !strings.Contains(string(rest), want) {
				t.Errorf("%s: stderr lacks %q:\n%s", c.name, want, rest)
			}
		}
		if code, _, log := nflow("sample", "-model", model, "-n", "2", "-out", "-"); code != 0 {
			t.Errorf("%s: the saved model does not load: %s", c.name, log)
		}
	}
}

// TestSecondInterruptQuitsAtOnce: the first SIGINT starts saving into a
// named pipe that nobody reads, so saving blocks; the second must end the
// process at once.
func TestSecondInterruptQuitsAtOnce(t *testing.T) {
	dir := t.TempDir()
	csv := moonsCSV(t, dir, 300)
	fifo := filepath.Join(dir, "model.fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	cmd, stderr := startFit(t, csv, fifo)
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	for {
		line, err := stderr.ReadString('\n')
		if err != nil {
			t.Fatalf("fit ended after one SIGINT without saying it was stopping: %v", err)
		}
		if strings.Contains(line, "stopping at the end of this step") {
			break
		}
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	rest, _ := io.ReadAll(stderr)
	if code := exitCode(t, cmd); code != 130 {
		t.Errorf("status %d after a second SIGINT, expected 130\n%s", code, rest)
	}
	if !strings.Contains(string(rest), "SIGINT again: quitting at once") {
		t.Errorf("stderr lacks the quitting message:\n%s", rest)
	}
	if fi, err := os.Lstat(fifo); err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
		t.Errorf("%s is no longer a named pipe (%v)", fifo, err)
	}
}
