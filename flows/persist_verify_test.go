package flows

import (
	"bytes"
	"strings"
	"testing"
)

// TestSaveRefusesAForeignSpec saves models with specs that build the same
// parameter names and shapes but another model: Save must refuse, writing
// nothing, where Load would otherwise build a different model.
func TestSaveRefusesAForeignSpec(t *testing.T) {
	base := Spec{Kind: "maf", EventSize: 3, Layers: 2, Hidden: []int{8}, Activation: "relu", Seed: 4}
	model, err := Build(base)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name    string
		edit    func(*Spec)
		refused bool
	}{
		{"activation", func(s *Spec) { s.Activation = "tanh" }, true},
		{"scale function", func(s *Spec) { s.Scale = "exp" }, true},
		// The seed sets only initial values, which the file replaces by the
		// model's: the reloaded model is the same one, and Save accepts it.
		{"seed", func(s *Spec) { s.Seed = 5 }, false},
	} {
		s := base
		c.edit(&s)
		var b bytes.Buffer
		err := Save(&b, s, model)
		switch {
		case !c.refused && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.refused && (err == nil || !strings.Contains(err.Error(), "the spec does not describe the model")):
			t.Errorf("%s: Save error %v, expected one saying the spec does not describe the model", c.name, err)
		case c.refused && b.Len() != 0:
			t.Errorf("%s: Save wrote %d bytes with its error", c.name, b.Len())
		}
	}
	var b bytes.Buffer
	if err := Save(&b, base, model); err != nil {
		t.Fatalf("the model's own spec: %v", err)
	}
}
