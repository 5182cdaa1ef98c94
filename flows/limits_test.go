package flows

import (
	"strings"
	"testing"

	"github.com/nflowgo/nflow/internal/sysmem"
)

// TestLimits checks that a spec beyond a limit, or too large for memory,
// is refused by Normalize or Build before anything is allocated (a build
// that tried would run out of memory instead).
func TestLimits(t *testing.T) {
	deep := make([]int, MaxHiddenDepth+1)
	for i := range deep {
		deep[i] = 8
	}
	wide := make([]int, MaxHiddenDepth)
	for i := range wide {
		wide[i] = MaxHiddenUnits
	}
	_, known := sysmem.Available()
	for _, c := range []struct {
		name string
		s    Spec
		want string
	}{
		{"hidden units", Spec{Kind: "maf", EventSize: 2, Hidden: []int{100000000}}, "hidden layer 0 has 100000000 units, the limit is 65536"},
		{"hidden units just over", Spec{Kind: "maf", EventSize: 2, Hidden: []int{8, MaxHiddenUnits + 1}}, "hidden layer 1 has 65537 units"},
		{"hidden depth", Spec{Kind: "maf", EventSize: 2, Hidden: deep}, "65 hidden layers, the limit is 64"},
		{"layers", Spec{Kind: "maf", EventSize: 2, Layers: MaxLayers + 4}, "4100 layers, the limit is 4096"},
		{"event size", Spec{Kind: "maf", EventSize: MaxEventSize + 1, Hidden: []int{1}}, "event size 16385, the limit is 16384"},
		{"context size", Spec{Kind: "maf", EventSize: 2, ContextSize: MaxEventSize + 1}, "context size 16385"},
		{"bins", Spec{Kind: "nsf", EventSize: 2, Bins: MaxBins + 1}, "4097 bins"},
		{"memory", Spec{Kind: "maf", EventSize: 2, Layers: MaxLayers, Hidden: wide}, "of memory is available"},
	} {
		if c.name == "memory" && !known {
			t.Log("the available memory is unknown here; the memory case is not run")
			continue
		}
		m, err := Build(c.s)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: Build error %v, expected one containing %q", c.name, err, c.want)
		}
		if m != nil {
			t.Errorf("%s: Build returned a model with its error", c.name)
		}
	}
}
