package flows

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"
)

// FuzzLoad feeds Load arbitrary bytes: it must never panic, and it must
// either return a *FormatError or a model that saves and reloads to the
// same bytes and values. Each input is tried as it is and again with its
// length and checksum fields made to match, so that mutations reach the
// parser rather than stopping at the checksum.
//
//	go test -run xxx -fuzz=FuzzLoad -fuzztime=5m ./flows
func FuzzLoad(f *testing.F) {
	for _, spec := range []Spec{
		{Kind: "maf", EventSize: 2, Layers: 1, Hidden: []int{4}, Seed: 1},
		{Kind: "iaf", EventSize: 3, Layers: 2, Hidden: []int{5, 3}, Activation: "tanh", Seed: 2, DType: "float64"},
		{Kind: testStatefulKind, EventSize: 2, Layers: 1, Hidden: []int{3}, Seed: 3},
	} {
		valid := saved(f, spec, perturbed(f, spec))
		f.Add(valid)
		f.Add(valid[:len(valid)/2])                     // truncated
		f.Add(valid[:headerSize-3])                     // truncated header
		f.Add(append(valid[:len(valid):len(valid)], 0)) // trailing byte
		flipped := append([]byte(nil), valid...)
		flipped[len(flipped)/3] ^= 0x10
		f.Add(flipped)         // bad checksum
		f.Add(reseal(flipped)) // corrupt, with a valid checksum
		version := append([]byte(nil), valid...)
		binary.LittleEndian.PutUint32(version[8:], 9)
		f.Add(version)
		huge := partsOf(f, spec, perturbed(f, spec))
		huge.params[0].shape = []uint32{1 << 30, 1 << 30}
		f.Add(huge.assemble())
		kind := partsOf(f, spec, perturbed(f, spec))
		kind.spec = bytes.Replace(kind.spec, []byte(`"kind":"`), []byte(`"kind":"x`), 1)
		f.Add(kind.assemble())
	}
	f.Add([]byte{})
	f.Add([]byte(magic))
	f.Add([]byte("x0,x1\n0.5,1.5\n"))

	f.Fuzz(func(t *testing.T, b []byte) {
		loadRoundTrip(t, b)
		loadRoundTrip(t, reseal(b))
	})
}

// loadRoundTrip loads b and, if it is a model, checks that saving and
// reloading it is exact.
func loadRoundTrip(t *testing.T, b []byte) {
	spec, m, err := Load(bytes.NewReader(b))
	if err != nil {
		var fe *FormatError
		if !errors.As(err, &fe) {
			t.Fatalf("error %v is a %T, expected a *FormatError", err, err)
		}
		if m != nil {
			t.Fatalf("a model came back with the error %v", err)
		}
		return
	}
	var out bytes.Buffer
	if err := Save(&out, spec, m); err != nil {
		t.Fatalf("a loaded model does not save: %v", err)
	}
	spec2, m2, err := Load(bytes.NewReader(out.Bytes()))
	if err != nil {
		t.Fatalf("a saved model does not load: %v", err)
	}
	sameValues(t, m, m2)
	var again bytes.Buffer
	if err := Save(&again, spec2, m2); err != nil || !bytes.Equal(again.Bytes(), out.Bytes()) {
		t.Fatalf("save, load, save is not exact (error %v)", err)
	}
}
