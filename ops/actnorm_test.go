package ops

import (
	"math"
	"math/rand/v2"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// glowCase is a gradient case of this file's ops (ActNorm, LU, BatchNorm).
type glowCase struct {
	name   string
	op     FlowOp
	inputs []*tensor.Dense
	wrt    []int
}

func actNormCases() []glowCase {
	rng := rand.New(rand.NewPCG(11, 12))
	var cs []glowCase
	for _, inv := range []bool{false, true} {
		cs = append(cs, glowCase{"ActNorm", NewActNorm(inv), []*tensor.Dense{
			randDense(rng, -2, 2, 5, 3), randDense(rng, -1, 1, 3), randDense(rng, -1, 1, 3)}, []int{0, 1, 2}})
	}
	for _, sign := range []float64{1, -1} {
		cs = append(cs, glowCase{"ActNormLogDet", NewActNormLogDet(sign), []*tensor.Dense{
			randDense(rng, -2, 2, 4, 3), randDense(rng, -1, 1, 3)}, []int{1}})
	}
	return cs
}

func TestActNormGradients(t *testing.T) {
	for _, c := range actNormCases() {
		t.Run(c.op.String(), func(t *testing.T) { checkOpGradient(t, c.op, c.inputs, c.wrt) })
	}
}

func TestActNormValues(t *testing.T) {
	x := tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float64{1, 2, 3, 4}))
	s := tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{math.Ln2, 0}))
	b := tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{1, -1}))
	y, err := NewActNorm(false).Do(x, s, b)
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{3, 1, 7, 3}
	for i, v := range y.(*tensor.Dense).Float64s() {
		if math.Abs(v-want[i]) > 1e-12 {
			t.Fatalf("forward %v, want %v", y, want)
		}
	}
	x2, err := NewActNorm(true).Do(y, s, b)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range x2.(*tensor.Dense).Float64s() {
		if math.Abs(v-x.Float64s()[i]) > 1e-12 {
			t.Fatalf("inverse(forward(x)) = %v, want %v", x2, x)
		}
	}
}

// checkFloat32 runs the float32 kernels of cs against the float64 ones.
func checkFloat32(t *testing.T, cs []glowCase) {
	t.Helper()
	for _, c := range cs {
		ins64 := make([][]float64, len(c.inputs))
		ins32 := make([][]float32, len(c.inputs))
		shapes := make([]tensor.Shape, len(c.inputs))
		ds := make([]gorgonia.DimSizer, len(c.inputs))
		for i, in := range c.inputs {
			ins64[i] = append([]float64(nil), in.Float64s()...)
			ins32[i] = toT[float32](ins64[i])
			shapes[i] = in.Shape()
			ds[i] = shapes[i]
		}
		s, err := c.op.InferShape(ds...)
		if err != nil {
			t.Fatal(err)
		}
		o64 := make([]float64, s.TotalSize())
		o32 := make([]float32, s.TotalSize())
		c.op.Exec64(o64, ins64, shapes)
		c.op.Exec32(o32, ins32, shapes)
		for i := range o64 {
			if math.Abs(float64(o32[i])-o64[i]) > 1e-4*(1+math.Abs(o64[i])) {
				t.Errorf("%v: element %d: float32 %g, float64 %g", c.op, i, o32[i], o64[i])
				break
			}
		}
		for i := range ins64 { // in-place updates (BatchNorm's running moments) agree too
			for j := range ins64[i] {
				if math.Abs(float64(ins32[i][j])-ins64[i][j]) > 1e-4*(1+math.Abs(ins64[i][j])) {
					t.Errorf("%v: input %d element %d after the kernel: float32 %g, float64 %g", c.op, i, j, ins32[i][j], ins64[i][j])
					break
				}
			}
		}
	}
}

