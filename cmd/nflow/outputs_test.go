package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// mknod makes a character device node like /dev/null (1, 3) or /dev/full
// (1, 7) in dir, or skips the test where that is not allowed.
func mknod(t *testing.T, dir, name string, minor int) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := syscall.Mknod(p, syscall.S_IFCHR|0o666, 1<<8|minor); err != nil {
		t.Skipf("mknod %s: %v (needs root)", p, err)
	}
	return p
}

// unchanged fails the test if the file at path no longer holds want.
func unchanged(t *testing.T, what, path string, want []byte) {
	t.Helper()
	got, err := os.ReadFile(path)
	if err != nil || string(got) != string(want) {
		t.Errorf("%s: %s was changed or removed (%v)", what, path, err)
	}
}

// TestOutputsNeverOverwriteInputs gives each command an output that is one
// of its inputs, or another of its outputs, by name and by link.
func TestOutputsNeverOverwriteInputs(t *testing.T) {
	dir := t.TempDir()
	csv := moonsCSV(t, dir, 300)
	model := filepath.Join(dir, "model.nflow")
	if code, _, log := nflow(fitArgs(csv, model)...); code != 0 {
		t.Fatalf("fit: status %d\n%s", code, log)
	}
	csvLink := filepath.Join(dir, "link.csv")
	if err := os.Symlink(csv, csvLink); err != nil {
		t.Fatal(err)
	}
	modelHard := filepath.Join(dir, "hard.nflow")
	if err := os.Link(model, modelHard); err != nil {
		t.Fatal(err)
	}
	csvBytes, _ := os.ReadFile(csv)
	modelBytes, _ := os.ReadFile(model)
	other := filepath.Join(dir, "other.nflow")
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"fit -out onto -data", fitArgs(csv, csv), "-out " + csv + " is the same file as -data " + csv},
		{"fit -out onto a link to -data", fitArgs(csv, csvLink), "is the same file as -data"},
		{"fit -loss onto -data", fitArgs(csv, other, "-loss", csv), "-loss " + csv + " is the same file as -data"},
		{"fit -loss onto -out", fitArgs(csv, model, "-loss", model), "are the same file"},
		{"fit -loss onto a new -out", fitArgs(csv, other, "-loss", filepath.Join(dir, ".", "other.nflow")), "are the same file"},
		{"logprob -out onto -data", []string{"logprob", "-model", model, "-data", csv, "-out", csv}, "-out " + csv + " is the same file as -data"},
		{"sample -out onto -model", []string{"sample", "-model", model, "-out", model}, "is the same file as -model"},
		{"sample -out onto a hard link of -model", []string{"sample", "-model", model, "-out", modelHard}, "is the same file as -model"},
		{"density -out onto -model", []string{"density", "-model", model, "-out", model}, "is the same file as -model"},
	} {
		code, _, stderr := nflow(c.args...)
		if code != 1 || !strings.Contains(stderr, c.want) {
			t.Errorf("%s: status %d, stderr %q; expected status 1 and %q", c.name, code, stderr, c.want)
		}
		if strings.Contains(stderr, "epoch 1/") {
			t.Errorf("%s: trained before refusing:\n%s", c.name, stderr)
		}
		unchanged(t, c.name, csv, csvBytes)
		unchanged(t, c.name, model, modelBytes)
	}
	if _, err := os.Stat(other); err == nil {
		t.Errorf("a refused fit wrote %s", other)
	}
}

