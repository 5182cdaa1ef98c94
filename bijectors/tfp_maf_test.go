package bijectors

import (
	"fmt"
	"testing"

	"github.com/nflowgo/nflow/ops"
	"gorgonia.org/tensor"
)

// tfpMAFFile is testdata/tfp/maf.json: the lab's 3-layer MAF chain with
// TFP's weights and outputs.
type tfpMAFFile struct {
	TFPVersion  string                 `json:"tfp_version"`
	EventSize   int                    `json:"event_size"`
	HiddenUnits []int                  `json:"hidden_units"`
	Activation  string                 `json:"activation"`
	ChainOrder  []string               `json:"chain_order"` // the list given to tfb.Chain
	Permutation []int                  `json:"permutation"`
	MADE        map[string]tfpMAFLayer `json:"made"`
	X           [][]float64            `json:"x"`
	Z           [][]float64            `json:"z"`
	ILDJ        []float64              `json:"ildj"`
	BaseZ       [][]float64            `json:"base_z"`
	Forward     [][]float64            `json:"forward"`
	FLDJ        []float64              `json:"fldj"`
	LogProb     []float64              `json:"log_prob"`
}

// tfpMAFLayer is one MADE's exported Keras weights: kernels [in, out],
// biases [out] and 0/1 masks [in, out], layer by layer.
type tfpMAFLayer struct {
	Kernels [][][]float64 `json:"kernels"`
	Biases  [][]float64   `json:"biases"`
	Masks   [][][]int     `json:"masks"`
}

