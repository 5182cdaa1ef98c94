package outfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func write(t *testing.T, path, text string) error {
	t.Helper()
	tg, err := Check(path)
	if err != nil {
		return err
	}
	return tg.Write(func(w io.Writer) error {
		_, err := io.WriteString(w, text)
		return err
	})
}

func contents(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// leftovers lists the files of dir other than those named.
func leftovers(t *testing.T, dir string, known ...string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		if !strings.Contains(strings.Join(known, "/"), e.Name()) {
			out = append(out, e.Name())
		}
	}
	return out
}

func TestWriteNewAndExisting(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "out.csv")
	if err := write(t, p, "one"); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := write(t, p, "two"); err != nil {
		t.Fatal(err)
	}
	if got := contents(t, p); got != "two" {
		t.Errorf("contents %q, expected %q", got, "two")
	}
	if st, _ := os.Stat(p); st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v after replacing a 0600 file, expected it kept", st.Mode().Perm())
	}
	if l := leftovers(t, dir, "out.csv"); len(l) > 0 {
		t.Errorf("files left behind: %v", l)
	}
}

func TestSymlinkIsFollowed(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "real.csv")
	link := filepath.Join(dir, "link.csv")
	if err := os.WriteFile(target, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("real.csv", link); err != nil {
		t.Fatal(err)
	}
	if err := write(t, link, "new"); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("%s is no longer a symbolic link (%v)", link, err)
	}
	if got := contents(t, target); got != "new" {
		t.Errorf("link target holds %q, expected %q", got, "new")
	}
	// A dangling link creates its target.
	dangling := filepath.Join(dir, "dangling.csv")
	if err := os.Symlink("made.csv", dangling); err != nil {
		t.Fatal(err)
	}
	if err := write(t, dangling, "made"); err != nil {
		t.Fatal(err)
	}
	if got := contents(t, filepath.Join(dir, "made.csv")); got != "made" {
		t.Errorf("dangling link's target holds %q, expected %q", got, "made")
	}
}

// TestRefused checks the targets that must never be replaced, with the
// process's own privileges (root too: read-only is judged by mode bits).
func TestRefused(t *testing.T) {
	dir := t.TempDir()
	ro := filepath.Join(dir, "ro.nflow")
	if err := os.WriteFile(ro, []byte("keep"), 0o444); err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(dir, "sub")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	rodir := filepath.Join(dir, "rodir")
	if err := os.Mkdir(rodir, 0o555); err != nil {
		t.Fatal(err)
	}
	cases := []struct{ path, want string }{
		{ro, "read-only"},
		{sub, "is a folder"},
		{filepath.Join(rodir, "m.nflow"), "folder " + rodir + " is not writable"},
		{filepath.Join(dir, "missing", "m.nflow"), "does not exist"},
	}
	null := filepath.Join(dir, "null")
	if err := syscall.Mknod(null, syscall.S_IFCHR|0o666, 1<<8|3); err == nil {
		cases = append(cases, struct{ path, want string }{null, "device node"})
	} else {
		t.Logf("mknod: %v; the device-node case is not run", err)
	}
	for _, c := range cases {
		err := write(t, c.path, "new")
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), c.path) {
			t.Errorf("%s: error %v, expected one naming the path and containing %q", c.path, err, c.want)
		}
	}
	if got := contents(t, ro); got != "keep" {
		t.Errorf("read-only file now holds %q", got)
	}
	if fi, err := os.Lstat(null); err == nil && fi.Mode()&os.ModeDevice == 0 {
		t.Errorf("%s is no longer a device node: %v", null, fi.Mode())
	}
}

func TestFailedWriteKeepsTarget(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "samples.csv")
	if err := os.WriteFile(p, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	tg, err := Check(p)
	if err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err = tg.Write(func(w io.Writer) error {
		io.WriteString(w, "partial")
		return boom
	})
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), p) {
		t.Errorf("error %v, expected boom naming %s", err, p)
	}
	if got := contents(t, p); got != "old" {
		t.Errorf("after a failed write the target holds %q, expected %q", got, "old")
	}
	if l := leftovers(t, dir, "samples.csv"); len(l) > 0 {
		t.Errorf("files left behind: %v", l)
	}
}

func TestSame(t *testing.T) {
	dir := t.TempDir()
	a := filepath.Join(dir, "a.csv")
	if err := os.WriteFile(a, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	hard := filepath.Join(dir, "hard.csv")
	if err := os.Link(a, hard); err != nil {
		t.Fatal(err)
	}
	ta, _ := Check(a)
	th, _ := Check(hard)
	if !ta.Same(th) || !th.Is(a) {
		t.Errorf("a hard link to %s is not recognised as the same file", a)
	}
	n1, _ := Check(filepath.Join(dir, "new.png"))
	n2, _ := Check(filepath.Join(dir, ".", "new.png"))
	n3, _ := Check(filepath.Join(dir, "other.png"))
	if !n1.Same(n2) || n1.Same(n3) || n1.Same(ta) {
		t.Error("new names: same name in the same folder must be Same, others not")
	}
}

func TestNamedPipe(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(p, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	got := make(chan string)
	go func() {
		b, _ := os.ReadFile(p)
		got <- string(b)
	}()
	if err := write(t, p, "through"); err != nil {
		t.Fatal(err)
	}
	if s := <-got; s != "through" {
		t.Errorf("the pipe's reader got %q", s)
	}
	if fi, _ := os.Lstat(p); fi.Mode()&os.ModeNamedPipe == 0 {
		t.Errorf("%s is no longer a named pipe", p)
	}
}
