package flows

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/nflowgo/nflow/bijectors"
	"github.com/nflowgo/nflow/dist"
)

// rawRecord is a tensor record as the tests write it, free to be wrong.
type rawRecord struct {
	name    string
	nameLen int // -1: len(name)
	shape   []uint32
	values  []byte
}

// rawFile is a model file as the tests write it, free to be wrong;
// assemble fills in the length and the checksum.
type rawFile struct {
	version       uint32
	spec          []byte
	specLen       int // -1: len(spec)
	head          [4]byte
	params, state []rawRecord
	paramCount    int // -1: len(params)
	trailing      []byte
}

func partsOf(t testing.TB, spec Spec, m *dist.TransformedDistribution) *rawFile {
	t.Helper()
	spec, _ = spec.Normalize()
	js, _ := json.Marshal(spec)
	f := &rawFile{version: formatVersion, spec: js, specLen: -1, head: [4]byte{dtypeFloat32, 0, 0, 0}, paramCount: -1}
	if spec.DType == "float64" {
		f.head[0] = dtypeFloat64
	}
	if !bijectors.NeedsDataInit(m.Bijector) {
		f.head[1] = flagDataInitialized
	}
	records := func(m *dist.TransformedDistribution, state bool) []rawRecord {
		ps := m.Params()
		if state {
			ps = stateOf(m)
		}
		var out []rawRecord
		for _, p := range ps {
			var b bytes.Buffer
			if err := writeRecord(&b, p); err != nil {
				t.Fatal(err)
			}
			r := rawRecord{name: p.Name, nameLen: -1}
			for _, d := range p.Value.Shape() {
				r.shape = append(r.shape, uint32(d))
			}
			r.values = b.Bytes()[2+len(p.Name)+1+4*len(r.shape):]
			out = append(out, r)
		}
		return out
	}
	f.params, f.state = records(m, false), records(m, true)
	return f
}

func (f *rawFile) assemble() []byte {
	le := binary.LittleEndian
	b := []byte(magic)
	b = le.AppendUint32(b, f.version)
	b = le.AppendUint64(b, 0)
	n := f.specLen
	if n < 0 {
		n = len(f.spec)
	}
	b = le.AppendUint32(b, uint32(n))
	b = append(b, f.spec...)
	b = append(b, f.head[:]...)
	writeRecords := func(rs []rawRecord, count int) {
		if count < 0 {
			count = len(rs)
		}
		b = le.AppendUint32(b, uint32(count))
		for _, r := range rs {
			n := r.nameLen
			if n < 0 {
				n = len(r.name)
			}
			b = le.AppendUint16(b, uint16(n))
			b = append(b, r.name...)
			b = append(b, byte(len(r.shape)))
			for _, d := range r.shape {
				b = le.AppendUint32(b, d)
			}
			b = append(b, r.values...)
		}
	}
	writeRecords(f.params, f.paramCount)
	writeRecords(f.state, -1)
	b = append(b, f.trailing...)
	return reseal(append(b, 0, 0, 0, 0))
}

func TestAssembleMatchesSave(t *testing.T) {
	for _, kind := range []string{"maf", testStatefulKind} {
		spec := genericSpec(kind, "float64")
		m := perturbed(t, spec)
		if got, want := partsOf(t, spec, m).assemble(), saved(t, spec, m); !bytes.Equal(got, want) {
			t.Fatalf("%s: the test's file writer disagrees with Save", kind)
		}
	}
}

