//go:build unix

package safefile

import (
	"io/fs"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

var errNotDir = syscall.ENOTDIR

func openDir(path string) (*Dir, error) {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: path, Err: err}
	}
	return &Dir{path: path, f: os.NewFile(uintptr(fd), path)}, nil
}

func (d *Dir) stat() (fs.FileInfo, error) { return d.f.Stat() }

// fd is the directory's descriptor. The call keeps d.f in use, as every
// caller does for as long as it uses fd.
func (d *Dir) fd() int { return int(d.f.Fd()) }

func (d *Dir) open(name string, flag int, perm fs.FileMode) (*os.File, error) {
	fd, err := unix.Openat(d.fd(), name, flag|unix.O_CLOEXEC, uint32(perm.Perm()))
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: d.join(name), Err: err}
	}
	return os.NewFile(uintptr(fd), d.join(name)), nil
}

func (d *Dir) rename(old, new string) error {
	if err := unix.Renameat(d.fd(), old, d.fd(), new); err != nil {
		return &os.LinkError{Op: "rename", Old: d.join(old), New: d.join(new), Err: err}
	}
	return nil
}

func (d *Dir) remove(name string) error {
	if err := unix.Unlinkat(d.fd(), name, 0); err != nil {
		return &fs.PathError{Op: "remove", Path: d.join(name), Err: err}
	}
	return nil
}

func (d *Dir) names() ([]string, error) {
	f, err := d.open(".", os.O_RDONLY|unix.O_DIRECTORY, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return f.Readdirnames(-1)
}
