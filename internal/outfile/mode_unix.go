//go:build unix

package outfile

import (
	"io/fs"
	"os"
	"syscall"
)

// writable reports whether the mode bits of fi let this process write it:
// the owner's bit for its owner, the group's for a member of its group,
// the others' otherwise, and any write bit for root. Root may write a file
// whatever its mode, so a read-only file is recognised by its bits, not by
// a failed open.
func writable(fi fs.FileInfo) bool {
	perm := fi.Mode().Perm()
	st, ok := fi.Sys().(*syscall.Stat_t)
	uid := os.Geteuid()
	switch {
	case !ok || uid == 0:
		return perm&0o222 != 0
	case uint32(uid) == st.Uid:
		return perm&0o200 != 0
	case inGroup(st.Gid):
		return perm&0o020 != 0
	}
	return perm&0o002 != 0
}

func inGroup(gid uint32) bool {
	if uint32(os.Getegid()) == gid {
		return true
	}
	groups, _ := os.Getgroups()
	for _, g := range groups {
		if uint32(g) == gid {
			return true
		}
	}
	return false
}
