package credcache

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/failure"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/safefile"
)

// name is the cache directory's name in the directories it may live in.
const name = "git-credential-codecommit"

// Open returns the cache in the directory Locate chooses, with debugf (nil
// for none) told what it does, each thing once. It creates nothing.
func Open(debugf func(format string, args ...any)) (*Cache, error) {
	dir, passed, err := Locate()
	if err != nil {
		return nil, err
	}
	c := &Cache{Dir: dir, Now: time.Now, Debugf: once(debugf)}
	if passed != "" {
		c.debugf("cache: %s; using %s", passed, dir)
	}
	return c, nil
}

// once returns debugf, nil for none, dropping a line it has written
// already: a directory the rules refuse is found so at every step of a
// retrieval, and one line says it.
func once(debugf func(format string, args ...any)) func(format string, args ...any) {
	if debugf == nil {
		return func(string, ...any) {}
	}
	var (
		mu   sync.Mutex
		said = map[string]bool{}
	)
	return func(format string, args ...any) {
		line := fmt.Sprintf(format, args...)
		mu.Lock()
		defer mu.Unlock()
		if !said[line] {
			said[line] = true
			debugf("%s", line)
		}
	}
}

// Locate returns the cache directory, without creating it, and why the
// directories before it were passed over ("" when the first was used).
// The first that exists and is trusted (internal/safefile), or can be
// created, is used, of:
//
//  1. git-credential-codecommit in the user's cache directory, as
//     os.UserCacheDir finds it ($XDG_CACHE_HOME or ~/.cache, ~/Library/Caches
//     on macOS, %LocalAppData% on Windows), which must be an absolute path:
//     a relative one (HOME=. in a CI job) would put credentials in the
//     working tree, where git add -A picks them up;
//  2. on Unix, when that cannot be used (no HOME, HOME=/nonexistent as
//     containers running as an arbitrary uid set it, a read-only or
//     another user's cache directory), git-credential-codecommit in
//     $XDG_RUNTIME_DIR, the user's own 0700 directory;
//  3. then /tmp/git-credential-codecommit-<uid>, created 0700, and refused
//     when it exists and is not the user's or others may read it. It is
//     /tmp, not $TMPDIR, which CI jobs often point into the working tree.
//
// When none can be used, the error says why, and the helper goes on
// uncached.
func Locate() (dir, passed string, err error) {
	return locate(candidates(runtime.GOOS, os.Getenv, os.Getuid(), "/tmp"))
}

// candidate is a directory the cache may live in.
type candidate struct {
	dir     string
	err     error // why it is none (no such variable, a relative path)
	private bool  // the temporary one: refused unless only the user may use it
}

// candidates are Locate's choices on goos, with getenv for the
// environment, uid the user's (-1 for none) and tmp the system's
// temporary directory.
func candidates(goos string, getenv func(string) string, uid int, tmp string) []candidate {
	cs := []candidate{userCacheDir(goos, getenv)}
	if goos == "windows" || goos == "plan9" || uid < 0 {
		return cs
	}
	run := candidate{dir: getenv("XDG_RUNTIME_DIR")}
	switch {
	case run.dir == "":
		run.err = errors.New("XDG_RUNTIME_DIR is not set")
	case !strings.HasPrefix(run.dir, "/"):
		run.err = fmt.Errorf("XDG_RUNTIME_DIR (%s) is not an absolute path", run.dir)
	default:
		run.dir = join(goos, run.dir, name)
	}
	return append(cs, run, candidate{dir: join(goos, tmp, name+"-"+strconv.Itoa(uid)), private: true})
}

// userCacheDir is git-credential-codecommit in the directory
// os.UserCacheDir names on goos, which must be absolute.
func userCacheDir(goos string, getenv func(string) string) candidate {
	var d, from string
	switch goos {
	case "windows":
		d, from = getenv("LocalAppData"), "LocalAppData"
	case "darwin", "ios":
		if h := getenv("HOME"); h != "" {
			d, from = h+"/Library/Caches", "HOME"
		}
	case "plan9":
		if h := getenv("home"); h != "" {
			d, from = h+"/lib/cache", "home"
		}
	default:
		d, from = getenv("XDG_CACHE_HOME"), "XDG_CACHE_HOME"
		if d == "" && getenv("HOME") != "" {
			d, from = getenv("HOME")+"/.cache", "HOME"
		}
	}
	switch {
	case d == "" && goos == "windows":
		return candidate{err: errors.New("LocalAppData is not set")}
	case d == "":
		return candidate{err: errors.New("neither XDG_CACHE_HOME nor HOME is set")}
	case !isAbs(goos, d):
		return candidate{err: fmt.Errorf("%s gives a relative path (%s)", from, d)}
	}
	return candidate{dir: join(goos, d, name)}
}

// locate returns the first of cs that can be used, and why those before it
// could not.
func locate(cs []candidate) (dir, passed string, err error) {
	var why []string
	for _, c := range cs {
		err := c.err
		if err == nil {
			err = usable(c)
		}
		if err == nil {
			return c.dir, strings.Join(why, "; "), nil
		}
		why = append(why, err.Error())
	}
	return "", "", &failure.Error{Problem: "no cache directory can be used", Cause: strings.Join(why, "; "),
		Fix: "set XDG_CACHE_HOME to a directory of yours, or pass --no-cache"}
}

// usable reports why c cannot hold the cache, or nil: it is a directory
// the rules trust, or it is missing and its parent (for the user's cache
// directory, the parent's parent: ~/.cache may be missing too) is a
// directory the user can create it in.
func usable(c candidate) error {
	fi, err := os.Lstat(c.dir)
	if err == nil {
		if err := safefile.CheckDir(c.dir); err != nil {
			return err
		}
		if c.private && fi.Mode().Perm()&0o077 != 0 {
			return &safefile.UntrustedError{Path: c.dir, Reason: fmt.Sprintf("is open to others (mode %04o)", fi.Mode().Perm())}
		}
		return nil
	}
	if perr := parentUsable(c); perr != nil || !errors.Is(err, fs.ErrNotExist) {
		return cmp.Or(perr, err)
	}
	return nil
}

// parentUsable reports why c's directory could not be created, or nil.
func parentUsable(c candidate) error {
	parent := filepath.Dir(c.dir)
	if _, err := os.Stat(parent); errors.Is(err, fs.ErrNotExist) && !c.private {
		parent = filepath.Dir(parent)
	}
	fi, err := os.Stat(parent)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("%s does not exist", parent)
	case err != nil:
		return err
	case !fi.IsDir():
		return fmt.Errorf("%s is not a directory", parent)
	}
	if err := canCreateIn(parent); err != nil {
		return fmt.Errorf("cannot create a directory in %s (%v)", parent, err)
	}
	return nil
}

// isAbs is filepath.IsAbs for goos: C:\… and \\server\share on Windows.
func isAbs(goos, p string) bool {
	if goos != "windows" {
		return strings.HasPrefix(p, "/")
	}
	return len(p) >= 3 && p[1] == ':' && (p[2] == '\\' || p[2] == '/') || strings.HasPrefix(p, `\\`)
}

// join is filepath.Join for goos.
func join(goos, dir, name string) string {
	sep := "/"
	if goos == "windows" {
		sep = `\`
	}
	return strings.TrimRight(dir, sep) + sep + name
}
