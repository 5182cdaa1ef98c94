// Package sysmem says how much memory this process may still allocate, so
// that a model too large for the machine is refused with a message rather
// than killed by the kernel part way through.
package sysmem

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Available returns the bytes of memory this process may still allocate:
// the smaller of MemAvailable in /proc/meminfo and, under a cgroup v2
// memory limit, memory.max less memory.current. ok is false where neither
// can be read (then nothing is known, and callers skip their check).
func Available() (bytes uint64, ok bool) {
	if v, err := memAvailable("/proc/meminfo"); err == nil {
		bytes, ok = v, true
	}
	if v, err := cgroupLeft("/sys/fs/cgroup"); err == nil && (!ok || v < bytes) {
		bytes, ok = v, true
	}
	return bytes, ok
}

// memAvailable reads the MemAvailable line of a meminfo file (in kB).
func memAvailable(path string) (uint64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 2 && fields[0] == "MemAvailable:" {
			kb, err := strconv.ParseUint(fields[1], 10, 64)
			return kb * 1024, err
		}
	}
	return 0, fmt.Errorf("sysmem: no MemAvailable in %s", path)
}

// cgroupLeft returns memory.max - memory.current of the cgroup v2 folder
// dir, or an error when there is no limit ("max") or no such files.
func cgroupLeft(dir string) (uint64, error) {
	read := func(name string) (uint64, error) {
		b, err := os.ReadFile(dir + "/" + name)
		if err != nil {
			return 0, err
		}
		return strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64)
	}
	limit, err := read("memory.max")
	if err != nil {
		return 0, err
	}
	used, err := read("memory.current")
	if err != nil {
		return 0, err
	}
	if used >= limit {
		return 0, nil
	}
	return limit - used, nil
}

// Format writes n bytes in the largest unit that keeps a number >= 1.
func Format(n float64) string {
	units := []string{"bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}
	i := 0
	for n >= 1024 && i < len(units)-1 {
		n /= 1024
		i++
	}
	if i == 0 {
		return fmt.Sprintf("%.0f bytes", n)
	}
	return fmt.Sprintf("%.3g %s", n, units[i])
}
