// Package cliflag holds flag parsing shared by the command-line programs.
package cliflag

import (
	"fmt"
	"strconv"
	"strings"
)

// PositiveInts parses a comma-separated list of positive integers such as
// "128,128", naming the first entry that is not one.
func PositiveInts(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || v < 1 {
			return nil, fmt.Errorf("%q is not a positive integer", strings.TrimSpace(f))
		}
		out = append(out, v)
	}
	return out, nil
}
