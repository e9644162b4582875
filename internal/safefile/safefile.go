// Package safefile reads the files the helper keeps or borrows (its
// credential cache, the AWS CLI's cache, the IAM Identity Center token
// cache) by ssh's rules for ~/.ssh: a directory is used only if it is a real
// directory, owned by the effective user and writable by no one else; a file
// only if it is a regular file owned by the effective user, writable by no
// one else, and not too large. Files are opened without following a
// symbolic link and without blocking, so a FIFO or a link to /dev/zero
// planted in their place is refused at once rather than read. On Windows,
// the owner and the access list stand in for the uid and the mode bits
// (judgeACL).
//
// Nothing here changes a mode or an owner: what the helper did not create
// is refused, never repaired.
package safefile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// MaxSmallFile bounds every small file the helper reads: its credential
// cache entries, the AWS CLI's cache files, IAM Identity Center token
// files and the token files the SDK sends. Each holds a few KiB at most.
const MaxSmallFile = 64 << 10

// UntrustedError says why a file or directory is not used.
type UntrustedError struct {
	Path   string
	Reason string
}

func (e *UntrustedError) Error() string { return e.Path + " " + e.Reason }

// ErrUntrusted matches every *UntrustedError with errors.Is.
var ErrUntrusted = errors.New("untrusted file")

func (e *UntrustedError) Is(target error) bool { return target == ErrUntrusted }

// ownerMode is what the rules look at in a file's metadata.
type ownerMode struct {
	mode fs.FileMode
	uid  int    // -1 when the system has no uid to check
	acl  string // on Windows, why its owner or access list is not trusted (judgeACL); "" when they are
}

// judge applies the rules to what Lstat or Fstat found: wantDir says
// whether path must be a directory or a regular file, euid is the effective
// user (-1: no uids on this system; on Windows, m.acl holds judgeACL's
// verdict instead).
func judge(path string, m ownerMode, wantDir bool, euid int) error {
	switch {
	case m.mode&fs.ModeSymlink != 0:
		return &UntrustedError{path, "is a symbolic link"}
	case wantDir && !m.mode.IsDir():
		return &UntrustedError{path, "is not a directory"}
	case !wantDir && !m.mode.IsRegular():
		return &UntrustedError{path, "is not a regular file"}
	case euid >= 0 && m.uid != euid:
		return &UntrustedError{path, fmt.Sprintf("is owned by uid %d, not by this user (uid %d)", m.uid, euid)}
	case euid >= 0 && m.mode.Perm()&0o022 != 0:
		return &UntrustedError{path, fmt.Sprintf("is writable by group or others (mode %04o)", m.mode.Perm())}
	case m.acl != "":
		return &UntrustedError{path, m.acl}
	}
	return nil
}

// Windows' rules, those of OpenSSH for Windows for its own files: the
// owner is the user, SYSTEM or the Administrators group (which owns what an
// elevated administrator creates), and no access-allowed entry that applies
// to the file grants anyone else a right to change it.
const (
	sidSystem         = "S-1-5-18"
	sidAdministrators = "S-1-5-32-544"

	// writeRights are the rights that change a file or directory, or who
	// may: FILE_WRITE_DATA (ADD_FILE), FILE_APPEND_DATA
	// (ADD_SUBDIRECTORY), FILE_DELETE_CHILD, DELETE, WRITE_DAC,
	// WRITE_OWNER, GENERIC_ALL, GENERIC_WRITE.
	writeRights = 0x2 | 0x4 | 0x40 | 0x10000 | 0x40000 | 0x80000 | 0x10000000 | 0x40000000
)

// allowEntry is an access-allowed entry of a file's access list that
// applies to the file itself (not inherit-only).
type allowEntry struct {
	sid  string
	mask uint32
}

// judgeACL applies Windows' rules to a file's owner and access list (nil
// for a null list, which lets anyone do anything), me being the user's SID.
// It returns why they are not trusted, or "".
func judgeACL(owner, me string, allowed []allowEntry, null bool) string {
	trusted := func(sid string) bool { return sid == me || sid == sidSystem || sid == sidAdministrators }
	if !trusted(owner) {
		return fmt.Sprintf("is owned by %s, not by this user (%s)", owner, me)
	}
	if null {
		return "has no access control list: anyone may change it"
	}
	for _, e := range allowed {
		if e.mask&writeRights != 0 && !trusted(e.sid) {
			return fmt.Sprintf("is writable by %s, not only by this user (%s)", e.sid, me)
		}
	}
	return ""
}

// CheckDir reports whether path is a directory the rules trust.
func CheckDir(path string) error {
	fi, err := os.Lstat(path)
	if err != nil {
		return err
	}
	return judge(path, stat(path, fi), true, euid())
}

// MkdirTrusted makes path a trusted directory of mode 0700, creating it and,
// when needed, its parent, but nothing above: a missing grandparent (a HOME
// that does not exist) is an error, as is a relative path (a relative HOME
// would put credentials in the current directory). An existing directory is
// checked, never changed.
func MkdirTrusted(path string) error {
	if !filepath.IsAbs(path) {
		return &UntrustedError{path, "is not an absolute path"}
	}
	for _, dir := range []string{filepath.Dir(path), path} {
		err := os.Mkdir(dir, 0o700)
		switch {
		case errors.Is(err, fs.ErrExist):
		case err != nil:
			return err
		}
	}
	return CheckDir(path)
}

// ReadFile reads path, a regular file the rules trust, of at most max
// bytes.
func ReadFile(path string, max int64) ([]byte, error) {
	return read(path, max, openFlags, func(fi fs.FileInfo) error {
		return judge(path, stat(path, fi), false, euid())
	})
}

// ReadRegular reads path as ReadFile does, but whoever owns it and may
// write it: only its type and size are judged. It is for data a user reads
// from a tree others may write (a shared checkout's manifests), where a
// FIFO or a link to /dev/zero swapped in at any moment must neither hang
// the reader nor fill its memory.
func ReadRegular(path string, max int64) ([]byte, error) {
	return read(path, max, openFlags, func(fi fs.FileInfo) error {
		return judge(path, ownerMode{mode: fi.Mode(), uid: -1}, false, -1)
	})
}

// read opens path with flags (openFlags: no final link followed, no
// blocking), judges what it opened with check, and reads at most max bytes
// of it.
func read(path string, max int64, flags int, check func(fs.FileInfo) error) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|flags, 0)
	if err != nil {
		if isLoop(err) {
			return nil, &UntrustedError{path, "is a symbolic link"}
		}
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if err := check(fi); err != nil {
		return nil, err
	}
	if fi.Size() > max {
		return nil, &UntrustedError{path, fmt.Sprintf("is larger than %d bytes", max)}
	}
	b, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > max {
		return nil, &UntrustedError{path, fmt.Sprintf("is larger than %d bytes", max)}
	}
	return b, nil
}

// CheckFile reports whether the file at path, if there is one, is a regular
// file the rules trust, without opening it. A missing file is fine.
func CheckFile(path string) error {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	return judge(path, stat(path, fi), false, euid())
}

// CheckInfo applies the rules for a regular file to fi, the metadata of
// path as an open file reports it (os.File.Stat), for callers that open
// files themselves.
func CheckInfo(path string, fi fs.FileInfo) error {
	return judge(path, stat(path, fi), false, euid())
}
