package bijectors

import (
	"fmt"
	"testing"

	"gorgonia.org/tensor"
)

// tfpMADEFile is testdata/tfp/made.json.
type tfpMADEFile struct {
	TFPVersion string        `json:"tfp_version"`
	Cases      []tfpMADECase `json:"cases"`
}

type tfpMADECase struct {
	Name          string    `json:"name"`
	EventSize     int       `json:"event_size"`
	Params        int       `json:"params"`
	HiddenUnits   []int     `json:"hidden_units"`
	InputOrder    string    `json:"input_order"` // left-to-right, right-to-left or explicit
	ExplicitOrder []int     `json:"explicit_order"`
	HiddenDegrees string    `json:"hidden_degrees"`
	InputDegrees  []int     `json:"input_degrees"`
	HiddenLayers  [][]int   `json:"hidden_layer_degrees"`
	Masks         [][][]int `json:"masks"` // one [in, out] matrix per layer
}

// tfpMADEConfig returns the MADEConfig that reproduces a made.json case.
func tfpMADEConfig(t testing.TB, c tfpMADECase, dt tensor.Dtype) MADEConfig {
	t.Helper()
	cfg := MADEConfig{Params: c.Params, EventSize: c.EventSize, HiddenUnits: c.HiddenUnits, DType: dt}
	switch c.HiddenDegrees {
	case "equal":
		cfg.HiddenDegrees = EqualDegrees
	default:
		t.Fatalf("%s: hidden_degrees %q, expected equal", c.Name, c.HiddenDegrees)
	}
	switch c.InputOrder {
	case "left-to-right":
		cfg.InputOrder = LeftToRight
	case "right-to-left":
		cfg.InputOrder = RightToLeft
	case "explicit":
		if c.ExplicitOrder == nil {
			t.Fatalf("%s: input_order explicit without explicit_order", c.Name)
		}
		cfg.Order = c.ExplicitOrder
	default:
		t.Fatalf("%s: input_order %q", c.Name, c.InputOrder)
	}
	return cfg
}

// TestTFPMADEDegreesAndMasks checks that AutoregressiveNetwork's degrees
// and masks equal those of tfb.AutoregressiveNetwork for every case of
// made.json.
func TestTFPMADEDegreesAndMasks(t *testing.T) {
	var f tfpMADEFile
	tfpLoad(t, "made.json", &f)
	if len(f.Cases) == 0 {
		t.Fatal("made.json has no cases")
	}
	for _, c := range f.Cases {
		t.Run(c.Name, func(t *testing.T) {
			for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
				net, err := NewAutoregressiveNetwork(tfpMADEConfig(t, c, dt))
				if err != nil {
					t.Fatal(err)
				}
				tfpCheckMADE(t, dt.String(), net, c)
			}
		})
	}
	t.Logf("%d MADE cases (TFP %s)", len(f.Cases), f.TFPVersion)
}

func tfpCheckMADE(t *testing.T, what string, net *AutoregressiveNetwork, c tfpMADECase) {
	t.Helper()
	d, l := c.EventSize, len(c.HiddenUnits)
	if len(c.InputDegrees) != d || len(c.HiddenLayers) != l || len(c.Masks) != l+1 {
		t.Fatalf("%s: malformed case: %d input degrees, %d hidden degree lists, %d masks for D=%d and %d hidden layers",
			c.Name, len(c.InputDegrees), len(c.HiddenLayers), len(c.Masks), d, l)
	}
	want := append([][]int{c.InputDegrees}, c.HiddenLayers...)
	got := net.Degrees()
	if len(got) != len(want) {
		t.Fatalf("%s: %d degree lists, TFP has %d", what, len(got), len(want))
	}
	for i := range want {
		if fmt.Sprint(got[i]) != fmt.Sprint(want[i]) {
			layer := "input"
			if i > 0 {
				layer = fmt.Sprintf("hidden layer %d", i-1)
			}
			t.Errorf("%s: %s degrees %v, TFP %v", what, layer, got[i], want[i])
		}
	}
	sizes := append(append([]int{d}, c.HiddenUnits...), d*c.Params)
	if fmt.Sprint(net.LayerSizes()) != fmt.Sprint(sizes) {
		t.Errorf("%s: layer sizes %v, expected %v", what, net.LayerSizes(), sizes)
	}
	masks := net.Masks()
	if len(masks) != len(c.Masks) {
		t.Fatalf("%s: %d masks, TFP has %d", what, len(masks), len(c.Masks))
	}
	for k, wm := range c.Masks {
		in, out := sizes[k], sizes[k+1]
		if len(wm) != in {
			t.Fatalf("%s: TFP mask %d has %d rows, expected %d", what, k, len(wm), in)
		}
		if len(masks[k]) != in*out {
			t.Errorf("%s: mask %d has %d entries, expected [%d, %d]", what, k, len(masks[k]), in, out)
			continue
		}
		bad := 0
		for i, row := range wm {
			if len(row) != out {
				t.Fatalf("%s: TFP mask %d row %d has %d entries, expected %d", what, k, i, len(row), out)
			}
			for j, v := range row {
				if g := masks[k][i*out+j]; g != float64(v) {
					if bad < 5 {
						t.Errorf("%s: mask %d [%d, %d] = %g, TFP %d", what, k, i, j, g, v)
					}
					bad++
				}
			}
		}
		if bad > 0 {
			t.Errorf("%s: mask %d differs from TFP in %d of %d entries", what, k, bad, in*out)
		}
	}
	// The initial kernels are zero where masked, as TFP's are.
	kernels, biases := net.Weights()
	if len(kernels) != l+1 || len(biases) != l+1 {
		t.Fatalf("%s: %d kernels and %d biases, expected %d", what, len(kernels), len(biases), l+1)
	}
	for k, w := range kernels {
		if !w.Value.Shape().Eq(tensor.Shape{sizes[k], sizes[k+1]}) {
			t.Errorf("%s: kernel %d shape %v, expected [%d %d]", what, k, w.Value.Shape(), sizes[k], sizes[k+1])
			continue
		}
		for i, v := range tfpValues(t, w.Value) {
			if masks[k][i] == 0 && v != 0 {
				t.Errorf("%s: kernel %d entry %d is %g where the mask is 0", what, k, i, v)
				break
			}
		}
	}
}
