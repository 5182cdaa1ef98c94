package flows_test

import (
	"fmt"
	"log"
	"slices"

	"github.com/nflowgo/nflow/bijectors"
	"github.com/nflowgo/nflow/flows"
)

func ExampleBuilder() {
	// A Builder turns a Spec into a bijector; Register makes it a kind.
	var reversed flows.Builder = func(s flows.Spec) (bijectors.Bijector, error) {
		perm := make([]int, s.EventSize)
		for i := range perm {
			perm[i] = s.EventSize - 1 - i
		}
		return bijectors.Permute(perm)
	}
	if !slices.Contains(flows.Kinds(), "example-reverse") { // registering twice panics
		flows.Register("example-reverse", reversed)
	}
	m, err := flows.Build(flows.Spec{Kind: "example-reverse", EventSize: 3})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(m.Bijector)
	// Output:
	// Permute([2 1 0])
}
