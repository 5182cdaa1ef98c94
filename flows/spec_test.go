package flows

import (
	"strings"
	"testing"
)

func TestBuildIsDeterministic(t *testing.T) {
	for _, kind := range []string{"maf", "iaf"} {
		s := Spec{Kind: kind, EventSize: 3, Layers: 2, Hidden: []int{8}, Seed: 4}
		a, err := Build(s)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := Build(s)
		for i, p := range a.Params() {
			q := b.Params()[i]
			for j, v := range p.Value.Float32s() {
				if q.Value.Float32s()[j] != v {
					t.Fatalf("%s: parameter %s differs between two builds", kind, p.Name)
				}
			}
		}
	}
}

func TestSpecErrors(t *testing.T) {
	for _, c := range []struct {
		s    Spec
		want string
	}{
		{Spec{Kind: "maf"}, "event size 0"},
		{Spec{Kind: "nope", EventSize: 2}, "unknown kind"},
		{Spec{Kind: "maf", EventSize: 2, DType: "int"}, "dtype"},
		{Spec{Kind: "maf", EventSize: 2, Hidden: []int{0}}, "hidden layer 0"},
		{Spec{Kind: "maf", EventSize: 2, Activation: "swish"}, "unknown activation"},
	} {
		if _, err := Build(c.s); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: error %v, want %q", c.s, err, c.want)
		}
	}
}
