package flows

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/nflowgo/nflow/bijectors"
	"github.com/nflowgo/nflow/dist"
	"gorgonia.org/tensor"
)

// testStatefulKind is a kind registered by the tests: a MAF pair whose
// members carry state tensors and a data-dependent initialisation, one
// of them inside an Invert, to exercise the generic state walk.
const testStatefulKind = "test-stateful"

func init() {
	Register(testStatefulKind, func(s Spec) (bijectors.Bijector, error) {
		a, err := newStatefulMAF(s, 0)
		if err != nil {
			return nil, err
		}
		b, err := newStatefulMAF(s, 1)
		if err != nil {
			return nil, err
		}
		return bijectors.Chain(bijectors.Invert(a), b)
	})
}

// statefulMAF is a MAF with two non-trainable tensors, as a
// BatchNormalization has, and an initialised flag, as an ActNorm has.
type statefulMAF struct {
	*bijectors.MaskedAutoregressiveFlow
	mean, counts *bijectors.Param
	initialized  bool
}

func newStatefulMAF(s Spec, i int) (*statefulMAF, error) {
	cfg := s.MADEConfig(2)
	cfg.Seed += uint64(i)
	net, err := bijectors.NewAutoregressiveNetwork(cfg)
	if err != nil {
		return nil, err
	}
	m, err := bijectors.NewMaskedAutoregressiveFlow(net, s.ScaleFn())
	if err != nil {
		return nil, err
	}
	d := s.EventSize
	return &statefulMAF{MaskedAutoregressiveFlow: m,
		mean:   &bijectors.Param{Name: "running_mean", Value: zeros(s.Dtype(), d)},
		counts: &bijectors.Param{Name: "counts", Value: zeros(s.Dtype(), 2, d)}}, nil
}

func zeros(dt tensor.Dtype, shape ...int) *tensor.Dense {
	return tensor.New(tensor.Of(dt), tensor.WithShape(shape...))
}

func (m *statefulMAF) State() []*bijectors.Param        { return []*bijectors.Param{m.mean, m.counts} }
func (m *statefulMAF) Initialized() bool                { return m.initialized }
func (m *statefulMAF) InitFromData(*tensor.Dense) error { m.initialized = true; return nil }
func (m *statefulMAF) SetInitialized(v bool)            { m.initialized = v }

// genericSpec is a 2-D spec every kind should build.
func genericSpec(kind, dtype string) Spec {
	return Spec{Kind: kind, EventSize: 2, Layers: 2, Hidden: []int{8, 8}, Activation: "tanh",
		Bins: 4, Bound: 3, Seed: 11, DType: dtype}
}

// perturbed builds spec and moves every parameter and state value off its
// initial value, so that a reload that copied nothing would show.
func perturbed(t testing.TB, spec Spec) *dist.TransformedDistribution {
	t.Helper()
	m, err := Build(spec)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(7, 9))
	for _, p := range append(m.Params(), stateOf(m)...) {
		switch v := p.Value.Data().(type) {
		case []float32:
			for i := range v {
				v[i] += float32(rng.NormFloat64() * 0.1)
			}
		case []float64:
			for i := range v {
				v[i] += rng.NormFloat64() * 0.1
			}
		}
	}
	return m
}

func saved(t testing.TB, spec Spec, m *dist.TransformedDistribution) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := Save(&b, spec, m); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// reseal sets the length field and the checksum of b to match its
// contents, so that a deliberately corrupted body reaches the parser.
func reseal(b []byte) []byte {
	b = append([]byte(nil), b...)
	if len(b) < headerSize+checksumSize {
		return b
	}
	binary.LittleEndian.PutUint64(b[12:], uint64(len(b)))
	body := b[:len(b)-checksumSize]
	binary.LittleEndian.PutUint32(b[len(body):], crc32.Checksum(body, castagnoli))
	return b
}

