package bijectors

import (
	"fmt"

	"github.com/nflowgo/nflow/ops"
	"gorgonia.org/gorgonia"
)

// PermuteBijector reorders event dimensions as tfb.Permute: forward
// y[i] = x[perm[i]], inverse with the inverse permutation; log-det 0.
type PermuteBijector struct {
	fwd, inv *ops.Gather
}

// Permute returns the bijector for a permutation of 0..D-1.
func Permute(perm []int) (*PermuteBijector, error) {
	f, err := ops.NewGather(perm)
	if err != nil {
		return nil, fmt.Errorf("Permute: %w", err)
	}
	inv, _ := ops.InversePermutation(perm)
	i, err := ops.NewGather(inv)
	if err != nil {
		return nil, err
	}
	return &PermuteBijector{fwd: f, inv: i}, nil
}

// Permutation returns perm.
func (p *PermuteBijector) Permutation() []int { return append([]int(nil), p.fwd.Perm...) }

func (p *PermuteBijector) String() string   { return fmt.Sprintf("Permute(%v)", p.fwd.Perm) }
func (p *PermuteBijector) EventSize() int   { return len(p.fwd.Perm) }
func (p *PermuteBijector) Params() []*Param { return nil }

func (p *PermuteBijector) ForwardNode(_ *Graph, x *gorgonia.Node) (*gorgonia.Node, *gorgonia.Node, error) {
	return gatherNodes(p.fwd, x)
}

func (p *PermuteBijector) InverseNode(_ *Graph, y *gorgonia.Node) (*gorgonia.Node, *gorgonia.Node, error) {
	return gatherNodes(p.inv, y)
}

func gatherNodes(op *ops.Gather, x *gorgonia.Node) (*gorgonia.Node, *gorgonia.Node, error) {
	y, err := Apply(op, x)
	if err != nil {
		return nil, nil, err
	}
	l, err := Apply(ops.NewConstRows(0), x)
	return y, l, err
}
