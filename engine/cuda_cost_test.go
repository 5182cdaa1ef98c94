package engine_test

import (
	"math"
	"testing"

	"github.com/nflowgo/nflow/engine"
)

func intArgs(v ...int) []engine.Arg {
	var a []engine.Arg
	for _, x := range v {
		a = append(a, engine.Arg{Kind: engine.ArgInt, Value: uint64(x)})
	}
	return a
}

func TestLaunchCost(t *testing.T) {
	ptr := engine.Arg{Kind: engine.ArgBuffer}
	fwd := engine.Launch{Kernel: "dense_fwd", Grid: [3]int{1, 1, 1}, Block: [3]int{32, 8, 1},
		Args: append([]engine.Arg{ptr, ptr, ptr, ptr}, intArgs(3, 5, 7, 1)...)}
	if c := engine.LaunchCost(fwd); c.FLOPs != 2*3*5*7 || c.Bytes != 4*(3*5+5*7+7+3*7) {
		t.Errorf("dense_fwd 3×5·5×7: %+v", c)
	}
	add := engine.Launch{Kernel: "add", Grid: [3]int{1, 1, 1}, Block: [3]int{256, 1, 1}, Args: append([]engine.Arg{ptr, ptr, ptr}, intArgs(10, 0)...)}
	prog := engine.Launch{Kernel: "block_program", Grid: [3]int{1, 1, 1}, Block: [3]int{32, 8, 1}, Fused: []engine.Launch{fwd, add}}
	if c, a, b := engine.LaunchCost(prog), engine.LaunchCost(fwd), engine.LaunchCost(add); c.FLOPs != a.FLOPs+b.FLOPs || c.Bytes != a.Bytes+b.Bytes {
		t.Errorf("block_program cost %+v, its ops %+v + %+v", c, a, b)
	}
	// A flop-bound launch on one block has 1/132 of the peak.
	big := fwd
	big.Args = append([]engine.Arg{ptr, ptr, ptr, ptr}, intArgs(4096, 4096, 4096, 0)...)
	r := engine.H200
	one := r.Time(big) - r.Launch
	big.Grid = [3]int{132, 1, 1}
	all := r.Time(big) - r.Launch
	if math.Abs(one/all-132) > 1e-9 || math.Abs(all-2*4096*4096*4096/r.FLOPs) > 1e-12 {
		t.Errorf("flop-bound times: one block %g s, 132 blocks %g s", one, all)
	}
}

// TestSGEMMLowering checks that large batches run their products on sgemm,
// FP32 unless LowerOptions.TF32, and that the roofline gives TF32 its
// tensor-core peak.
func TestSGEMMLowering(t *testing.T) {
	p := labPlan(labModel(2, []int{64, 64}), engine.SGEMMMinRows)
	for _, tf32 := range []bool{false, true} {
		c := must(engine.LowerCUDAWith(p, engine.LowerOptions{TF32: tf32}))
		n := 0
		var tcTime, fpTime float64
		for _, l := range c.Launches {
			switch l.Kernel {
			case "dense_fwd", "dense_grad_x", "dense_grad_w":
				t.Errorf("batch %d launches %s", engine.SGEMMMinRows, l.Kernel)
			case "sgemm":
				n++
				if got := l.Args[10].Value == 1; got != tf32 {
					t.Errorf("TF32 %v: sgemm's tf32 argument %d", tf32, l.Args[10].Value)
				}
				fp32 := l
				fp32.Args = append([]engine.Arg(nil), l.Args...)
				fp32.Args[10] = engine.Arg{Kind: engine.ArgInt}
				tcTime += engine.H200.Time(l)
				fpTime += engine.H200.Time(fp32)
			}
		}
		// 3 MADEs × (3 forward products + 3 weight gradients + 3 input
		// gradients), less the first layer's input gradient of the first MADE.
		if n != 26 {
			t.Errorf("TF32 %v: %d sgemm launches, want 26", tf32, n)
		}
		if tf32 && !(tcTime < fpTime) || !tf32 && tcTime != fpTime {
			t.Errorf("TF32 %v: modelled sgemm time %g s, %g s in FP32", tf32, tcTime, fpTime)
		}
	}
}
