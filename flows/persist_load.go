package flows

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"
	"strings"

	"github.com/nflowgo/nflow/bijectors"
	"github.com/nflowgo/nflow/dist"
)

// A Spec read from a file whose estimated parameter count (paramEstimate)
// exceeds specSlackFactor·(values in the file) + specSlackValues is
// rejected before Build, beyond the limits every Spec obeys (limits.go).
// The estimate over-counts real models by far less than 256 unless the
// conditioner is much narrower than the event (say a MAF of D = 8192 with 8
// hidden units).
const (
	specSlackFactor = 256
	specSlackValues = 1 << 20
	minFileSize     = headerSize + 4 + 1 + 4 + 4 + 4 + checksumSize
)

// Load reads a model written by Save from r: it checks the header, the
// length and the checksum, rebuilds the model with Build(spec) and copies
// every parameter and state value into it, checking their number, names
// and shapes. It reads exactly the bytes the header declares.
//
// Every problem is a *FormatError naming it, with the byte offset where
// one byte is at fault: not a model file, an unknown format version, a
// truncated file, a checksum mismatch, a spec that is invalid, of an
// unknown kind or implausibly large for the values the file holds, a
// tensor record that claims more bytes than remain, and parameters or
// state tensors that differ in number, name or shape from the model the
// spec builds. Sizes are checked against the bytes actually read before
// anything is allocated for them, and the spec's estimated size against
// the values the file holds before Build runs.
//
// A model saved after its data-dependent initialisation (ActNorm) is marked
// initialised again if its initialisers have a SetInitialized(bool) method.
func Load(r io.Reader) (Spec, *dist.TransformedDistribution, error) {
	buf, err := readModel(r)
	if err != nil {
		return Spec{}, nil, err
	}
	return decode(buf)
}

// LoadFile reads the model in the file at path, as Load does, naming the
// file in its errors. It is an error for the file to hold bytes after the
// model.
func LoadFile(path string) (Spec, *dist.TransformedDistribution, error) {
	f, err := os.Open(path)
	if err != nil {
		return Spec{}, nil, fmt.Errorf("flows: LoadFile: %w", err)
	}
	defer f.Close()
	named := func(err error) error {
		var fe *FormatError
		if errors.As(err, &fe) {
			fe.Name = path
			return fe
		}
		return fmt.Errorf("flows: %s: %w", path, err)
	}
	buf, err := readModel(f)
	if err != nil {
		return Spec{}, nil, named(err)
	}
	var one [1]byte
	if n, _ := f.Read(one[:]); n > 0 {
		return Spec{}, nil, named(formatErr(int64(len(buf)), "unexpected data after the %d bytes of the model", len(buf)))
	}
	s, m, err := decode(buf)
	if err != nil {
		return Spec{}, nil, named(err)
	}
	return s, m, nil
}

// readModel reads the header and the rest of the file it declares, and
// checks the checksum.
func readModel(r io.Reader) ([]byte, error) {
	head := make([]byte, headerSize)
	n, err := io.ReadFull(r, head)
	switch {
	case n == 0 && errors.Is(err, io.EOF):
		return nil, formatErr(0, "empty input, expected a model file")
	case n < len(magic) && !strings.HasPrefix(magic, string(head[:n])) || n >= len(magic) && string(head[:len(magic)]) != magic:
		return nil, formatErr(0, "not an nflow model file: it starts with %q, expected %q", head[:min(n, len(magic))], magic)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return nil, formatErr(int64(n), "truncated: the file ends inside its %d-byte header", headerSize)
	case err != nil:
		return nil, fmt.Errorf("flows: reading the header: %w", err)
	}
	le := binary.LittleEndian
	if v := le.Uint32(head[8:]); v != formatVersion {
		return nil, formatErr(8, "unsupported format version %d; this build reads version %d", v, formatVersion)
	}
	size := le.Uint64(head[12:])
	if size < minFileSize || size > math.MaxInt64/2 {
		return nil, formatErr(12, "implausible file length %d in the header (at least %d)", size, minFileSize)
	}
	// io.ReadAll grows its buffer with the data actually read, so a length
	// that lies costs nothing.
	rest, err := io.ReadAll(io.LimitReader(r, int64(size)-headerSize))
	if err != nil {
		return nil, fmt.Errorf("flows: reading the model: %w", err)
	}
	buf := append(head, rest...)
	if uint64(len(buf)) < size {
		return nil, formatErr(int64(len(buf)), "truncated: the file ends after %d bytes, its header declares %d", len(buf), size)
	}
	body := buf[:len(buf)-checksumSize]
	if got, want := crc32.Checksum(body, castagnoli), le.Uint32(buf[len(body):]); got != want {
		return nil, formatErr(int64(len(body)), "checksum mismatch: stored %#08x, computed %#08x; the file is corrupt", want, got)
	}
	return buf, nil
}

