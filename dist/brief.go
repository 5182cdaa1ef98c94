package dist

import (
	"fmt"
	"strings"

	"github.com/nflowgo/nflow/bijectors"
)

// briefMax is the longest Brief name, in bytes, before it is cut.
const briefMax = 80

// Brief names d in a few words for error messages, where its full String
// (every layer of a deep flow) would bury the problem: a
// TransformedDistribution is "flow on D=2: MaskedAutoregressiveFlow×3,
// Permute×2", naming its bijectors' kinds with their counts in order of
// first appearance; anything else is its String, cut to 80 bytes.
func Brief(d Distribution) string {
	t, ok := d.(*TransformedDistribution)
	if !ok || t.Bijector == nil {
		return cut(fmt.Sprint(d))
	}
	members := []bijectors.Bijector{t.Bijector}
	if c, ok := t.Bijector.(*bijectors.ChainBijector); ok {
		members = c.Bijectors
	}
	var kinds []string
	count := map[string]int{}
	for _, b := range members {
		k := b.String()
		if i := strings.IndexByte(k, '('); i > 0 {
			k = k[:i]
		}
		if count[k] == 0 {
			kinds = append(kinds, k)
		}
		count[k]++
	}
	for i, k := range kinds {
		if count[k] > 1 {
			kinds[i] = fmt.Sprintf("%s×%d", k, count[k])
		}
	}
	return cut(fmt.Sprintf("flow on D=%d: %s", t.EventSize(), strings.Join(kinds, ", ")))
}

func cut(s string) string {
	if len(s) <= briefMax {
		return s
	}
	return s[:briefMax] + "…"
}
