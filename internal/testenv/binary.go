package testenv

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofrs/flock"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/safefile"
)

// The helper binary is built once for all the test binaries of a run: go
// test runs the test binaries of several packages at once, and those of
// internal/cli, internal/doctor and internal/e2e all run the real binary.
// The build goes into a directory of this user's under os.TempDir, named by
// a hash of the module's source and of what else changes the build, under
// a lock, so that the first test binary builds and the others wait for it,
// and a later run with the same source builds nothing. The Windows suite's
// builds are kept the same way (cached).

// binName is the helper binary's file name.
const binName = "git-credential-codecommit"

// staleBuild is how long a build that no test binary has used is kept: far
// longer than a go test run (10 minutes unless told otherwise).
const staleBuild = time.Hour

// build holds the helper binary of this test process.
var build struct {
	once sync.Once
	path string
	err  error
}

// private holds the builds made for this process alone, which Main's
// cleanup removes.
var private struct {
	sync.Mutex
	dirs []string
}

// HelperBinary returns the path of git-credential-codecommit built from this
// module's source, building it at most once per source (see above). When
// the test binary counts coverage, so does the helper (go build -cover),
// into CoverDir.
func HelperBinary(t testing.TB) string {
	t.Helper()
	build.once.Do(func() { build.path, build.err = buildHelper() })
	if build.err != nil {
		t.Fatal(build.err)
	}
	return build.path
}

// buildArgs are the go build flags of the helper, before -o.
func buildArgs() []string {
	if mode := testing.CoverMode(); mode != "" {
		return []string{"build", "-cover", "-covermode=" + mode}
	}
	return []string{"build"}
}

func buildHelper() (string, error) {
	root, err := moduleRoot()
	if err != nil {
		return "", err
	}
	args := buildArgs()
	key, err := sourceKey(root, args, false)
	if err != nil {
		return "", err
	}
	dir, err := cached(key, func(dir string) error { return goBuild(root, args, dir) })
	return filepath.Join(dir, binName), err
}

// cached returns the directory named key under this user's directory of
// builds in os.TempDir, first making it with fill(dir) when it is not
// there: under a lock, so that one process makes it and the others wait and
// use it. Where that directory is not this user's own, it makes a directory
// for this process alone, as untrusted a place must not hand us a program.
func cached(key string, fill func(dir string) error) (string, error) {
	return cachedIn(os.TempDir(), key, fill)
}

// cachedIn is cached with the directory of builds in temp.
func cachedIn(temp, key string, fill func(dir string) error) (string, error) {
	base := filepath.Join(temp, fmt.Sprintf("git-credential-codecommit-test-%d", os.Getuid()))
	if err := safefile.MkdirTrusted(base); err != nil {
		dir, err := os.MkdirTemp(temp, "testenv-bin-")
		if err != nil {
			return "", err
		}
		private.Lock()
		private.dirs = append(private.dirs, dir)
		private.Unlock()
		return dir, fill(dir)
	}
	dir := filepath.Join(base, key)
	lock := flock.New(dir + ".lock")
	if err := lock.Lock(); err != nil {
		return "", fmt.Errorf("locking the build %s: %v", dir, err)
	}
	defer lock.Unlock()
	if _, err := os.Stat(dir); err == nil {
		now := time.Now()
		os.Chtimes(dir, now, now) // in use: not stale
		return dir, nil
	}
	removeStale(base, time.Now().Add(-staleBuild))
	tmp, err := os.MkdirTemp(base, "build-")
	if err != nil {
		return "", err
	}
	if err := fill(tmp); err != nil {
		os.RemoveAll(tmp)
		return "", err
	}
	if err := os.Rename(tmp, dir); err != nil {
		os.RemoveAll(tmp)
		return "", err
	}
	return dir, nil
}

func goBuild(root string, args []string, dir string) error {
	cmd := exec.Command("go", append(args, "-o", dir, ".")...)
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go %s: %v\n%s", strings.Join(cmd.Args[1:], " "), err, out)
	}
	return nil
}

// moduleRoot is the directory of the go.mod above the working directory,
// which go test makes the directory of the package under test.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("testenv: no go.mod above the working directory")
		}
		dir = parent
	}
}

