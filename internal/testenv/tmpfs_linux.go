package testenv

import (
	"os"

	"golang.org/x/sys/unix"
)

// shm is where Linux keeps a tmpfs for everyone.
const shm = "/dev/shm"

// memoryTempDir points TMPDIR, when nobody set it, at /dev/shm when that is
// a tmpfs with room (minShmFree) from which programs may run. On this
// project's machines /tmp is ext4, where creating a file in a directory
// whose inodes were recently freed scans inode tables (ext4's
// recently_deleted): with the thousands of files git, npm and pip make and
// t.TempDir deletes, that was about a fifth of the suite's CPU time. Each
// test's files still live in its own t.TempDir, and vanish with it.
func memoryTempDir() {
	if os.Getenv("TMPDIR") != "" {
		return
	}
	var st unix.Statfs_t
	if unix.Statfs(shm, &st) != nil || st.Type != unix.TMPFS_MAGIC || st.Flags&unix.ST_NOEXEC != 0 || st.Bavail*uint64(st.Bsize) < minShmFree {
		return
	}
	if f, err := os.CreateTemp(shm, "testenv-probe-"); err == nil {
		f.Close()
		os.Remove(f.Name())
		diskTemp = os.TempDir()
		os.Setenv("TMPDIR", shm)
	}
}

// minShmFree is the room memoryTempDir asks of /dev/shm: the tests' files
// and the cached builds take hundreds of MB (the Windows suite's Wine prefix
// stays on disk: see startWine).
const minShmFree = 2 << 30
