//go:build !unix

package outfile

import "io/fs"

// writable reports whether fi has a write bit set.
func writable(fi fs.FileInfo) bool { return fi.Mode().Perm()&0o222 != 0 }
