package dist

// Parity with TensorFlow Probability: the reference values in
// ../testdata/tfp (written by tools/tfpref/gen.py; schema in
// tools/tfpref/README.md). A missing or malformed file fails the test.

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/nflowgo/nflow/bijectors"
	"github.com/nflowgo/nflow/ops"
	"gorgonia.org/tensor"
)

// tfpLoad decodes ../testdata/tfp/<name> into v, failing the test if the
// file is missing or not valid JSON.
func tfpLoad(t testing.TB, name string, v any) {
	t.Helper()
	path := filepath.Join("..", "testdata", "tfp", name)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("TFP reference file: %v (regenerate with tools/tfpref/gen.py)", err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("TFP reference file %s: %v", path, err)
	}
}

// tfpDense returns the non-empty rectangular matrix m as an [N, D] tensor
// of dtype dt.
func tfpDense(t testing.TB, what string, m [][]float64, dt tensor.Dtype) *tensor.Dense {
	t.Helper()
	if len(m) == 0 || len(m[0]) == 0 {
		t.Fatalf("%s: empty matrix in the reference file", what)
	}
	var flat []float64
	for i, r := range m {
		if len(r) != len(m[0]) {
			t.Fatalf("%s: row %d has %d entries, row 0 has %d", what, i, len(r), len(m[0]))
		}
		flat = append(flat, r...)
	}
	return bijectors.NewTensor(dt, flat, len(m), len(m[0]))
}

// tfpTol is an error bound |got - want| <= Rel·|want| + Abs.
type tfpTol struct{ Rel, Abs float64 }

var (
	// tfpTol64: TFP and Go evaluate the same formulas in float64.
	tfpTol64 = tfpTol{Rel: 1e-10, Abs: 1e-10}
	// tfpTol32: float32 inputs (and weights) and float32 results.
	tfpTol32 = tfpTol{Rel: 2e-6, Abs: 1e-6}
)

// tfpCompare checks got ([n]) against want within tol and returns the
// largest error relative to the bound (<= 1 passes).
func tfpCompare(t testing.TB, what string, got *tensor.Dense, want []float64, tol tfpTol) float64 {
	t.Helper()
	if got == nil || !got.Shape().Eq(tensor.Shape{len(want)}) {
		t.Errorf("%s: result %v, expected shape [%d]", what, got, len(want))
		return math.Inf(1)
	}
	worst := 0.0
	for i, g := range Float64s(got) {
		bound := tol.Rel*math.Abs(want[i]) + tol.Abs
		if err := math.Abs(g - want[i]); !(err <= bound) {
			t.Errorf("%s[%d] = %.17g, TFP %.17g: |diff| %.3g > %.3g", what, i, g, want[i], err, bound)
			worst = math.Inf(1)
		} else {
			worst = math.Max(worst, err/bound)
		}
	}
	return worst
}

// TestTFPMultivariateNormalDiag checks MultivariateNormalDiag.LogProb
// against tfd.MultivariateNormalDiag.log_prob for every mvn.json case.
func TestTFPMultivariateNormalDiag(t *testing.T) {
	var f struct {
		TFPVersion string `json:"tfp_version"`
		Cases      []struct {
			Name      string      `json:"name"`
			Loc       []float64   `json:"loc"`
			ScaleDiag []float64   `json:"scale_diag"`
			X         [][]float64 `json:"x"`
			LogProb   []float64   `json:"log_prob"`
		} `json:"cases"`
	}
	tfpLoad(t, "mvn.json", &f)
	if len(f.Cases) == 0 {
		t.Fatal("mvn.json has no cases")
	}
	for i, c := range f.Cases {
		t.Run(fmt.Sprintf("%d_%s", i, c.Name), func(t *testing.T) {
			if len(c.LogProb) != len(c.X) || len(c.Loc) == 0 || len(c.ScaleDiag) != len(c.Loc) {
				t.Fatalf("malformed case: %d points, %d log_probs, loc %v, scale_diag %v", len(c.X), len(c.LogProb), c.Loc, c.ScaleDiag)
			}
			for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
				tol := tfpTol64
				if dt == tensor.Float32 {
					tol = tfpTol32
				}
				m, err := NewMultivariateNormalDiag(c.Loc, c.ScaleDiag, dt)
				if err != nil {
					t.Fatal(err)
				}
				lp, err := m.LogProb(tfpDense(t, "x", c.X, dt))
				if err != nil {
					t.Fatal(err)
				}
				w := tfpCompare(t, dt.String()+" log_prob", lp, c.LogProb, tol)
				t.Logf("%v (rel %g + abs %g): largest error %.3g of the tolerance", dt, tol.Rel, tol.Abs, w)
			}
		})
	}
	t.Logf("%d MultivariateNormalDiag cases (TFP %s)", len(f.Cases), f.TFPVersion)
}

