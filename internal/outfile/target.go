package outfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// maxLinks is how many symbolic links Check follows before giving up, as
// the kernel's ELOOP limit.
const maxLinks = 40

// Target is an output path that Check found writable.
type Target struct {
	Path string      // the path as given
	real string      // Path with symbolic links followed
	info fs.FileInfo // the existing file at real, nil when absent
	dir  fs.FileInfo // the folder of real
}

// Check returns the target at path, or an error naming path when it cannot
// be written safely: its folder is missing or not writable, or the path
// (after symbolic links) is a directory, a device node, a socket or a
// read-only regular file. It creates and removes a probe file in the
// folder, so that a folder the system will not let us write is found now,
// not after the work.
func Check(path string) (*Target, error) {
	if path == "" {
		return nil, errors.New("outfile: empty path")
	}
	real, err := resolve(path)
	if err != nil {
		return nil, err
	}
	t := &Target{Path: path, real: real}
	dir := filepath.Dir(real)
	switch t.dir, err = os.Stat(dir); {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("cannot write %s: folder %s does not exist", path, dir)
	case err != nil:
		return nil, fmt.Errorf("cannot write %s: folder %s: %w", path, dir, unwrapPath(err))
	case !t.dir.IsDir():
		return nil, fmt.Errorf("cannot write %s: %s is not a folder", path, dir)
	}
	t.info, err = os.Lstat(real)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		t.info = nil
	case err != nil:
		return nil, fmt.Errorf("cannot write %s: %w", path, unwrapPath(err))
	}
	if t.info != nil {
		if err := t.checkKind(); err != nil {
			return nil, err
		}
		if t.pipe() {
			return t, nil
		}
	}
	if !writable(t.dir) {
		return nil, fmt.Errorf("cannot write %s: folder %s is not writable (mode %v)", path, dir, t.dir.Mode().Perm())
	}
	probe, err := os.CreateTemp(dir, ".nflow-probe-*")
	if err != nil {
		return nil, fmt.Errorf("cannot write %s: folder %s: %w", path, dir, unwrapPath(err))
	}
	probe.Close()
	os.Remove(probe.Name())
	return t, nil
}

// checkKind refuses an existing target that must not be replaced.
func (t *Target) checkKind() error {
	m := t.info.Mode()
	switch {
	case m.IsDir():
		return fmt.Errorf("cannot write %s: it is a folder", t.Path)
	case m&fs.ModeNamedPipe != 0:
		return nil
	case m&fs.ModeDevice != 0:
		return fmt.Errorf("cannot write %s: it is a device node, not a regular file; refusing to replace it", t.Path)
	case !m.IsRegular():
		return fmt.Errorf("cannot write %s: it is a %v, not a regular file; refusing to replace it", t.Path, m.Type())
	case !writable(t.info):
		return fmt.Errorf("cannot write %s: the file is read-only (mode %v); refusing to replace it", t.Path, m.Perm())
	}
	return nil
}

// pipe reports whether the target is an existing named pipe, written in
// place.
func (t *Target) pipe() bool { return t.info != nil && t.info.Mode()&fs.ModeNamedPipe != 0 }

// Same reports whether t and u are the same file: the same existing file
// (os.SameFile, so hard links and symbolic links count), or the same new
// name in the same folder.
func (t *Target) Same(u *Target) bool {
	if t.info != nil || u.info != nil {
		return t.info != nil && u.info != nil && os.SameFile(t.info, u.info)
	}
	return os.SameFile(t.dir, u.dir) && filepath.Base(t.real) == filepath.Base(u.real)
}

// Is reports whether t is the existing file at path (by identity, not by
// name). It is false when either is absent.
func (t *Target) Is(path string) bool {
	if t.info == nil || path == "" {
		return false
	}
	fi, err := os.Stat(path)
	return err == nil && os.SameFile(t.info, fi)
}

// Stdout reports whether t is the process's standard output (such as
// /dev/stdout or /proc/self/fd/1).
func (t *Target) Stdout() bool {
	if t.info == nil {
		return false
	}
	fi, err := os.Stdout.Stat()
	if err != nil {
		return false
	}
	real, err := os.Stat(t.real)
	return err == nil && os.SameFile(real, fi)
}

// IsStdout reports whether path names the process's standard output, for
// a check before Check (which refuses a terminal, a device node).
func IsStdout(path string) bool {
	fi, err := os.Stat(path)
	if err != nil {
		return false
	}
	out, err := os.Stdout.Stat()
	return err == nil && os.SameFile(fi, out)
}

// resolve follows the symbolic links of path's last element (a missing
// final target is fine: it will be created).
func resolve(path string) (string, error) {
	p := path
	for i := 0; ; i++ {
		fi, err := os.Lstat(p)
		if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
			return p, nil
		}
		if i == maxLinks {
			return "", fmt.Errorf("cannot write %s: more than %d symbolic links", path, maxLinks)
		}
		to, err := os.Readlink(p)
		if err != nil {
			return "", fmt.Errorf("cannot write %s: %w", path, unwrapPath(err))
		}
		if !filepath.IsAbs(to) {
			to = filepath.Join(filepath.Dir(p), to)
		}
		p = to
	}
}

// unwrapPath returns the cause of a *fs.PathError, whose path may be an
// internal name the user never gave.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
