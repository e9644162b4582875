//go:build unix

package safefile

import (
	"errors"
	"io/fs"
	"os"
	"syscall"
)

// openFlags open without following a final symbolic link, and without
// waiting for a writer should the file be a FIFO.
const openFlags = syscall.O_NOFOLLOW | syscall.O_NONBLOCK

// OpenFlags are the flags that make os.OpenFile refuse a symbolic link and
// not block on a FIFO, for callers that open files themselves (locks).
const OpenFlags = openFlags

func euid() int { return os.Geteuid() }

func stat(_ string, fi fs.FileInfo) ownerMode {
	m := ownerMode{mode: fi.Mode(), uid: -1}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		m.uid = int(st.Uid)
	}
	return m
}

func isLoop(err error) bool { return errors.Is(err, syscall.ELOOP) }
