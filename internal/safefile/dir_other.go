//go:build !unix

package safefile

import (
	"errors"
	"io/fs"
	"os"
)

// Without openat, names are joined to the directory's path, which is
// checked again (CheckDir) before each use.
var errNotDir = errors.New("not a directory")

func openDir(path string) (*Dir, error) {
	fi, err := os.Lstat(path)
	if err != nil {
		return nil, err
	}
	if fi.Mode()&fs.ModeSymlink != 0 || !fi.IsDir() {
		return nil, errNotDir
	}
	return &Dir{path: path}, nil
}

func (d *Dir) stat() (fs.FileInfo, error) { return os.Lstat(d.path) }

func (d *Dir) open(name string, flag int, perm fs.FileMode) (*os.File, error) {
	if err := CheckDir(d.path); err != nil {
		return nil, err
	}
	return os.OpenFile(d.join(name), flag, perm)
}

func (d *Dir) rename(old, new string) error {
	if err := CheckDir(d.path); err != nil {
		return err
	}
	return os.Rename(d.join(old), d.join(new))
}

func (d *Dir) remove(name string) error { return os.Remove(d.join(name)) }

func (d *Dir) names() ([]string, error) {
	f, err := os.Open(d.path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return f.Readdirnames(-1)
}
