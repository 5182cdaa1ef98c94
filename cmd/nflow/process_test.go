package main

import (
	"os"
	"os/exec"
	"testing"
)

// asMain is the environment variable that makes the test binary run nflow's
// main instead of the tests, so that a test can run nflow as a process of
// its own (for pipes and signals).
const asMain = "NFLOW_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(asMain) == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

// nflowCommand returns the command that runs nflow with args as a process.
func nflowCommand(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, args...)
	cmd.Env = append(os.Environ(), asMain+"=1")
	return cmd
}
