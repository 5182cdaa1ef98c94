package outfile

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Write writes the output of write to t: to a new temporary file in the
// target's folder that is synced and renamed over the target (keeping an
// existing file's permissions, 0644 for a new one), or straight into a
// named pipe opened write-only. It checks t again first, since the file
// system may have changed since Check. A failed write removes the
// temporary file and leaves the target as it was.
func (t *Target) Write(write func(io.Writer) error) error {
	now, err := Check(t.Path)
	if err != nil {
		return err
	}
	if now.pipe() {
		return now.writePipe(write)
	}
	perm := os.FileMode(0o644)
	if now.info != nil {
		perm = now.info.Mode().Perm()
	}
	f, err := os.CreateTemp(filepath.Dir(now.real), "."+filepath.Base(now.real)+".*.tmp")
	if err != nil {
		return fmt.Errorf("cannot write %s: %w", t.Path, unwrapPath(err))
	}
	tmp := f.Name()
	bw := bufio.NewWriter(f)
	if err = f.Chmod(perm); err == nil {
		err = write(bw)
	}
	if err == nil {
		err = bw.Flush()
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, now.real)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("writing %s: %w", t.Path, unwrapPath(err))
	}
	return nil
}

// writePipe writes into the named pipe at t, opened write-only: a pipe
// opened read-write would be its own reader and never see the real reader
// leave.
func (t *Target) writePipe(write func(io.Writer) error) error {
	f, err := os.OpenFile(t.real, os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("cannot write %s: %w", t.Path, unwrapPath(err))
	}
	bw := bufio.NewWriter(f)
	err = write(bw)
	if err == nil {
		err = bw.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("writing %s: %w", t.Path, unwrapPath(err))
	}
	return nil
}

// WriteFile checks path and writes data to it as Write does.
func WriteFile(path string, data []byte) error {
	t, err := Check(path)
	if err != nil {
		return err
	}
	return t.Write(func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}