// bitsEqual reports whether two float tensors hold the same bits.
func bitsEqual(a, b *tensor.Dense) bool {
	switch x := a.Data().(type) {
	case []float32:
		y, ok := b.Data().([]float32)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if math.Float32bits(x[i]) != math.Float32bits(y[i]) {
				return false
			}
		}
		return true
	case []float64:
		y, ok := b.Data().([]float64)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if math.Float64bits(x[i]) != math.Float64bits(y[i]) {
				return false
			}
		}
		return true
	}
	return false
}

// sameValues checks that two models have bit-identical parameters and state.
func sameValues(t testing.TB, a, b *dist.TransformedDistribution) {
	t.Helper()
	pa, pb := append(a.Params(), stateOf(a)...), append(b.Params(), stateOf(b)...)
	if len(pa) != len(pb) {
		t.Fatalf("%d tensors, reloaded %d", len(pa), len(pb))
	}
	for i := range pa {
		if pa[i].Name != pb[i].Name || !bitsEqual(pa[i].Value, pb[i].Value) {
			t.Fatalf("tensor %d (%s) differs after reloading", i, pa[i].Name)
		}
	}
}

func batch(dt tensor.Dtype) *tensor.Dense {
	v := []float64{0.1, -0.4, 1.5, 0.25, -1, 2, 0.7, 0.7, -2.2, -0.3}
	if dt == tensor.Float64 {
		return tensor.New(tensor.WithShape(5, 2), tensor.WithBacking(v))
	}
	f := make([]float32, len(v))
	for i, x := range v {
		f[i] = float32(x)
	}
	return tensor.New(tensor.WithShape(5, 2), tensor.WithBacking(f))
}

// contextBatch is a context [5, c] for batch, or nil for c = 0.
func contextBatch(dt tensor.Dtype, c int) *tensor.Dense {
	if c == 0 {
		return nil
	}
	v := make([]float64, 5*c)
	for i := range v {
		v[i] = math.Sin(float64(3*i + 1))
	}
	if dt == tensor.Float64 {
		return tensor.New(tensor.WithShape(5, c), tensor.WithBacking(v))
	}
	f := make([]float32, len(v))
	for i, x := range v {
		f[i] = float32(x)
	}
	return tensor.New(tensor.WithShape(5, c), tensor.WithBacking(f))
}

