package install

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/failure"
)

// remoteHelperPath is where the git-remote-codecommit link goes.
func (o Options) remoteHelperPath() string {
	return remoteHelperPath(runtime.GOOS, o.Binary, o.RemoteHelperDir)
}

// remoteHelperPath is where the git-remote-codecommit link to binary goes
// on goos: in dir, else beside binary, with Windows' .exe.
func remoteHelperPath(goos, binary, dir string) string {
	if dir == "" {
		dir = filepath.Dir(binary)
	}
	name := "git-remote-codecommit"
	if goos == "windows" {
		name += ".exe"
	}
	return filepath.Join(dir, name)
}

// hardLinks reports whether the link is a hard link on goos: Windows needs
// privileges for symbolic links, and git there finds a hard link's name.
func hardLinks(goos string) bool { return goos == "windows" }

// linkRemoteHelper makes git-remote-codecommit a link to the binary: a
// symbolic link, or a hard link on Windows, where symbolic links need
// privileges. An existing link to the binary is left alone; any other file
// of that name is an error. It reports whether it made the link.
func (o Options) linkRemoteHelper(w io.Writer) (bool, error) {
	link := o.remoteHelperPath()
	os.Remove(link + oldSuffix) // what an uninstall on Windows left, if it has stopped running
	if same, err := sameFile(link, o.Binary); err == nil {
		if same {
			fmt.Fprintf(w, "%s already runs this binary\n", link)
			return false, nil
		}
		return false, &failure.Error{Problem: link + " exists and is not this binary", Fix: "remove it first"}
	}
	var err error
	if hardLinks(runtime.GOOS) {
		err = os.Link(o.Binary, link)
	} else {
		err = os.Symlink(o.Binary, link)
	}
	if err != nil {
		return false, &failure.Error{Problem: "cannot link the remote helper " + link, Cause: failure.Reason(err), Fix: "check that directory's permissions, or give --remote-helper=DIR", Err: err}
	}
	fmt.Fprintf(w, "linked %s to %s: git now runs it for codecommit:// URLs\n", link, o.Binary)
	if !onPath(filepath.Dir(link)) {
		fmt.Fprintf(w, "note: %s is not on PATH, where git looks for remote helpers\n", filepath.Dir(link))
	}
	return true, nil
}

// oldSuffix names where unlinkRemoteHelper moves a link Windows will not
// delete.
const oldSuffix = ".old"

// unlinkRemoteHelper removes the link. On Windows the link is a hard link to
// the running binary (uninstall runs from it), and Windows deletes no name
// of a program while it runs, but renames one: the link is moved out of
// git's way to link.old, which the next install or uninstall deletes.
func unlinkRemoteHelper(link string, w io.Writer) error {
	os.Remove(link + oldSuffix)
	err := os.Remove(link)
	if err != nil && hardLinks(runtime.GOOS) {
		if os.Rename(link, link+oldSuffix) == nil {
			fmt.Fprintf(w, "removed %s (renamed to %s%s: Windows deletes no name of a running program)\n", link, filepath.Base(link), oldSuffix)
			return nil
		}
	}
	if err != nil {
		return &failure.Error{Problem: "cannot remove " + link, Cause: failure.Reason(err), Fix: "check that directory's permissions, or remove it yourself", Err: err}
	}
	fmt.Fprintf(w, "removed %s\n", link)
	return nil
}

// sameFile reports whether a and b are the same file; it fails when a does
// not exist.
func sameFile(a, b string) (bool, error) {
	fa, err := os.Stat(a)
	if err != nil {
		if _, lerr := os.Lstat(a); lerr == nil {
			return false, nil // a dangling link: not ours to replace
		}
		return false, err
	}
	fb, err := os.Stat(b)
	if err != nil {
		return false, err
	}
	return os.SameFile(fa, fb), nil
}

func onPath(dir string) bool {
	for _, d := range filepath.SplitList(os.Getenv("PATH")) {
		if a, err := filepath.Abs(d); err == nil && a == dir {
			return true
		}
	}
	return false
}
