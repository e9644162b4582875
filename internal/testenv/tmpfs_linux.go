package testenv

import (
	"os"
	"syscall"
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
	var st syscall.Statfs_t
	if syscall.Statfs(shm, &st) != nil || st.Type != tmpfsMagic || st.Flags&stNoExec != 0 || st.Bavail*uint64(st.Bsize) < minShmFree {
		return
	}
	if f, err := os.CreateTemp(shm, "testenv-probe-"); err == nil {
		f.Close()
		os.Remove(f.Name())
		diskTemp = os.TempDir()
		os.Setenv("TMPDIR", shm)
	}
}

const (
	tmpfsMagic = 0x01021994 // statfs(2)'s TMPFS_MAGIC
	stNoExec   = 0x8        // statfs(2)'s ST_NOEXEC in f_flags
	minShmFree = 2 << 30    // the Windows suite's Wine prefix alone takes hundreds of MB
)
