package engine

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestNoGPUSupportPointsIntoTheRepository checks that every document the
// cpu build's -device=cuda error names exists in the repository, and that
// the README section it quotes is a heading there.
func TestNoGPUSupportPointsIntoTheRepository(t *testing.T) {
	msg := ErrNoGPUSupport.Error()
	docs := regexp.MustCompile(`[A-Za-z0-9_./-]+\.md\b`).FindAllString(msg, -1)
	if len(docs) == 0 {
		t.Fatalf("ErrNoGPUSupport names no document: %q", msg)
	}
	for _, d := range docs {
		if _, err := os.Stat(filepath.Join("..", d)); err != nil {
			t.Errorf("ErrNoGPUSupport points to %s, which is not in the repository (%v)", d, err)
		}
	}
	readme, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(msg, readmeGPUSection) {
		t.Errorf("ErrNoGPUSupport %q does not quote the README section %q", msg, readmeGPUSection)
	}
	if !regexp.MustCompile(`(?m)^#+ ` + regexp.QuoteMeta(readmeGPUSection) + `$`).Match(readme) {
		t.Errorf("README.md has no heading %q, which ErrNoGPUSupport quotes", readmeGPUSection)
	}
}
