package sysmem

import (
	"os"
	"path/filepath"
	"testing"
)

func TestMemAvailable(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "meminfo")
	os.WriteFile(p, []byte("MemTotal:       16000000 kB\nMemFree:  100 kB\nMemAvailable:    8000000 kB\n"), 0o644)
	if got, err := memAvailable(p); err != nil || got != 8000000*1024 {
		t.Errorf("memAvailable = %d, %v; expected %d", got, err, 8000000*1024)
	}
	os.WriteFile(filepath.Join(dir, "memory.max"), []byte("1000\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "memory.current"), []byte("300\n"), 0o644)
	if got, err := cgroupLeft(dir); err != nil || got != 700 {
		t.Errorf("cgroupLeft = %d, %v; expected 700", got, err)
	}
	os.WriteFile(filepath.Join(dir, "memory.max"), []byte("max\n"), 0o644)
	if _, err := cgroupLeft(dir); err == nil {
		t.Error("cgroupLeft of an unlimited cgroup: no error")
	}
	if b, ok := Available(); ok && b == 0 {
		t.Error("Available: 0 bytes on a machine running this test")
	}
}

func TestFormat(t *testing.T) {
	for _, c := range []struct {
		n    float64
		want string
	}{{512, "512 bytes"}, {1536, "1.5 KiB"}, {3 << 30, "3 GiB"}} {
		if got := Format(c.n); got != c.want {
			t.Errorf("Format(%g) = %q, expected %q", c.n, got, c.want)
		}
	}
}