// cursor reads the fields of a checked file body.
type cursor struct {
	b   []byte // the body, without the checksum
	off int
}

func (c *cursor) left() int { return len(c.b) - c.off }

func (c *cursor) next(n int, what string) ([]byte, error) {
	if n < 0 || n > c.left() {
		return nil, formatErr(int64(c.off), "%s needs %d bytes, %d remain before the checksum", what, n, c.left())
	}
	c.off += n
	return c.b[c.off-n : c.off], nil
}

func (c *cursor) uint(size int, what string) (uint64, error) {
	b, err := c.next(size, what)
	if err != nil {
		return 0, err
	}
	switch size {
	case 1:
		return uint64(b[0]), nil
	case 2:
		return uint64(binary.LittleEndian.Uint16(b)), nil
	}
	return uint64(binary.LittleEndian.Uint32(b)), nil
}

// record is a tensor record: its offset, name, shape and raw values.
type record struct {
	off    int
	name   string
	shape  []int
	values []byte
}

// record reads the next tensor record, whose values are k bytes each.
func (c *cursor) record(what string, k int) (record, error) {
	rec := record{off: c.off}
	n, err := c.uint(2, what+" name length")
	if err != nil {
		return rec, err
	}
	if n > maxNameSize {
		return rec, formatErr(int64(rec.off), "%s name is %d bytes, the format allows %d", what, n, maxNameSize)
	}
	name, err := c.next(int(n), what+" name")
	if err != nil {
		return rec, err
	}
	rec.name = string(name)
	rank, err := c.uint(1, what+" rank")
	if err != nil {
		return rec, err
	}
	if rank > maxRank {
		return rec, formatErr(int64(c.off-1), "%s %q has rank %d, the format allows %d", what, rec.name, rank, maxRank)
	}
	count := uint64(1)
	limit := uint64(c.left()) / uint64(k) // the most values that can follow
	for i := 0; i < int(rank); i++ {
		d, err := c.uint(4, what+" dimension")
		if err != nil {
			return rec, err
		}
		rec.shape = append(rec.shape, int(d))
		if d > 0 && count > limit/d {
			return rec, formatErr(int64(c.off-4), "%s %q: shape %v holds more values than the %d bytes remaining", what, rec.name, rec.shape, c.left())
		}
		count *= d
	}
	rec.values, err = c.next(int(count)*k, fmt.Sprintf("%s %q (shape %v)", what, rec.name, rec.shape))
	return rec, err
}

// decode parses a checked file: a first pass checks the structure and
// counts the values, so that the spec can be judged before Build
// allocates; a second pass copies the values into the built model.
func decode(buf []byte) (Spec, *dist.TransformedDistribution, error) {
	c := &cursor{b: buf[:len(buf)-checksumSize], off: headerSize}
	n, err := c.uint(4, "spec length")
	if err != nil {
		return Spec{}, nil, err
	}
	if n == 0 || n > maxSpecSize {
		return Spec{}, nil, formatErr(headerSize, "spec length %d, expected 1 to %d bytes", n, maxSpecSize)
	}
	js, err := c.next(int(n), "spec")
	if err != nil {
		return Spec{}, nil, err
	}
	specOff := int64(headerSize + 4)
	spec, err := parseSpec(js)
	if err != nil {
		return Spec{}, nil, &FormatError{Offset: specOff, Err: err}
	}
	head, err := c.next(4, "dtype and flags")
	if err != nil {
		return Spec{}, nil, err
	}
	k := 4
	switch {
	case head[0] == dtypeFloat64:
		k = 8
	case head[0] != dtypeFloat32:
		return Spec{}, nil, formatErr(int64(c.off-4), "dtype code %d, expected %d (float32) or %d (float64)", head[0], dtypeFloat32, dtypeFloat64)
	}
	if (k == 8) != (spec.DType == "float64") {
		return Spec{}, nil, formatErr(int64(c.off-4), "dtype code %d disagrees with the spec's dtype %s", head[0], spec.DType)
	}
	if head[1]&^flagDataInitialized != 0 || head[2] != 0 || head[3] != 0 {
		return Spec{}, nil, formatErr(int64(c.off-3), "unknown flags %#x or reserved bytes %#x %#x set", head[1], head[2], head[3])
	}
	start := c.off

	// Pass 1: structure and size.
	values := 0
	for _, what := range []string{"parameter", "state tensor"} {
		count, err := c.uint(4, what+" count")
		if err != nil {
			return Spec{}, nil, err
		}
		if count > uint64(c.left()/3) { // a record takes at least 3 bytes
			return Spec{}, nil, formatErr(int64(c.off-4), "%s count %d is implausible for the %d bytes remaining", what, count, c.left())
		}
		for i := 0; i < int(count); i++ {
			rec, err := c.record(fmt.Sprintf("%s %d", what, i), k)
			if err != nil {
				return Spec{}, nil, err
			}
			values += len(rec.values) / k
		}
	}
	if c.left() != 0 {
		return Spec{}, nil, formatErr(int64(c.off), "%d unexpected bytes after the state tensors", c.left())
	}
	if err := checkPlausible(spec, values); err != nil {
		return Spec{}, nil, &FormatError{Offset: specOff, Err: err}
	}
	model, err := Build(spec)
	if err != nil {
		return Spec{}, nil, &FormatError{Offset: specOff, Err: fmt.Errorf("spec: %s", strings.TrimPrefix(err.Error(), "flows: "))}
	}

	// Pass 2: copy the values in.
	c.off = start
	for _, group := range []struct {
		what string
		ps   []*bijectors.Param
	}{{"parameter", model.Params()}, {"state tensor", stateOf(model)}} {
		count, _ := c.uint(4, group.what+" count")
		if int(count) != len(group.ps) {
			return Spec{}, nil, formatErr(int64(c.off-4), "the file has %d %ss, the %s model of its spec has %d", count, group.what, spec.Kind, len(group.ps))
		}
		for i, p := range group.ps {
			rec, _ := c.record(group.what, k)
			if err := copyRecord(rec, p, k); err != nil {
				return Spec{}, nil, formatErr(int64(rec.off), "%s %d: %v", group.what, i, err)
			}
		}
	}
	if head[1]&flagDataInitialized != 0 {
		walkBijectors(model.Bijector, func(b bijectors.Bijector) {
			if di, ok := b.(bijectors.DataInitializer); ok && !di.Initialized() {
				if m, ok := b.(marksInitialized); ok {
					m.SetInitialized(true)
				}
			}
		})
	}
	return spec, model, nil
}