// checkNoAllocs runs every case's float32 and float64 kernels, and those of
// their gradient ops, and fails if any allocates.
func checkNoAllocs(t *testing.T, cs []glowCase) {
	t.Helper()
	for _, c := range cs {
		ins64 := make([][]float64, len(c.inputs))
		ins32 := make([][]float32, len(c.inputs))
		shapes := make([]tensor.Shape, len(c.inputs))
		ds := make([]gorgonia.DimSizer, len(c.inputs))
		for i, in := range c.inputs {
			ins64[i] = append([]float64(nil), in.Float64s()...)
			ins32[i] = toT[float32](ins64[i])
			shapes[i] = in.Shape()
			ds[i] = shapes[i]
		}
		s, err := c.op.InferShape(ds...)
		if err != nil {
			t.Fatal(err)
		}
		o64 := make([]float64, s.TotalSize())
		o32 := make([]float32, s.TotalSize())
		if a := testing.AllocsPerRun(10, func() {
			c.op.Exec64(o64, ins64, shapes)
			c.op.Exec32(o32, ins32, shapes)
		}); a != 0 {
			t.Errorf("%v: %g allocations per run, expected 0", c.op, a)
		}
	}
}

func TestActNormFloat32AndAllocs(t *testing.T) {
	checkFloat32(t, actNormCases())
	checkNoAllocs(t, actNormCases())
	checkNoAllocs(t, gradOpCases(t, actNormCases()))
}

// gradOpCases returns, for every case, the cases of the gradient ops its
// SymDiff emits, with random inputs of the right shapes.
func gradOpCases(t *testing.T, cs []glowCase) []glowCase {
	t.Helper()
	rng := rand.New(rand.NewPCG(5, 6))
	var out []glowCase
	for _, c := range cs {
		g := gorgonia.NewGraph()
		nodes := make(gorgonia.Nodes, len(c.inputs))
		for i, in := range c.inputs {
			nodes[i] = gorgonia.NodeFromAny(g, in.Clone(), gorgonia.WithName(string(rune('a'+i))))
		}
		y, err := gorgonia.ApplyOp(c.op, nodes...)
		if err != nil {
			t.Fatal(err)
		}
		gy := gorgonia.NodeFromAny(g, randDense(rng, -1, 1, y.Shape()...), gorgonia.WithName("g"))
		grads, err := c.op.SymDiff(nodes, y, gy)
		if err != nil {
			t.Fatal(err)
		}
		for _, gn := range grads {
			if gn == nil {
				continue
			}
			op, ok := gn.Op().(FlowOp)
			if !ok {
				t.Fatalf("%v: gradient op %v (%T) is not a flow op", c.op, gn.Op(), gn.Op())
			}
			var ins []*tensor.Dense
			for it := g.From(gn.ID()); it.Next(); {
				k := it.Node().(*gorgonia.Node)
				switch {
				case k == y:
					v, err := c.op.Do(valuesOf(c.inputs)...)
					if err != nil {
						t.Fatal(err)
					}
					ins = append(ins, v.(*tensor.Dense))
				case k == gy:
					ins = append(ins, gy.Value().(*tensor.Dense))
				default:
					ins = append(ins, k.Value().(*tensor.Dense))
				}
			}
			out = append(out, glowCase{op.String(), op, ins, nil})
		}
	}
	return out
}

func valuesOf(ts []*tensor.Dense) []gorgonia.Value {
	vs := make([]gorgonia.Value, len(ts))
	for i, v := range ts {
		vs[i] = v
	}
	return vs
}

func TestActNormShapeErrors(t *testing.T) {
	if _, err := NewActNorm(false).InferShape(tensor.Shape{4, 3}, tensor.Shape{2}, tensor.Shape{3}); err == nil {
		t.Error("ActNorm accepted s [2] for x [4 3]")
	}
	if _, err := NewActNormLogDet(1).InferShape(tensor.Shape{4, 3}, tensor.Shape{4}); err == nil {
		t.Error("ActNormLogDet accepted s [4] for x [4 3]")
	}
}
