package train

import (
	"strings"
	"testing"

	"github.com/nflowgo/nflow/internal/sysmem"
	"github.com/nflowgo/nflow/ops"
	"gorgonia.org/tensor"
)

// TestMemoryCheck: a batch whose activations cannot fit in the available
// memory is refused before training allocates it; an ordinary one passes.
func TestMemoryCheck(t *testing.T) {
	avail, ok := sysmem.Available()
	if !ok {
		t.Skip("the available memory is unknown here")
	}
	m := smallFlow(tensor.Float32, ops.ScaleSoftplus)
	if err := checkMemory(m, 32); err != nil {
		t.Errorf("a batch of 32: %v", err)
	}
	rows := int(avail) // at least one byte per row times the layers' units: too many
	err := checkMemory(m, rows)
	if err == nil || !strings.Contains(err.Error(), "of memory is available") || !strings.Contains(err.Error(), "batches of") {
		t.Errorf("a batch of %d rows: error %v, expected one comparing the need with the available memory", rows, err)
	}
}