// logProbAndSamples returns log p(x | c) and 5 samples given c (c nil:
// unconditional) drawn with a fixed seed.
func logProbAndSamples(t *testing.T, m *dist.TransformedDistribution, x, c *tensor.Dense) (*tensor.Dense, *tensor.Dense) {
	t.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	var lp, s *tensor.Dense
	var err error
	if c == nil {
		if lp, err = m.LogProb(x); err == nil {
			s, err = m.Sample(5, rng)
		}
	} else {
		if lp, err = dist.LogProbGiven(m, x, c); err == nil {
			s, err = dist.SampleGiven(m, 5, c, rng)
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	return lp, s
}

func TestSaveLoadRoundTrip(t *testing.T) {
	for _, kind := range Kinds() {
		for _, ctx := range []int{0, 3} {
			for _, dtype := range []string{"float32", "float64"} {
				t.Run(fmt.Sprintf("%s/context=%d/%s", kind, ctx, dtype), func(t *testing.T) {
					spec := genericSpec(kind, dtype)
					spec.ContextSize = ctx
					if m, err := Build(spec); err != nil {
						t.Skipf("kind %s does not build this generic 2-D spec: %v", kind, err)
					} else if dist.ContextSizeOf(m) != ctx {
						t.Skipf("kind %s is not conditional", kind)
					}
					m := perturbed(t, spec)
					file := saved(t, spec, m)
					got, m2, err := Load(bytes.NewReader(file))
					if err != nil {
						t.Fatal(err)
					}
					want, _ := spec.Normalize()
					if !reflect.DeepEqual(got, want) {
						t.Errorf("spec %+v, reloaded %+v", want, got)
					}
					sameValues(t, m, m2)
					x, c := batch(spec.Dtype()), contextBatch(spec.Dtype(), ctx)
					lp, s := logProbAndSamples(t, m, x, c)
					lp2, s2 := logProbAndSamples(t, m2, x, c)
					if !bitsEqual(lp, lp2) {
						t.Errorf("log_prob %v, reloaded %v", lp.Data(), lp2.Data())
					}
					if !bitsEqual(s, s2) {
						t.Errorf("samples %v, reloaded %v", s.Data(), s2.Data())
					}
					if again := saved(t, got, m2); !bytes.Equal(again, file) {
						t.Errorf("saving the reloaded model gives different bytes")
					}
				})
			}
		}
	}
}

// TestDataInitSurvivesReload: a model saved after its data-dependent
// initialisation (Glow's ActNorm) reloads initialised, so that training
// the reloaded model does not initialise it again over its values.
func TestDataInitSurvivesReload(t *testing.T) {
	for _, kind := range Kinds() {
		spec := genericSpec(kind, "float32")
		if _, err := Build(spec); err != nil {
			continue
		}
		m := perturbed(t, spec)
		if !bijectors.NeedsDataInit(m.Bijector) {
			continue
		}
		if err := m.InitFromData(batch(tensor.Float32)); err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		_, m2, err := Load(bytes.NewReader(saved(t, spec, m)))
		if err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		sameValues(t, m, m2)
		if a, b := bijectors.NeedsDataInit(m.Bijector), bijectors.NeedsDataInit(m2.Bijector); a != b {
			t.Errorf("%s: needs data init %v, reloaded %v", kind, a, b)
		}
	}
}

func TestStateAndDataInitSurviveReload(t *testing.T) {
	spec := genericSpec(testStatefulKind, "float64")
	m := perturbed(t, spec)
	st := stateOf(m)
	if len(st) != 4 {
		t.Fatalf("the state walk found %d tensors, expected 4 (two per member, through Invert)", len(st))
	}
	if !bijectors.NeedsDataInit(m.Bijector) {
		t.Fatal("a fresh model should need its data-dependent initialisation")
	}
	// Saved before initialisation: the reload still needs it.
	_, m2, err := Load(bytes.NewReader(saved(t, spec, m)))
	if err != nil {
		t.Fatal(err)
	}
	sameValues(t, m, m2)
	if !bijectors.NeedsDataInit(m2.Bijector) {
		t.Error("reloading a model saved before initialisation marked it initialised")
	}
	// Saved after: the reload is initialised, so a later Fit keeps its values.
	walkBijectors(m.Bijector, func(b bijectors.Bijector) {
		if s, ok := b.(*statefulMAF); ok {
			s.SetInitialized(true)
		}
	})
	_, m3, err := Load(bytes.NewReader(saved(t, spec, m)))
	if err != nil {
		t.Fatal(err)
	}
	sameValues(t, m, m3)
	if bijectors.NeedsDataInit(m3.Bijector) {
		t.Error("reloading an initialised model lost its initialisation")
	}
}

func TestSaveFileLoadFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "model.nflow")
	spec := genericSpec("maf", "float32")
	m := perturbed(t, spec)
	if err := SaveFile(path, spec, m); err != nil {
		t.Fatal(err)
	}
	if err := SaveFile(path, spec, m); err != nil { // overwrite
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("the folder holds %d files after SaveFile, expected 1 (no temporary left)", len(entries))
	}
	_, m2, err := LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sameValues(t, m, m2)

	b, _ := os.ReadFile(path)
	for _, c := range []struct {
		name, contents, want string
	}{
		{"trailing.nflow", string(b) + "x", "unexpected data after the"},
		{"short.nflow", string(b[:len(b)-1]), "truncated"},
	} {
		p := filepath.Join(dir, c.name)
		os.WriteFile(p, []byte(c.contents), 0o644)
		_, _, err := LoadFile(p)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), p) {
			t.Errorf("%s: error %v, expected one naming the file and %q", c.name, err, c.want)
		}
	}
	if _, _, err := LoadFile(filepath.Join(dir, "missing.nflow")); err == nil || !strings.Contains(err.Error(), "missing.nflow") {
		t.Errorf("missing file: error %v", err)
	}
	if err := SaveFile(filepath.Join(dir, "no", "such", "dir.nflow"), spec, m); err == nil {
		t.Error("SaveFile into a missing folder succeeded")
	}
}