// TestOutputsNeverReplaceWhatTheyMustNot runs the commands onto device
// nodes, folders, read-only files and unwritable folders (by mode bits, so
// that root is refused too), and onto a symbolic link, which is followed.
func TestOutputsNeverReplaceWhatTheyMustNot(t *testing.T) {
	dir := t.TempDir()
	csv := moonsCSV(t, dir, 300)
	model := filepath.Join(dir, "model.nflow")
	if code, _, log := nflow(fitArgs(csv, model)...); code != 0 {
		t.Fatalf("fit: status %d\n%s", code, log)
	}
	ro := filepath.Join(dir, "ro.nflow")
	roBytes := []byte("a read-only file")
	if err := os.WriteFile(ro, roBytes, 0o444); err != nil {
		t.Fatal(err)
	}
	rodir := filepath.Join(dir, "rodir")
	if err := os.Mkdir(rodir, 0o555); err != nil {
		t.Fatal(err)
	}
	null := mknod(t, dir, "null", 3)
	full := mknod(t, dir, "full", 7)
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"fit onto a device node", fitArgs(csv, null), "cannot write " + null + ": it is a device node"},
		{"fit -loss onto a device node", fitArgs(csv, filepath.Join(dir, "m2.nflow"), "-loss", null), "device node"},
		{"sample onto a full device", []string{"sample", "-model", model, "-out", full}, "cannot write " + full + ": it is a device node"},
		{"logprob onto a device node", []string{"logprob", "-model", model, "-data", csv, "-out", null}, "device node"},
		{"fit onto a read-only file", fitArgs(csv, ro), "cannot write " + ro + ": the file is read-only (mode -r--r--r--)"},
		{"fit onto a folder", fitArgs(csv, rodir), "cannot write " + rodir + ": it is a folder"},
		{"fit into an unwritable folder", fitArgs(csv, filepath.Join(rodir, "m.nflow")), "cannot write " + filepath.Join(rodir, "m.nflow") + ": folder " + rodir + " is not writable"},
		{"density into an unwritable folder", []string{"density", "-model", model, "-out", filepath.Join(rodir, "d.png")}, "is not writable"},
	} {
		code, _, stderr := nflow(c.args...)
		if code != 1 || !strings.Contains(stderr, c.want) {
			t.Errorf("%s: status %d, stderr %q; expected status 1 and %q", c.name, code, stderr, c.want)
		}
		if strings.Contains(stderr, "epoch 1/") || strings.Contains(stderr, ".tmp") {
			t.Errorf("%s: trained before refusing, or named a temporary file:\n%s", c.name, stderr)
		}
	}
	for _, p := range []string{null, full} {
		if fi, err := os.Lstat(p); err != nil || fi.Mode()&os.ModeDevice == 0 {
			t.Errorf("%s is no longer a device node (%v)", p, err)
		}
	}
	unchanged(t, "read-only file", ro, roBytes)
	if es, _ := os.ReadDir(rodir); len(es) > 0 {
		t.Errorf("files left in the unwritable folder: %v", es)
	}

	// A symbolic link is followed: the link stays, its target gets the model.
	target := filepath.Join(dir, "target.nflow")
	link := filepath.Join(dir, "link.nflow")
	if err := os.Symlink("target.nflow", link); err != nil {
		t.Fatal(err)
	}
	if code, _, log := nflow(fitArgs(csv, link)...); code != 0 {
		t.Fatalf("fit onto a symbolic link: status %d\n%s", code, log)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("%s is no longer a symbolic link (%v)", link, err)
	}
	if code, _, log := nflow("sample", "-model", target, "-n", "3", "-out", "-"); code != 0 {
		t.Errorf("the link's target %s is not a model: %s", target, log)
	}
}

// TestStdoutOutputs: "-" is standard output for CSV outputs and a usage
// error for binary ones.
func TestStdoutOutputs(t *testing.T) {
	dir := t.TempDir()
	csv := moonsCSV(t, dir, 300)
	model := filepath.Join(dir, "model.nflow")
	if code, _, log := nflow(fitArgs(csv, model)...); code != 0 {
		t.Fatalf("fit: status %d\n%s", code, log)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{fitArgs(csv, "-"), "-out -: a model is a binary file and is not written to standard output"},
		{fitArgs(csv, model, "-loss", "-"), "-loss -: a PNG figure is a binary file"},
		{[]string{"density", "-model", model, "-out", "-"}, "-out -: a PNG figure is a binary file"},
	} {
		code, _, stderr := nflow(c.args...)
		if code != 2 || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: status %d, stderr %q; expected status 2 and %q", c.args, code, stderr, c.want)
		}
	}
	code, out, stderr := nflow("logprob", "-model", model, "-data", csv, "-out", "-")
	if code != 0 || !strings.HasPrefix(out, "log_prob\n") || strings.Count(out, "\n") != 301 {
		t.Errorf("logprob -out -: status %d, %d lines on stdout, stderr %q", code, strings.Count(out, "\n"), stderr)
	}
}
