package vec

import (
	"math"
	"math/rand/v2"
	"testing"
)

// fastInputs returns n values spread over the functions' interesting
// ranges, with special values (NaN, ±Inf, zeros, subnormals, the domain
// edges) at random places.
func fastInputs(rng *rand.Rand, n int, lo, hi float64) []float64 {
	specials := []float64{math.NaN(), math.Inf(1), math.Inf(-1), 0, math.Copysign(0, -1), 5e-324, -708, 709, -708.0001, 709.0001,
		20, -20, math.Nextafter(20, 21), math.Nextafter(-20, -21), 1, math.Nextafter(1, 2), 1 + 1.0/128, 1 - 1.0/128, 0x1p-1022, math.MaxFloat64}
	x := make([]float64, n)
	for i := range x {
		switch r := rng.IntN(40); {
		case r == 0:
			x[i] = specials[rng.IntN(len(specials))]
		case r < 8: // near 1, where FastLog switches to its series
			x[i] = 1 + (rng.Float64()-0.5)/32
		default:
			x[i] = lo + (hi-lo)*rng.Float64()
		}
	}
	return x
}

func sameBits(a, b float64) bool {
	return math.Float64bits(a) == math.Float64bits(b) || a != a && b != b
}

// TestVectorFastMathIsScalar checks ExpSlice, LogSlice and SoftplusSlice
// against FastExp, FastLog and FastSoftplus bit for bit, out of place and
// in place, at lengths around the vector width, with vectors that hold
// lanes outside the kernels' domain.
func TestVectorFastMathIsScalar(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	type fn struct {
		name   string
		slice  func(dst, src []float64)
		scalar func(float64) float64
		lo, hi float64
	}
	for _, f := range []fn{
		{"exp", ExpSlice, FastExp, -750, 750},
		{"softplus", SoftplusSlice, FastSoftplus, -60, 60},
		{"log", LogSlice, FastLog, 0, 1e6},
		{"log-wide", LogSlice, FastLog, 1e-300, 1e300},
	} {
		for _, n := range []int{0, 1, 7, 8, 9, 16, 63, 1000, 20000} {
			src := fastInputs(rng, n, f.lo, f.hi)
			if f.name == "log-wide" {
				for i := range src {
					src[i] = math.Exp(src[i] / 1e300 * 690)
				}
			}
			dst := make([]float64, n)
			f.slice(dst, src)
			in := append([]float64(nil), src...)
			f.slice(in, in)
			for i, x := range src {
				want := f.scalar(x)
				if !sameBits(dst[i], want) || !sameBits(in[i], want) {
					t.Fatalf("%s n=%d: element %d (x=%v): got %v (in place %v), scalar %v", f.name, n, i, x, dst[i], in[i], want)
				}
			}
		}
	}
}

// TestFastMathAccurate checks the scalar functions against the math
// package to a float32-level relative error.
func TestFastMathAccurate(t *testing.T) {
	for x := -700.0; x <= 700; x += 0.0731 {
		if e, want := FastExp(x), math.Exp(x); math.Abs(e-want) > 1e-8*want {
			t.Fatalf("FastExp(%g) = %g, math.Exp %g", x, e, want)
		}
		if s, want := FastSoftplus(x/10), math.Log1p(math.Exp(x/10)); math.Abs(s-want) > 1e-8*want {
			t.Fatalf("FastSoftplus(%g) = %g, want %g", x/10, s, want)
		}
	}
	for x := 1e-300; x < 1e300; x *= 1.31 {
		if l, want := FastLog(x), math.Log(x); math.Abs(l-want) > 1e-8*math.Abs(want) {
			t.Fatalf("FastLog(%g) = %g, math.Log %g", x, l, want)
		}
	}
}

func BenchmarkFastMath(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	x := make([]float64, 1024)
	for i := range x {
		x[i] = rng.Float64()*8 - 4
	}
	y := make([]float64, len(x))
	for _, c := range []struct {
		name   string
		slice  func(dst, src []float64)
		scalar func(float64) float64
	}{{"softplus", SoftplusSlice, FastSoftplus}, {"log", LogSlice, FastLog}, {"exp", ExpSlice, FastExp}} {
		b.Run(c.name+"/vector", func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				c.slice(y, x)
			}
			b.ReportMetric(float64(b.N*len(x))/b.Elapsed().Seconds()/1e6, "Mvalues/s")
		})
		b.Run(c.name+"/scalar", func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				for j, v := range x {
					y[j] = c.scalar(v)
				}
			}
			b.ReportMetric(float64(b.N*len(x))/b.Elapsed().Seconds()/1e6, "Mvalues/s")
		})
	}
}
