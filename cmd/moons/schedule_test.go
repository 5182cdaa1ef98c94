package main

import (
	"io"
	"testing"
)

func TestNSFDefaultFinalRate(t *testing.T) {
	for _, c := range []struct {
		args []string
		want float64
	}{
		{[]string{"-flow", "nsf"}, nsfFinalRate},
		{[]string{"-flow", "nsf", "-lr-final", "0"}, 0},
		{[]string{"-flow", "nsf", "-lr-final", "1e-4"}, 1e-4},
		{[]string{"-flow", "maf"}, 0},
		{nil, 0},
	} {
		o, err := parse(c.args, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		if o.lrFinal != c.want {
			t.Errorf("moons %v: final learning rate %g, want %g", c.args, o.lrFinal, c.want)
		}
	}
}