// tfpMAF is the part of maf.json the log_prob check needs.
type tfpMAF struct {
	TFPVersion  string   `json:"tfp_version"`
	EventSize   int      `json:"event_size"`
	HiddenUnits []int    `json:"hidden_units"`
	Activation  string   `json:"activation"`
	ChainOrder  []string `json:"chain_order"`
	Permutation []int    `json:"permutation"`
	MADE        map[string]struct {
		Kernels [][][]float64 `json:"kernels"`
		Biases  [][]float64   `json:"biases"`
		Masks   [][][]int     `json:"masks"`
	} `json:"made"`
	X       [][]float64 `json:"x"`
	LogProb []float64   `json:"log_prob"`
}

// tfpMAFFlow rebuilds maf.json's chain in dtype dt with TFP's weights and
// TFP's exact MAF (σ = exp); the bijectors package's TestTFPMAF checks
// the chain itself in detail.
func tfpMAFFlow(t testing.TB, f *tfpMAF, dt tensor.Dtype) bijectors.Bijector {
	t.Helper()
	act, err := ops.ParseActivation(f.Activation)
	if err != nil {
		t.Fatal(err)
	}
	var bs []bijectors.Bijector
	for _, name := range f.ChainOrder {
		if name == "permute" {
			p, err := bijectors.Permute(f.Permutation)
			if err != nil {
				t.Fatal(err)
			}
			bs = append(bs, p)
			continue
		}
		w, ok := f.MADE[name]
		if !ok {
			t.Fatalf("maf.json: chain member %q has no weights", name)
		}
		net, err := bijectors.NewAutoregressiveNetwork(bijectors.MADEConfig{Params: 2, EventSize: f.EventSize,
			HiddenUnits: f.HiddenUnits, Activation: act, DType: dt})
		if err != nil {
			t.Fatal(err)
		}
		kernels, biases := net.Weights()
		masks := net.Masks()
		if len(w.Kernels) != len(kernels) || len(w.Biases) != len(biases) || len(w.Masks) != len(masks) {
			t.Fatalf("%s: TFP has %d kernels, %d biases, %d masks; the network %d layers", name, len(w.Kernels), len(w.Biases), len(w.Masks), len(kernels))
		}
		for l := range kernels {
			if len(w.Masks[l]) != len(w.Kernels[l]) {
				t.Fatalf("%s: TFP mask %d has %d rows, kernel %d", name, l, len(w.Masks[l]), len(w.Kernels[l]))
			}
			var k []float64
			var m []float64
			for i, row := range w.Kernels[l] {
				k = append(k, row...)
				for _, v := range w.Masks[l][i] {
					m = append(m, float64(v))
				}
			}
			if fmt.Sprint(m) != fmt.Sprint(masks[l]) {
				t.Errorf("%s: mask %d differs from TFP's", name, l)
			}
			tfpAssign(t, kernels[l], k)
			tfpAssign(t, biases[l], w.Biases[l])
		}
		m, err := bijectors.NewMaskedAutoregressiveFlow(net, ops.ScaleExp)
		if err != nil {
			t.Fatal(err)
		}
		bs = append(bs, m)
	}
	c, err := bijectors.Chain(bs...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// tfpAssign copies v into p's backing array, rounding for float32.
func tfpAssign(t testing.TB, p *bijectors.Param, v []float64) {
	t.Helper()
	if p.Value.Shape().TotalSize() != len(v) {
		t.Fatalf("%s: %d values for shape %v", p.Name, len(v), p.Value.Shape())
	}
	switch d := p.Value.Data().(type) {
	case []float64:
		copy(d, v)
	case []float32:
		for i, x := range v {
			d[i] = float32(x)
		}
	default:
		t.Fatalf("%s: data %T", p.Name, d)
	}
}

// TestTFPTransformedMAFLogProb checks TransformedDistribution(standard
// normal, the lab's 3-layer MAF chain).LogProb against TFP's log_prob on
// maf.json's weights and points.
func TestTFPTransformedMAFLogProb(t *testing.T) {
	var f tfpMAF
	tfpLoad(t, "maf.json", &f)
	if len(f.X) == 0 || len(f.LogProb) != len(f.X) || len(f.ChainOrder) == 0 {
		t.Fatalf("maf.json: %d points, %d log_probs, chain %v", len(f.X), len(f.LogProb), f.ChainOrder)
	}
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		t.Run(dt.String(), func(t *testing.T) {
			tol := tfpTol64
			if dt == tensor.Float32 {
				tol = tfpTol32
			}
			base, err := StandardNormal(f.EventSize, dt)
			if err != nil {
				t.Fatal(err)
			}
			td, err := NewTransformedDistribution(base, tfpMAFFlow(t, &f, dt))
			if err != nil {
				t.Fatal(err)
			}
			lp, err := td.LogProb(tfpDense(t, "x", f.X, dt))
			if err != nil {
				t.Fatal(err)
			}
			w := tfpCompare(t, "log_prob", lp, f.LogProb, tol)
			t.Logf("%v (rel %g + abs %g): %d points, largest error %.3g of the tolerance (TFP %s)", dt, tol.Rel, tol.Abs, len(f.X), w, f.TFPVersion)
		})
	}
}