func TestSaveErrors(t *testing.T) {
	spec := genericSpec("maf", "float32")
	m := perturbed(t, spec)
	other := genericSpec("maf", "float32")
	other.Layers = 3
	wide := genericSpec("maf", "float32")
	wide.Hidden = []int{9, 8}
	f64 := genericSpec("maf", "float64")
	broken := perturbed(t, spec)
	broken.Params()[3].Value.Float32s()[1] = float32(math.NaN())
	for _, c := range []struct {
		name  string
		spec  Spec
		model *dist.TransformedDistribution
		want  string
	}{
		{"nil model", spec, nil, "model is nil"},
		{"invalid spec", Spec{Kind: "maf"}, m, "event size 0"},
		{"unknown kind", Spec{Kind: "nope", EventSize: 2}, m, "unknown kind"},
		{"more layers", other, m, "12 parameters, expected 18"},
		{"other shapes", wide, m, "has shape"},
		{"dtype", f64, m, "dtype"},
		{"NaN", spec, broken, "expected a finite value"},
	} {
		var b bytes.Buffer
		err := Save(&b, c.spec, c.model)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, expected %q", c.name, err, c.want)
		}
		if b.Len() != 0 {
			t.Errorf("%s: Save wrote %d bytes before failing", c.name, b.Len())
		}
	}
	if err := Save(failingWriter{}, spec, m); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("failing writer: error %v", err)
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

// Ensure the test kind's bijector satisfies the interfaces Load looks for.
var (
	_ bijectors.DataInitializer = (*statefulMAF)(nil)
	_ stateful                  = (*statefulMAF)(nil)
	_ marksInitialized          = (*statefulMAF)(nil)
)

// TestDensityParamsAndKnotsSurviveReload: a maf or nsf model with the
// density-direction parameters and zuko's knots reloads with them, giving
// the same log-densities and samples, and they change the model (a reload
// that dropped the fields would not match).
func TestDensityParamsAndKnotsSurviveReload(t *testing.T) {
	for _, kind := range []string{"maf", "nsf"} {
		spec := genericSpec(kind, "float64")
		spec.DensityParams = true
		if kind == "nsf" {
			spec.SplineKnots, spec.SplineInputBound = "softclip", 1
		}
		m := perturbed(t, spec)
		got, m2, err := Load(bytes.NewReader(saved(t, spec, m)))
		if err != nil {
			t.Fatal(err)
		}
		if !got.DensityParams || got.SplineKnots != spec.SplineKnots || got.SplineInputBound != spec.SplineInputBound {
			t.Errorf("%s: reloaded spec %+v, expected DensityParams and SplineKnots %q", kind, got, spec.SplineKnots)
		}
		x := batch(spec.Dtype())
		lp, s := logProbAndSamples(t, m, x, nil)
		lp2, s2 := logProbAndSamples(t, m2, x, nil)
		if !bitsEqual(lp, lp2) || !bitsEqual(s, s2) {
			t.Errorf("%s: log_prob %v and samples %v, reloaded %v and %v", kind, lp.Data(), s.Data(), lp2.Data(), s2.Data())
		}
		plain := spec
		plain.DensityParams, plain.SplineKnots, plain.SplineInputBound = false, "", 0
		m3, err := Build(plain)
		if err != nil {
			t.Fatal(err)
		}
		sameParams(m3, m)
		if lp3, _ := logProbAndSamples(t, m3, x, nil); bitsEqual(lp, lp3) {
			t.Errorf("%s: the same parameters without DensityParams give the same log_prob %v", kind, lp.Data())
		}
	}
}

// sameParams copies src's parameter values into dst (same architecture).
func sameParams(dst, src *dist.TransformedDistribution) {
	for i, p := range dst.Params() {
		copy(p.Value.Float64s(), src.Params()[i].Value.Float64s())
	}
}
