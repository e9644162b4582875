// Package atomicfile replaces files that hold credentials so that readers
// see the old file or the new one, never part of one, and no one else can
// read either.
package atomicfile

import (
	"os"
	"path/filepath"
)

// Write replaces the file at path with data, of mode 0600: it writes a
// temporary file in the same directory, flushes it to disk and renames it
// over path. The directory must exist.
func Write(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".*.tmp") // mode 0600
	if err != nil {
		return err
	}
	defer os.Remove(f.Name()) // after a successful rename, there is nothing to remove
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