func TestLoadErrors(t *testing.T) {
	spec := genericSpec("maf", "float32")
	m := perturbed(t, spec)
	valid := saved(t, spec, m)
	le := binary.LittleEndian
	edit := func(f func(b []byte) []byte) []byte { return f(append([]byte(nil), valid...)) }
	part := func(f func(*rawFile)) []byte {
		p := partsOf(t, spec, m)
		f(p)
		return p.assemble()
	}
	specWith := func(f func(map[string]any)) []byte {
		return part(func(p *rawFile) {
			var v map[string]any
			json.Unmarshal(p.spec, &v)
			f(v)
			p.spec, _ = json.Marshal(v)
		})
	}
	nan := make([]byte, 4)
	le.PutUint32(nan, math.Float32bits(float32(math.NaN())))
	specEnd := int64(headerSize + 4 + len(partsOf(t, spec, m).spec))

	for _, c := range []struct {
		name   string
		file   []byte
		want   string
		offset int64 // -2: any
	}{
		// Framing, before the checksum can be trusted.
		{"empty", nil, "empty input", 0},
		{"not a model", []byte("x0,x1\n1,2\n3,4\n5,6\n7,8\n"), "not an nflow model file", 0},
		{"text-mode damage", append([]byte("\x89NFLOW\n"), valid[8:]...), "not an nflow model file", 0},
		{"short header", valid[:13], "ends inside its 20-byte header", 13},
		{"unknown version", edit(func(b []byte) []byte { le.PutUint32(b[8:], 2); return b }), "unsupported format version 2", 8},
		{"tiny length", edit(func(b []byte) []byte { le.PutUint64(b[12:], 7); return b }), "implausible file length 7", 12},
		{"huge length", edit(func(b []byte) []byte { le.PutUint64(b[12:], 1<<63); return b }), "implausible file length", 12},
		{"truncated", valid[:len(valid)-9], "truncated: the file ends after", int64(len(valid) - 9)},
		{"flipped bit", edit(func(b []byte) []byte { b[len(b)/2] ^= 4; return b }), "checksum mismatch", int64(len(valid) - 4)},
		{"bad checksum", edit(func(b []byte) []byte { b[len(b)-1]++; return b }), "checksum mismatch", int64(len(valid) - 4)},

		// Content, with a valid checksum.
		{"spec length 0", part(func(p *rawFile) { p.specLen = 0 }), "spec length 0", headerSize},
		{"spec length huge", part(func(p *rawFile) { p.specLen = maxSpecSize + 1 }), "spec length 1048577", headerSize},
		{"spec past the end", part(func(p *rawFile) { p.specLen = 1 << 19 }), "spec needs 524288 bytes", headerSize + 4},
		{"spec not JSON", part(func(p *rawFile) { p.spec[0] = '[' }), "spec: invalid character", headerSize + 4},
		{"spec trailing JSON", part(func(p *rawFile) { p.spec = append(p.spec, " {}"...) }), "after the JSON object", headerSize + 4},
		{"unknown field", specWith(func(v map[string]any) { v["colour"] = "blue" }), `unknown field "colour"`, headerSize + 4},
		{"unknown kind", specWith(func(v map[string]any) { v["kind"] = "nope" }), `unknown kind "nope"`, headerSize + 4},
		{"invalid spec", specWith(func(v map[string]any) { v["layers"] = -1 }), "-1 layers", headerSize + 4},
		{"event size huge", specWith(func(v map[string]any) { v["event_size"] = 1 << 20 }), "event size 1048576", headerSize + 4},
		{"event wide", specWith(func(v map[string]any) { v["event_size"] = 16000; v["hidden"] = []int{1} }), "has about 1.12e+06 parameter values, but the file holds 264: implausible", headerSize + 4},
		{"layers many", specWith(func(v map[string]any) { v["layers"] = 1000 }), "1000 layers, but the file holds only 264 parameter values", headerSize + 4},
		{"hidden huge", specWith(func(v map[string]any) { v["hidden"] = []int{60000, 60000} }), "implausible", headerSize + 4},
		{"bins negative", specWith(func(v map[string]any) { v["bins"] = -3 }), "-3 bins", headerSize + 4},
		{"spec disagrees with records", specWith(func(v map[string]any) { v["layers"] = 3 }), "the file has 12 parameters, the maf model of its spec has 18", -2},
		{"dtype code", part(func(p *rawFile) { p.head[0] = 3 }), "dtype code 3", specEnd},
		{"dtype disagrees", part(func(p *rawFile) { p.head[0] = dtypeFloat64 }), "disagrees with the spec's dtype float32", specEnd},
		{"unknown flag", part(func(p *rawFile) { p.head[1] = 0x80 }), "unknown flags 0x80", specEnd + 1},
		{"reserved", part(func(p *rawFile) { p.head[3] = 1 }), "reserved", specEnd + 1},
		{"count huge", part(func(p *rawFile) { p.paramCount = 1 << 31 }), "parameter count 2147483648 is implausible", specEnd + 4},
		{"missing parameter", part(func(p *rawFile) { p.params = p.params[1:]; p.paramCount = 12 }), "needs 4 bytes, 1 remain", -2},
		{"one parameter short", part(func(p *rawFile) { p.params = p.params[1:] }), "the file has 11 parameters", specEnd + 4},
		{"extra state", part(func(p *rawFile) { p.state = append(p.state, p.params[0]) }), "the file has 1 state tensors, the maf model of its spec has 0", -2},
		{"wrong name", part(func(p *rawFile) { p.params[2].name = "made/W9" }), `parameter 2: named "made/W9", the model's is "made/W1"`, -2},
		{"wrong shape", part(func(p *rawFile) { s := p.params[0].shape; s[0], s[1] = s[1], s[0] }), "made/W0 has shape [8 2], the model's has shape [2 8]", -2},
		{"wrong rank", part(func(p *rawFile) { p.params[1].shape = append(p.params[1].shape, 1) }), "has shape [8 1]", -2},
		{"huge shape", part(func(p *rawFile) { p.params[0].shape = []uint32{1 << 31, 1 << 31} }), "holds more values than the", -2},
		{"huge dimension", part(func(p *rawFile) { p.params[0].shape = []uint32{0xffffffff} }), "holds more values than the", -2},
		{"zero then huge", part(func(p *rawFile) { p.params[0].shape = []uint32{0, 0xffffffff, 0xffffffff}; p.params[0].values = nil }), "has shape [0 4294967295 4294967295]", -2},
		{"rank 9", part(func(p *rawFile) { p.params[0].shape = make([]uint32, 9) }), "rank 9", -2},
		{"long name", part(func(p *rawFile) { p.params[0].nameLen = 5000 }), "name is 5000 bytes", specEnd + 4 + 4},
		{"name past the end", part(func(p *rawFile) { p.state = nil; p.params = p.params[:1]; p.params[0].nameLen = 1000 }), "name needs 1000 bytes", -2},
		{"NaN value", part(func(p *rawFile) { copy(p.params[4].values[8:], nan) }), "element 2 is NaN", -2},
		{"trailing bytes", part(func(p *rawFile) { p.trailing = []byte{1, 2, 3} }), "3 unexpected bytes after the state tensors", -2},
	} {
		_, model, err := Load(bytes.NewReader(c.file))
		var fe *FormatError
		switch {
		case err == nil:
			t.Errorf("%s: no error", c.name)
			continue
		case model != nil:
			t.Errorf("%s: a model came back with the error", c.name)
		case !errors.As(err, &fe):
			t.Errorf("%s: error %v is a %T, expected a *FormatError", c.name, err, err)
		case !strings.Contains(err.Error(), c.want):
			t.Errorf("%s: error %q, expected %q", c.name, err, c.want)
		case c.offset != -2 && fe.Offset != c.offset:
			t.Errorf("%s: error %q at offset %d, expected %d", c.name, err, fe.Offset, c.offset)
		}
	}
}

func TestFormatErrorMessage(t *testing.T) {
	for _, c := range []struct {
		e    FormatError
		want string
	}{
		{FormatError{Offset: -1, Err: errors.New("bad")}, "flows: bad"},
		{FormatError{Name: "m.nflow", Offset: 12, Err: errors.New("bad")}, "flows: m.nflow: offset 12: bad"},
	} {
		if got := c.e.Error(); got != c.want {
			t.Errorf("%q, expected %q", got, c.want)
		}
	}
}