// tfpMAFChain rebuilds maf.json's flow in dtype dt: each MADE with TFP's
// weights (rounded to float32 for Float32) and TFP's exact
// MaskedAutoregressiveFlow (σ = exp), chained in the file's chain_order.
func tfpMAFChain(t testing.TB, f *tfpMAFFile, dt tensor.Dtype) *ChainBijector {
	t.Helper()
	act, err := ops.ParseActivation(f.Activation)
	if err != nil {
		t.Fatalf("maf.json activation: %v", err)
	}
	if len(f.ChainOrder) == 0 {
		t.Fatal("maf.json: empty chain_order")
	}
	var bs []Bijector
	for _, name := range f.ChainOrder {
		if name == "permute" {
			p, err := Permute(f.Permutation)
			if err != nil {
				t.Fatalf("maf.json permutation: %v", err)
			}
			bs = append(bs, p)
			continue
		}
		w, ok := f.MADE[name]
		if !ok {
			t.Fatalf("maf.json: chain member %q has no weights", name)
		}
		net, err := NewAutoregressiveNetwork(MADEConfig{Params: 2, EventSize: f.EventSize,
			HiddenUnits: f.HiddenUnits, Activation: act, DType: dt})
		if err != nil {
			t.Fatal(err)
		}
		tfpSetMADEWeights(t, name, net, w)
		m, err := NewMaskedAutoregressiveFlow(net, ops.ScaleExp)
		if err != nil {
			t.Fatal(err)
		}
		bs = append(bs, m)
	}
	c, err := Chain(bs...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// tfpSetMADEWeights checks that net's masks are TFP's and overwrites its
// kernels and biases with TFP's values.
func tfpSetMADEWeights(t testing.TB, name string, net *AutoregressiveNetwork, w tfpMAFLayer) {
	t.Helper()
	kernels, biases := net.Weights()
	masks, sizes := net.Masks(), net.LayerSizes()
	if len(w.Kernels) != len(kernels) || len(w.Biases) != len(biases) || len(w.Masks) != len(masks) {
		t.Fatalf("%s: TFP has %d kernels, %d biases and %d masks, the network %d layers",
			name, len(w.Kernels), len(w.Biases), len(w.Masks), len(kernels))
	}
	for l := range kernels {
		in, out := sizes[l], sizes[l+1]
		if r, c := tfpMatrix(t, fmt.Sprintf("%s kernel %d", name, l), w.Kernels[l]); r != in || c != out {
			t.Fatalf("%s: TFP kernel %d is [%d %d], expected [%d %d]", name, l, r, c, in, out)
		}
		if len(w.Biases[l]) != out {
			t.Fatalf("%s: TFP bias %d has %d entries, expected %d", name, l, len(w.Biases[l]), out)
		}
		if len(w.Masks[l]) != in {
			t.Fatalf("%s: TFP mask %d has %d rows, expected %d", name, l, len(w.Masks[l]), in)
		}
		for i, row := range w.Masks[l] {
			if len(row) != out {
				t.Fatalf("%s: TFP mask %d row %d has %d entries, expected %d", name, l, i, len(row), out)
			}
			for j, v := range row {
				if masks[l][i*out+j] != float64(v) {
					t.Errorf("%s: mask %d [%d, %d] = %g, TFP %d", name, l, i, j, masks[l][i*out+j], v)
				}
				// TFP stores its kernels already masked (kernel_constraint).
				if v == 0 && w.Kernels[l][i][j] != 0 {
					t.Errorf("%s: TFP kernel %d [%d, %d] = %g where masked", name, l, i, j, w.Kernels[l][i][j])
				}
			}
		}
		tfpAssign(t, kernels[l], tfpFlat(w.Kernels[l]))
		tfpAssign(t, biases[l], w.Biases[l])
	}
}

// tfpAssign copies v into p's existing backing array (so graphs built on
// p see it), rounding to float32 for a float32 parameter.
func tfpAssign(t testing.TB, p *Param, v []float64) {
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

// TestTFPMAF checks the lab's 3-layer MAF chain, rebuilt with TFP's
// weights, against TFP: z = inverse(x) and its ILDJ, forward(base_z) and
// its FLDJ, in float64 and float32.
func TestTFPMAF(t *testing.T) {
	var f tfpMAFFile
	tfpLoad(t, "maf.json", &f)
	n, d := tfpMatrix(t, "x", f.X)
	if d != f.EventSize {
		t.Fatalf("maf.json: x is [%d %d], event size %d", n, d, f.EventSize)
	}
	if zn, zd := tfpMatrix(t, "z", f.Z); zn != n || zd != d || len(f.ILDJ) != n {
		t.Fatalf("maf.json: z [%d %d] and %d ildj for x [%d %d]", zn, zd, len(f.ILDJ), n, d)
	}
	bn, bd := tfpMatrix(t, "base_z", f.BaseZ)
	if fn, fd := tfpMatrix(t, "forward", f.Forward); fn != bn || fd != bd || bd != d || len(f.FLDJ) != bn {
		t.Fatalf("maf.json: base_z [%d %d], forward [%d %d], %d fldj", bn, bd, fn, fd, len(f.FLDJ))
	}
	want := fmt.Sprint([]string{"maf2", "permute", "maf1", "permute", "maf0"})
	if got := fmt.Sprint(f.ChainOrder); got != want {
		t.Errorf("maf.json chain_order %s, expected the lab's %s", got, want)
	}
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		t.Run(dt.String(), func(t *testing.T) {
			flow := tfpMAFChain(t, &f, dt)
			tol := tfpTol64
			if dt == tensor.Float32 {
				// Weights and inputs rounded to float32, three
				// two-hidden-layer networks (run D = 2 times each
				// forward) still land within tfpTol32: the largest
				// error measured is about a tenth of it.
				tol = tfpTol32
			}
			z, ildj, err := InverseAndLogDet(flow, tfpDense(t, "x", f.X, dt))
			if err != nil {
				t.Fatal(err)
			}
			y, fldj, err := ForwardAndLogDet(flow, tfpDense(t, "base_z", f.BaseZ, dt))
			if err != nil {
				t.Fatal(err)
			}
			w := 0.0
			for _, e := range []float64{
				tfpCompare(t, "inverse (z)", z, tensor.Shape{n, d}, tfpFlat(f.Z), tol),
				tfpCompare(t, "ildj", ildj, tensor.Shape{n}, f.ILDJ, tol),
				tfpCompare(t, "forward", y, tensor.Shape{bn, d}, tfpFlat(f.Forward), tol),
				tfpCompare(t, "fldj", fldj, tensor.Shape{bn}, f.FLDJ, tol),
			} {
				w = max(w, e)
			}
			t.Logf("%v (%v): %v: largest error %.3g of the tolerance", dt, tol, flow, w)
		})
	}
}
