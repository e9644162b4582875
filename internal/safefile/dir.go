package safefile

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Dir is a directory the rules trusted when it was opened, held open for
// what is then read, written and removed in it. On Unix every name is
// resolved from the directory's descriptor (openat, renameat, unlinkat),
// never from its path again: whoever can write the parent may rename the
// directory or put a link in its place after the check, and what is
// written still lands in the directory that was checked, never where the
// link points. Elsewhere names are joined to the path.
type Dir struct {
	path string
	f    *os.File // nil where names are joined to the path
}

// OpenDir opens path, an existing directory the rules trust, without
// following a link in its place.
func OpenDir(path string) (*Dir, error) {
	d, err := openDir(path)
	if err != nil {
		if isLoop(err) || errors.Is(err, errNotDir) {
			return nil, &UntrustedError{path, "is a symbolic link or not a directory"}
		}
		return nil, err
	}
	fi, err := d.stat()
	if err == nil {
		err = judge(path, stat(path, fi), true, euid())
	}
	if err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

// MakeDir is MkdirTrusted, then OpenDir.
func MakeDir(path string) (*Dir, error) {
	if err := MkdirTrusted(path); err != nil {
		return nil, err
	}
	return OpenDir(path)
}

// Path is the path the directory was opened by, for messages.
func (d *Dir) Path() string { return d.path }

// Close closes the directory.
func (d *Dir) Close() error {
	if d.f == nil {
		return nil
	}
	return d.f.Close()
}

// Stat returns the directory's own metadata, as opened.
func (d *Dir) Stat() (fs.FileInfo, error) { return d.stat() }

// join is the path of name in d, for messages and path-based systems.
func (d *Dir) join(name string) string { return filepath.Join(d.path, name) }

// checkName refuses a name that is not a single entry of the directory.
func checkName(name string) error {
	if name == "" || name == "." || name == ".." || strings.ContainsAny(name, `/\`) {
		return fmt.Errorf("%q is not a file name", name)
	}
	return nil
}

// ReadFile reads the file name of d, a regular file the rules trust, of at
// most max bytes.
func (d *Dir) ReadFile(name string, max int64) ([]byte, error) {
	f, err := d.OpenFile(name, os.O_RDONLY, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if fi.Size() > max {
		return nil, &UntrustedError{d.join(name), fmt.Sprintf("is larger than %d bytes", max)}
	}
	b, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > max {
		return nil, &UntrustedError{d.join(name), fmt.Sprintf("is larger than %d bytes", max)}
	}
	return b, nil
}

// OpenFile opens the file name of d with flag (os.O_CREATE makes it of mode
// perm), without following a link or blocking on a FIFO, and returns it
// when it is a regular file the rules trust.
func (d *Dir) OpenFile(name string, flag int, perm fs.FileMode) (*os.File, error) {
	if err := checkName(name); err != nil {
		return nil, err
	}
	f, err := d.open(name, flag|openFlags, perm)
	if err != nil {
		if isLoop(err) {
			return nil, &UntrustedError{d.join(name), "is a symbolic link"}
		}
		return nil, err
	}
	fi, err := f.Stat()
	if err == nil {
		err = judge(d.join(name), stat(d.join(name), fi), false, euid())
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// WriteFile replaces the file name of d with data, of mode 0600, so that
// readers see the old file or the new one, never part of one: it writes a
// temporary file (name.<random>.tmp) in d, flushes it to disk and renames
// it over name. The rename replaces whatever was at name, a link or a FIFO
// included, without following it.
func (d *Dir) WriteFile(name string, data []byte) error {
	if err := checkName(name); err != nil {
		return err
	}
	var r [tempRandom]byte
	rand.Read(r[:])
	tmp := name + "." + hex.EncodeToString(r[:]) + ".tmp"
	f, err := d.open(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL|openFlags, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = d.rename(tmp, name)
	}
	if err != nil {
		d.remove(tmp)
	}
	return err
}

// Remove removes the file name of d.
func (d *Dir) Remove(name string) error {
	if err := checkName(name); err != nil {
		return err
	}
	return d.remove(name)
}

// Names returns the names of d's entries that end in ext.
func (d *Dir) Names(ext string) ([]string, error) {
	names, err := d.names()
	var out []string
	for _, n := range names {
		if strings.HasSuffix(n, ext) && checkName(n) == nil {
			out = append(out, n)
		}
	}
	return out, err
}

// RemoveMatching removes the files of d whose names end in ext and whose
// content match accepts, and returns how many it removed. Each file is
// read by the rules (ReadFile, at most MaxSmallFile bytes): one that is not
// a regular file of the user's, writable by no one else, is neither read
// nor removed, so that a FIFO or a link to /dev/zero there can neither hang
// the sweep nor fill memory. A file another process removed first is not
// an error.
func (d *Dir) RemoveMatching(ext string, match func(content []byte) bool) (int, error) {
	names, err := d.Names(ext)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, name := range names {
		if b, err := d.ReadFile(name, MaxSmallFile); err != nil || !match(b) {
			continue
		}
		switch err := d.remove(name); {
		case err == nil:
			n++
		case !errors.Is(err, fs.ErrNotExist):
			return n, err
		}
	}
	return n, nil
}

// WriteFile is Dir.WriteFile of the file at path, in its directory opened
// by OpenDir: the directory must be one the rules trust.
func WriteFile(path string, data []byte) error {
	d, err := OpenDir(filepath.Dir(path))
	if err != nil {
		return err
	}
	defer d.Close()
	return d.WriteFile(filepath.Base(path), data)
}

// tempRandom is how many random bytes, in hex, WriteFile's temporary file
// names carry.
const tempRandom = 8

// TempOf returns the name of the file that a temporary file of WriteFile,
// named name, was to replace, and whether name is one: a writer killed
// before its rename leaves it behind.
func TempOf(name string) (string, bool) {
	rest, ok := strings.CutSuffix(name, ".tmp")
	dot := len(rest) - 2*tempRandom - 1
	if !ok || dot < 1 || rest[dot] != '.' {
		return "", false
	}
	if _, err := hex.DecodeString(rest[dot+1:]); err != nil {
		return "", false
	}
	return rest[:dot], true
}
