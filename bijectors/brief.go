package bijectors

import (
	"fmt"
	"strings"
)

// briefMax is the longest Brief name, in bytes, before it is cut.
const briefMax = 80

// Brief names b in a few words for error messages, where its full String
// (every layer of a deep flow) would bury the problem: for a ChainBijector
// the kinds of its members (each String up to its first parenthesis) with
// their counts, in order of first appearance ("MaskedAutoregressiveFlow×3,
// Permute×2"); for another bijector its String. The result is cut to 80
// bytes.
func Brief(b Bijector) string {
	c, ok := b.(*ChainBijector)
	if !ok {
		return Cut(fmt.Sprint(b))
	}
	members := c.Bijectors
	var kinds []string
	count := map[string]int{}
	for _, m := range members {
		k := fmt.Sprint(m)
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
	return Cut(strings.Join(kinds, ", "))
}

// Cut returns s, or its first 80 bytes and "…" when it is longer.
func Cut(s string) string {
	if len(s) <= briefMax {
		return s
	}
	return s[:briefMax] + "…"
}