// parseSpec decodes and normalizes the spec JSON, refusing fields this
// build does not know.
func parseSpec(js []byte) (Spec, error) {
	var s Spec
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return s, fmt.Errorf("spec: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return s, errors.New("spec: unexpected data after the JSON object")
	}
	s, err := s.Normalize()
	if err != nil {
		return s, fmt.Errorf("spec: %s", strings.TrimPrefix(err.Error(), "flows: "))
	}
	return s, nil
}

// checkPlausible rejects a spec with more layers than the file holds
// values (every layer has at least one parameter), or whose estimated
// parameter count is far more than the file holds. Normalize has already
// applied the limits of every Spec.
func checkPlausible(s Spec, values int) error {
	if s.Layers > values {
		return fmt.Errorf("spec: %d layers, but the file holds only %d parameter values: implausible", s.Layers, values)
	}
	if est := paramEstimate(s); est > specSlackFactor*float64(values)+specSlackValues {
		return fmt.Errorf("spec: a %s model of this size has about %.3g parameter values, but the file holds %d: implausible", s.Kind, est, values)
	}
	return nil
}

// copyRecord checks rec against p and copies its values into p.
func copyRecord(rec record, p *bijectors.Param, k int) error {
	if rec.name != p.Name {
		return fmt.Errorf("named %q, the model's is %q", rec.name, p.Name)
	}
	want := p.Value.Shape()
	same := len(rec.shape) == len(want)
	for i := 0; same && i < len(want); i++ {
		same = rec.shape[i] == want[i]
	}
	if !same {
		return fmt.Errorf("%s has shape %v, the model's has shape %v", p.Name, rec.shape, []int(want))
	}
	le := binary.LittleEndian
	switch dst := p.Value.Data().(type) {
	case []float32:
		if k != 4 || len(dst)*k != len(rec.values) {
			return fmt.Errorf("%s: %d bytes of values for %d float32s", p.Name, len(rec.values), len(dst))
		}
		for i := range dst {
			v := math.Float32frombits(le.Uint32(rec.values[4*i:]))
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				return fmt.Errorf("%s: element %d is %v, expected a finite value", p.Name, i, v)
			}
			dst[i] = v
		}
	case []float64:
		if k != 8 || len(dst)*k != len(rec.values) {
			return fmt.Errorf("%s: %d bytes of values for %d float64s", p.Name, len(rec.values), len(dst))
		}
		for i := range dst {
			v := math.Float64frombits(le.Uint64(rec.values[8*i:]))
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("%s: element %d is %v, expected a finite value", p.Name, i, v)
			}
			dst[i] = v
		}
	default:
		return fmt.Errorf("%s has dtype %v, expected float32 or float64", p.Name, p.Value.Dtype())
	}
	return nil
}
