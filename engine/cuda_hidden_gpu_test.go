//go:build gpu

package engine_test

import (
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/nflowgo/nflow/engine"
)

// hiddenChild marks the re-run of this test binary that sees no GPU.
const hiddenChild = "NFLOW_TEST_HIDDEN_DEVICE"

// TestHiddenDeviceSkips re-runs this test binary with every GPU hidden
// (CUDA_VISIBLE_DEVICES empty, so the driver's cuInit fails): the binary
// must get as far as its tests and report "no usable CUDA device:
// <reason>" from DeviceByName, instead of exiting in gorgonia.org/cu's
// init. Needs no GPU itself, only a libcuda to load.
func TestHiddenDeviceSkips(t *testing.T) {
	if os.Getenv(hiddenChild) == "1" {
		_, err := engine.DeviceByName("cuda")
		if !errors.Is(err, engine.ErrNoDevice) {
			t.Fatalf("CUDA_VISIBLE_DEVICES=%q: DeviceByName(cuda) error %v, want one wrapping ErrNoDevice", os.Getenv("CUDA_VISIBLE_DEVICES"), err)
		}
		t.Logf("hidden device: %v", err)
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestHiddenDeviceSkips$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), "CUDA_VISIBLE_DEVICES=", hiddenChild+"=1")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "hidden device: "+engine.ErrNoDevice.Error()+": ") {
		t.Fatalf("test binary with CUDA_VISIBLE_DEVICES empty: %v, output:\n%s\nwant a clean run that reports %q", err, out, engine.ErrNoDevice)
	}
	for _, l := range strings.Split(string(out), "\n") {
		if strings.Contains(l, "hidden device: ") {
			t.Log(strings.TrimSpace(l))
		}
	}
}
