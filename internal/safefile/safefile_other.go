//go:build !unix && !windows

package safefile

import "io/fs"

// Systems other than Unix and Windows: the rules there are the file type
// and the size.
const openFlags = 0

// OpenFlags are the flags that make os.OpenFile refuse a symbolic link and
// not block on a FIFO, where the system has them.
const OpenFlags = openFlags

func euid() int { return -1 }

func stat(_ string, fi fs.FileInfo) ownerMode { return ownerMode{mode: fi.Mode(), uid: -1} }

func isLoop(error) bool { return false }