// sourceKey hashes what a build of the module depends on: the Go release,
// the build's flags and environment, go.mod, go.sum and every Go file of the
// module but tests (nested modules, testdata and dot directories left out);
// with tests, the tests and testdata too (for go test -c, and what the tests
// embed).
func sourceKey(root string, args []string, tests bool) (string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "%s %s/%s %q %v\n", runtime.Version(), runtime.GOOS, runtime.GOARCH, args, tests)
	for _, v := range []string{"GOFLAGS", "GOEXPERIMENT", "GOFIPS140", "CGO_ENABLED", "GOAMD64", "GOARM64", "GOTOOLCHAIN"} {
		fmt.Fprintf(h, "%s=%q\n", v, os.Getenv(v))
	}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path == root {
				return nil
			}
			if strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata" && !tests {
				return filepath.SkipDir
			}
			if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil {
				return filepath.SkipDir
			}
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		// A testdata directory is walked only with tests: all of it, for
		// what they embed.
		testdata := strings.HasPrefix(rel, "testdata/") || strings.Contains(rel, "/testdata/")
		source := strings.HasSuffix(name, ".go") && (tests || !strings.HasSuffix(name, "_test.go"))
		if !testdata && !source && name != "go.mod" && name != "go.sum" {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s %d\n", rel, len(b))
		h.Write(b)
		return nil
	})
	if err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil))[:20], nil
}

// removeStale removes the builds in base last used before before, and those
// a killed build left, except one whose lock is held.
func removeStale(base string, before time.Time) {
	entries, _ := os.ReadDir(base)
	for _, e := range entries {
		fi, err := e.Info()
		if err != nil || !e.IsDir() || !fi.ModTime().Before(before) {
			continue
		}
		dir := filepath.Join(base, e.Name())
		l := flock.New(dir + ".lock")
		if ok, err := l.TryLock(); err != nil || !ok {
			continue
		}
		os.RemoveAll(dir)
		os.Remove(dir + ".lock")
		l.Close()
	}
}

// cover holds the coverage directory of this test process.
var cover struct {
	once    sync.Once
	dir     string
	private bool // made by CoverDir, which Main's cleanup removes
}

// CoverDir is the directory a helper built with -cover writes its coverage
// counters to (GOCOVERDIR, which Baseline sets), or "" when the test binary
// does not count coverage. It is the test binary's own -test.gocoverdir, so
// that what the tests run through the binary counts, as go test -cover
// reports it and go tool covdata reads it; without one, a directory of its
// own, since a binary built with -cover warns on stderr when GOCOVERDIR is
// not set.
func CoverDir() string {
	if testing.CoverMode() == "" {
		return ""
	}
	cover.once.Do(func() {
		if f := flag.Lookup("test.gocoverdir"); f != nil && f.Value.String() != "" {
			cover.dir, _ = filepath.Abs(f.Value.String())
			return
		}
		if d, err := os.MkdirTemp("", "testenv-cover-"); err == nil {
			cover.dir, cover.private = d, true
		}
	})
	return cover.dir
}

// installs holds, per list of install arguments, the global configuration
// the helper binary's install writes into an empty home.
var installs struct {
	sync.Mutex
	config map[string]string
}

// InstalledConfig returns the global git configuration that the helper
// binary's install, with args, writes into an empty home. Install runs git
// config about 50 times, and many tests start from the same install: it
// runs once per list of arguments in a test process, and a test appends
// what it wrote to its own home's global configuration, as install appends
// its sections (which is the same only while that configuration holds none
// of install's sections). args must not name another file (--file,
// --system, --local); what install does besides configuration (the link of
// --remote-helper) is done once.
func InstalledConfig(t testing.TB, args ...string) string {
	t.Helper()
	for _, a := range args {
		for _, f := range []string{"--file", "--system", "--local"} {
			if a == f || strings.HasPrefix(a, f+"=") {
				t.Fatalf("InstalledConfig: install %s writes more than the global configuration", a)
			}
		}
	}
	installs.Lock()
	defer installs.Unlock()
	key := strings.Join(args, "\x00")
	if c, ok := installs.config[key]; ok {
		return c
	}
	home := t.TempDir()
	cmd := Command(home, nil, HelperBinary(t), append([]string{"install"}, args...)...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil || stderr.Len() > 0 {
		t.Fatalf("install %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	b, err := os.ReadFile(filepath.Join(home, ".gitconfig"))
	if err != nil {
		t.Fatal(err)
	}
	if installs.config == nil {
		installs.config = map[string]string{}
	}
	installs.config[key] = string(b)
	return string(b)
}

// PlaceHelper puts HelperBinary at path, making its directory: a hard link
// where it can, else a copy made by cp. Never a copy this process writes:
// a test running in parallel that starts a process while the file is open
// for writing would pass it the descriptor, and exec of the file would then
// fail with "text file busy" until that process had exec'd.
func PlaceHelper(t testing.TB, path string) {
	t.Helper()
	bin := HelperBinary(t)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if os.Link(bin, path) == nil {
		return
	}
	if out, err := exec.Command("cp", bin, path).CombinedOutput(); err != nil {
		t.Fatalf("cp %s %s: %v\n%s", bin, path, err, out)
	}
}
