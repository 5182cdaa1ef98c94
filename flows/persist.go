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

	"github.com/nflowgo/nflow/bijectors"
	"github.com/nflowgo/nflow/dist"
	"github.com/nflowgo/nflow/internal/outfile"
	"gorgonia.org/tensor"
)

// A model file holds a Spec and the values of every parameter and state
// tensor of the model it builds. All integers are little-endian; offsets
// are in bytes from the start of the file.
//
//	offset  size  field
//	0       8     magic "\x89NFLOW\r\n"
//	8       4     format version, uint32 (1)
//	12      8     file length in bytes, uint64, checksum included
//	20      4     spec length L, uint32 (1 <= L <= 1 MiB)
//	24      L     the normalized Spec as JSON
//	24+L    1     dtype: 1 float32, 2 float64 (must agree with the Spec)
//	25+L    1     flags: bit 0 set if the model's data-dependent
//	              initialisation had run; other bits zero
//	26+L    2     reserved, zero
//	28+L    4     parameter count P, uint32
//	...           P tensor records, in the order of model.Params()
//	...     4     state tensor count S, uint32
//	...           S tensor records, in the order of the state walk
//	end-4   4     CRC-32C (Castagnoli) of every byte before it
//
// A tensor record is
//
//	2      name length n, uint16 (<= 1024)
//	n      name, UTF-8
//	1      rank r (<= 8)
//	4·r    dimensions, uint32 each
//	k·Πd   values, IEEE-754 little-endian, k = 4 (float32) or 8 (float64)
//
// The values are the raw bits of the tensors, so a reloaded model computes
// bit-identical log-densities and samples.
const (
	magic         = "\x89NFLOW\r\n"
	formatVersion = 1
	headerSize    = 20 // magic, version, length
	maxSpecSize   = 1 << 20
	maxNameSize   = 1024
	maxRank       = 8
	checksumSize  = 4

	dtypeFloat32 = 1
	dtypeFloat64 = 2

	flagDataInitialized = 1 << 0
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// FormatError reports a model file that Load cannot read: not a model
// file, truncated, corrupt, of an unknown version, or not matching the
// model its Spec builds.
type FormatError struct {
	Name   string // Name is the path given to LoadFile, or "" for Load.
	Offset int64  // Offset is the byte offset of the fault, or -1 when no one byte is at fault.
	Err    error  // Err describes the problem.
}

// Error implements the error interface. The message has the form
//
//	flows: NAME: offset OFFSET: PROBLEM
//
// with the name and the offset left out when they are unknown.
func (e *FormatError) Error() string {
	s := "flows: "
	if e.Name != "" {
		s += e.Name + ": "
	}
	if e.Offset >= 0 {
		s += fmt.Sprintf("offset %d: ", e.Offset)
	}
	return s + e.Err.Error()
}

// Unwrap returns the underlying problem.
func (e *FormatError) Unwrap() error { return e.Err }

func formatErr(off int64, format string, args ...any) *FormatError {
	return &FormatError{Offset: off, Err: fmt.Errorf(format, args...)}
}

// stateful is a bijector (or distribution) with non-trainable tensors
// that belong to a fitted model, such as BatchNormalization's running
// statistics.
type stateful interface {
	State() []*bijectors.Param
}

// marksInitialized is a DataInitializer whose initialised flag can be set
// without data, as Load does for a model saved after its data-dependent
// initialisation.
type marksInitialized interface {
	SetInitialized(bool)
}

// stateOf returns the state tensors of model: those of the base, then of
// every bijector met walking model.Bijector (see walkBijectors), each
// tensor once, in the order first met.
func stateOf(model *dist.TransformedDistribution) []*bijectors.Param {
	var out []*bijectors.Param
	seen := map[*bijectors.Param]bool{}
	add := func(v any) {
		if s, ok := v.(stateful); ok {
			for _, p := range s.State() {
				if p != nil && !seen[p] {
					seen[p] = true
					out = append(out, p)
				}
			}
		}
	}
	add(model.Base)
	walkBijectors(model.Bijector, func(b bijectors.Bijector) { add(b) })
	return out
}

// walkBijectors calls f on b and, depth-first, on every bijector b
// contains: the members of a ChainBijector, the B of an InvertBijector,
// and the members of any composite with a Bijectors() method (a GlowStep).
func walkBijectors(b bijectors.Bijector, f func(bijectors.Bijector)) {
	if b == nil {
		return
	}
	f(b)
	switch v := b.(type) {
	case *bijectors.ChainBijector:
		for _, m := range v.Bijectors {
			walkBijectors(m, f)
		}
	case *bijectors.InvertBijector:
		walkBijectors(v.B, f)
	case interface{ Bijectors() []bijectors.Bijector }:
		for _, m := range v.Bijectors() {
			walkBijectors(m, f)
		}
	}
}

// Save writes the model built from spec, with its current parameter and
// state values, to w in the format described above. It returns an error,
// writing nothing, if spec is invalid, if model is nil, if its dtype differs
// from spec's, if its parameters or state do not match (in number, name or
// shape) those of Build(spec), if a value is NaN or infinite, if the file
// would not load back (Load's checks), or if the model Load would build
// computes a different log-density: Save loads what it wrote and compares
// the two models' log-densities at a few fixed points, bit for bit, so a
// spec that differs from the model only in its activation, scale function
// or another setting that leaves the shapes alone is refused too.
func Save(w io.Writer, spec Spec, model *dist.TransformedDistribution) error {
	buf, err := encode(spec, model)
	if err != nil {
		return err
	}
	if _, err := w.Write(buf); err != nil {
		return fmt.Errorf("flows: Save: %w", err)
	}
	return nil
}

// SaveFile writes the model to the file at path as Save does. It writes a
// temporary file in the target's folder and renames it over the target, so
// path holds either the old contents or the complete new model, never a
// partial one. A symbolic link is followed to its target; a target that
// is a folder, a device node or a read-only file (by its mode bits) is an
// error, and so is a folder that may not be written. A new file gets
// permissions 0644, a replaced one keeps its own.
func SaveFile(path string, spec Spec, model *dist.TransformedDistribution) error {
	buf, err := encode(spec, model)
	if err != nil {
		return err
	}
	if err := outfile.WriteFile(path, buf); err != nil {
		return fmt.Errorf("flows: SaveFile: %w", err)
	}
	return nil
}

// encode returns the file contents of the model.
func encode(spec Spec, model *dist.TransformedDistribution) ([]byte, error) {
	spec, err := spec.Normalize()
	if err != nil {
		return nil, fmt.Errorf("flows: Save: %w", err)
	}
	if model == nil || model.Base == nil || model.Bijector == nil {
		return nil, errors.New("flows: Save: model is nil or incomplete")
	}
	if model.DType() != spec.Dtype() {
		return nil, fmt.Errorf("flows: Save: model dtype %v, spec dtype %s", model.DType(), spec.DType)
	}
	if model.EventSize() != spec.EventSize {
		return nil, fmt.Errorf("flows: Save: model event size %d, spec event size %d", model.EventSize(), spec.EventSize)
	}
	ref, err := Build(spec)
	if err != nil {
		return nil, fmt.Errorf("flows: Save: %w", err)
	}
	params, state := model.Params(), stateOf(model)
	if err := sameLayout("parameter", params, ref.Params()); err != nil {
		return nil, fmt.Errorf("flows: Save: the model does not match its spec: %w", err)
	}
	if err := sameLayout("state tensor", state, stateOf(ref)); err != nil {
		return nil, fmt.Errorf("flows: Save: the model does not match its spec: %w", err)
	}
	js, err := json.Marshal(spec)
	if err != nil {
		return nil, fmt.Errorf("flows: Save: spec: %w", err)
	}
	if len(js) > maxSpecSize {
		return nil, fmt.Errorf("flows: Save: spec is %d bytes of JSON, the format allows %d", len(js), maxSpecSize)
	}

	var b bytes.Buffer
	b.WriteString(magic)
	le := binary.LittleEndian
	b.Write(le.AppendUint32(nil, formatVersion))
	b.Write(make([]byte, 8)) // length, filled in below
	b.Write(le.AppendUint32(nil, uint32(len(js))))
	b.Write(js)
	code := byte(dtypeFloat32)
	if spec.Dtype() == tensor.Float64 {
		code = dtypeFloat64
	}
	var flags byte
	if !bijectors.NeedsDataInit(model.Bijector) {
		flags |= flagDataInitialized
	}
	b.Write([]byte{code, flags, 0, 0})
	for _, group := range []struct {
		what string
		ps   []*bijectors.Param
	}{{"parameter", params}, {"state tensor", state}} {
		b.Write(le.AppendUint32(nil, uint32(len(group.ps))))
		for i, p := range group.ps {
			if err := writeRecord(&b, p); err != nil {
				return nil, fmt.Errorf("flows: Save: %s %d (%s): %w", group.what, i, p.Name, err)
			}
		}
	}
	out := b.Bytes()
	le.PutUint64(out[12:20], uint64(len(out)+checksumSize))
	out = le.AppendUint32(out, crc32.Checksum(out, castagnoli))
	if err := verifyReload(out, model); err != nil {
		return nil, fmt.Errorf("flows: Save: %w", err)
	}
	return out, nil
}

// sameLayout checks that got and want have the same names and shapes.
func sameLayout(what string, got, want []*bijectors.Param) error {
	if len(got) != len(want) {
		return fmt.Errorf("%d %ss, expected %d", len(got), what, len(want))
	}
	for i, p := range got {
		q := want[i]
		if p == nil || p.Value == nil {
			return fmt.Errorf("%s %d is nil", what, i)
		}
		if p.Name != q.Name {
			return fmt.Errorf("%s %d is named %q, expected %q", what, i, p.Name, q.Name)
		}
		if !p.Value.Shape().Eq(q.Value.Shape()) {
			return fmt.Errorf("%s %d (%s) has shape %v, expected %v", what, i, p.Name, p.Value.Shape(), q.Value.Shape())
		}
		if p.Value.Dtype() != q.Value.Dtype() {
			return fmt.Errorf("%s %d (%s) has dtype %v, expected %v", what, i, p.Name, p.Value.Dtype(), q.Value.Dtype())
		}
	}
	return nil
}

// writeRecord appends the tensor record of p to b.
func writeRecord(b *bytes.Buffer, p *bijectors.Param) error {
	if len(p.Name) > maxNameSize {
		return fmt.Errorf("name is %d bytes, the format allows %d", len(p.Name), maxNameSize)
	}
	shape := p.Value.Shape()
	if len(shape) > maxRank {
		return fmt.Errorf("rank %d, the format allows %d", len(shape), maxRank)
	}
	le := binary.LittleEndian
	b.Write(le.AppendUint16(nil, uint16(len(p.Name))))
	b.WriteString(p.Name)
	b.WriteByte(byte(len(shape)))
	for _, d := range shape {
		if d < 0 || int64(d) > math.MaxUint32 {
			return fmt.Errorf("dimension %d out of range", d)
		}
		b.Write(le.AppendUint32(nil, uint32(d)))
	}
	var raw []byte
	switch v := p.Value.Data().(type) {
	case []float32:
		raw = make([]byte, 0, 4*len(v))
		for i, x := range v {
			if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
				return fmt.Errorf("element %d is %v, expected a finite value", i, x)
			}
			raw = le.AppendUint32(raw, math.Float32bits(x))
		}
	case []float64:
		raw = make([]byte, 0, 8*len(v))
		for i, x := range v {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return fmt.Errorf("element %d is %v, expected a finite value", i, x)
			}
			raw = le.AppendUint64(raw, math.Float64bits(x))
		}
	default:
		return fmt.Errorf("dtype %v, expected float32 or float64", p.Value.Dtype())
	}
	n := 1
	for _, d := range shape {
		n *= d
	}
	if len(raw) != n*elemSize(p.Value.Dtype()) {
		return fmt.Errorf("%d values for shape %v", p.Value.Len(), shape)
	}
	b.Write(raw)
	return nil
}

// elemSize is the size in bytes of one value of dtype dt.
func elemSize(dt tensor.Dtype) int {
	if dt == tensor.Float64 {
		return 8
	}
	return 4
}
