package dist

import (
	"fmt"

	"github.com/nflowgo/nflow/bijectors"
)

// Brief names d in a few words for error messages, where its full String
// (every layer of a deep flow) would bury the problem: a
// TransformedDistribution is "flow on D=2: MaskedAutoregressiveFlow×3,
// Permute×2" (see bijectors.Brief); anything else is its String, cut to 80
// bytes.
func Brief(d Distribution) string {
	t, ok := d.(*TransformedDistribution)
	if !ok || t.Bijector == nil {
		return bijectors.Cut(fmt.Sprint(d))
	}
	return fmt.Sprintf("flow on D=%d: %s", t.EventSize(), bijectors.Brief(t.Bijector))
}
