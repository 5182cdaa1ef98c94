package bijectors

import (
	"fmt"
	"testing"

	"gorgonia.org/tensor"
)

// tfpBijectorFile is testdata/tfp/bijectors.json.
type tfpBijectorFile struct {
	TFPVersion string            `json:"tfp_version"`
	Cases      []tfpBijectorCase `json:"cases"`
}

type tfpBijectorCase struct {
	Name     string           `json:"name"`
	Bijector *tfpBijectorSpec `json:"bijector"`
	X        [][]float64      `json:"x"`
	Y        [][]float64      `json:"y"`
	FLDJ     []float64        `json:"fldj"`
	ILDJ     []float64        `json:"ildj"`
}

// tfpBijectorSpec is a bijector as gen.py describes it to TFP.
type tfpBijectorSpec struct {
	Type        string             `json:"type"`
	Shift       []float64          `json:"shift"`
	Scale       []float64          `json:"scale"`
	LogScale    []float64          `json:"log_scale"`
	ScaleDiag   []float64          `json:"scale_diag"`
	Permutation []int              `json:"permutation"`
	Bijectors   []*tfpBijectorSpec `json:"bijectors"` // chain, in tfb.Chain's list order
	Bijector    *tfpBijectorSpec   `json:"bijector"`  // invert
}

// tfpBuildBijector builds the Go bijector for a spec, recursively.
func tfpBuildBijector(s *tfpBijectorSpec) (Bijector, error) {
	if s == nil {
		return nil, fmt.Errorf("missing bijector spec")
	}
	switch s.Type {
	case "shift":
		return Shift(s.Shift)
	case "scale":
		switch {
		case s.Scale != nil && s.LogScale == nil:
			return Scale(s.Scale)
		case s.LogScale != nil && s.Scale == nil:
			return ScaleFromLog(s.LogScale)
		}
		return nil, fmt.Errorf("scale spec needs exactly one of scale and log_scale")
	case "scale_matvec_diag":
		return ScaleMatvecDiag(s.ScaleDiag)
	case "permute":
		return Permute(s.Permutation)
	case "exp":
		return Exp(), nil
	case "sigmoid":
		return Sigmoid(), nil
	case "tanh":
		return Tanh(), nil
	case "softplus":
		return Softplus(), nil
	case "chain":
		bs := make([]Bijector, len(s.Bijectors))
		for i, sub := range s.Bijectors {
			b, err := tfpBuildBijector(sub)
			if err != nil {
				return nil, fmt.Errorf("chain member %d: %w", i, err)
			}
			bs[i] = b
		}
		return Chain(bs...)
	case "invert":
		b, err := tfpBuildBijector(s.Bijector)
		if err != nil {
			return nil, fmt.Errorf("invert: %w", err)
		}
		return Invert(b), nil
	}
	return nil, fmt.Errorf("unknown bijector type %q", s.Type)
}

// TestTFPBijectors checks Forward, Inverse and both log-det-Jacobians of
// every bijectors.json case against TFP, in float64 and float32.
func TestTFPBijectors(t *testing.T) {
	var f tfpBijectorFile
	tfpLoad(t, "bijectors.json", &f)
	if len(f.Cases) == 0 {
		t.Fatal("bijectors.json has no cases")
	}
	worst := map[tensor.Dtype]float64{}
	for _, c := range f.Cases {
		t.Run(c.Name, func(t *testing.T) {
			n, d := tfpMatrix(t, "x", c.X)
			if yn, yd := tfpMatrix(t, "y", c.Y); yn != n || yd != d || len(c.FLDJ) != n || len(c.ILDJ) != n {
				t.Fatalf("malformed case: x [%d %d], y [%d %d], %d fldj, %d ildj", n, d, yn, yd, len(c.FLDJ), len(c.ILDJ))
			}
			b, err := tfpBuildBijector(c.Bijector)
			if err != nil {
				t.Fatal(err)
			}
			var slack [4][]float64 // float32 only: see tfpCompareSlack
			for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
				tol := tfpTol64
				if dt == tensor.Float32 {
					tol = tfpTol32
					y, fldj, err := ForwardAndLogDet(b, tfpRounded32(t, "x", c.X))
					if err != nil {
						t.Fatalf("float64 forward on float32-rounded x: %v", err)
					}
					x, ildj, err := InverseAndLogDet(b, tfpRounded32(t, "y", c.Y))
					if err != nil {
						t.Fatalf("float64 inverse on float32-rounded y: %v", err)
					}
					slack = [4][]float64{tfpSlack(t, y, tfpFlat(c.Y)), tfpSlack(t, fldj, c.FLDJ),
						tfpSlack(t, x, tfpFlat(c.X)), tfpSlack(t, ildj, c.ILDJ)}
				}
				y, fldj, err := ForwardAndLogDet(b, tfpDense(t, "x", c.X, dt))
				if err != nil {
					t.Fatalf("%v forward: %v", dt, err)
				}
				x, ildj, err := InverseAndLogDet(b, tfpDense(t, "y", c.Y, dt))
				if err != nil {
					t.Fatalf("%v inverse: %v", dt, err)
				}
				w := 0.0
				for _, e := range []float64{
					tfpCompareSlack(t, dt.String()+" forward", y, tensor.Shape{n, d}, tfpFlat(c.Y), tol, slack[0]),
					tfpCompareSlack(t, dt.String()+" fldj", fldj, tensor.Shape{n}, c.FLDJ, tol, slack[1]),
					tfpCompareSlack(t, dt.String()+" inverse", x, tensor.Shape{n, d}, tfpFlat(c.X), tol, slack[2]),
					tfpCompareSlack(t, dt.String()+" ildj", ildj, tensor.Shape{n}, c.ILDJ, tol, slack[3]),
				} {
					w = max(w, e)
				}
				worst[dt] = max(worst[dt], w)
				t.Logf("%v (%v): %v: largest error %.3g of the tolerance", dt, tol, b, w)
			}
		})
	}
	t.Logf("%d bijector cases (TFP %s); largest error / tolerance: float64 %.3g, float32 %.3g",
		len(f.Cases), f.TFPVersion, worst[tensor.Float64], worst[tensor.Float32])
}
