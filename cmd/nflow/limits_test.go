package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// TestModelLimits: a model that could be saved but never loaded, or that
// would not fit in memory, is refused before training, naming the limit.
func TestModelLimits(t *testing.T) {
	dir := t.TempDir()
	csv := moonsCSV(t, dir, 300)
	model := filepath.Join(dir, "model.nflow")
	deep := strings.TrimSuffix(strings.Repeat("4,", 65), ",")
	var wide strings.Builder
	wide.WriteString(strings.TrimSuffix(strings.Repeat("c,", 16385), ",") + "\n")
	for r := 0; r < 4; r++ {
		for c := 0; c < 16385; c++ {
			if c > 0 {
				wide.WriteByte(',')
			}
			fmt.Fprintf(&wide, "%d", (r+c)%7)
		}
		wide.WriteByte('\n')
	}
	wideCSV := writeFile(t, dir, "wide.csv", wide.String())
	huge := strings.TrimSuffix(strings.Repeat("65536,", 64), ",")
	for _, c := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"hidden 100000000", fitArgs(csv, model, "-hidden", "100000000"), 2, "hidden layer 0 has 100000000 units, the limit is 65536"},
		{"hidden 70000", fitArgs(csv, model, "-hidden", "70000"), 2, "hidden layer 0 has 70000 units, the limit is 65536"},
		{"65 hidden layers", fitArgs(csv, model, "-hidden", deep), 2, "65 hidden layers, the limit is 64"},
		{"layers 4100", fitArgs(csv, model, "-layers", "4100"), 2, "4100 layers, the limit is 4096"},
		{"16385 columns", fitArgs(wideCSV, model, "-hidden", "1", "-layers", "1"), 1, "event size 16385, the limit is 16384"},
		{"beyond memory", fitArgs(csv, model, "-hidden", huge, "-layers", "4096"), 1, "of memory is available"},
	} {
		code, _, stderr := nflow(c.args...)
		if code != c.code || !strings.Contains(stderr, c.want) {
			t.Errorf("%s: status %d, stderr %q; expected status %d and %q", c.name, code, stderr, c.code, c.want)
		}
		if strings.Contains(stderr, "epoch 1/") {
			t.Errorf("%s: trained before refusing", c.name)
		}
	}
}
