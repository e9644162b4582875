package testenv

import (
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// The Windows suite (internal/e2e/windows_test.go) runs the windows/amd64
// build of the helper under Wine, against the host's git and the fakes.
// Wine 8 (Debian 12's wine64) lacks one function Go's runtime needs, and
// cannot hand a Windows program the Linux git it starts; the C files below,
// compiled with mingw-w64 into the prefix each test process's prefix copies
// (template), fill both gaps (each says how). They exist for the tests only
// and never ship.

//go:embed testdata/bcryptprimitives.c
var prngShim []byte

//go:embed testdata/gitbridge.c
var gitBridge []byte

// Wine is a Wine prefix made for this test process, with its wineserver
// running until the process's tests end (Scrub's cleanup stops it).
type Wine struct {
	Prefix string // WINEPREFIX
	loader string // wine64
	server string // wineserver
}

var wine struct {
	once    sync.Once
	w       *Wine
	missing string // what is not installed
	err     error
}

// RequireWine returns the test process's Wine prefix, making it on first
// use: Wine and mingw-w64 missing skip the test, except in CI (CI=true),
// where .ci/run installs them and their absence fails it.
func RequireWine(t testing.TB) *Wine {
	t.Helper()
	wine.once.Do(startWine)
	if wine.missing != "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not installed, and CI must have it (.ci/run installs it)", wine.missing)
		}
		t.Skipf("%s is not installed (apt-get install wine64 gcc-mingw-w64-x86-64-win32; .ci/run does)", wine.missing)
	}
	if wine.err != nil {
		t.Fatal(wine.err)
	}
	return wine.w
}

// lookFor is the first of names found on PATH or as an absolute path, or
// "".
func lookFor(names ...string) string {
	for _, n := range names {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	return ""
}

func startWine() {
	w := &Wine{
		// Debian's wine64 package puts its loader outside PATH; the wine
		// package adds wrappers on PATH.
		loader: lookFor("wine64", "/usr/lib/wine/wine64"),
		server: lookFor("wineserver", "/usr/lib/wine/wineserver"),
	}
	gcc := lookFor("x86_64-w64-mingw32-gcc")
	switch {
	case w.loader == "" || w.server == "":
		wine.missing = "Wine (wine64 and wineserver)"
		return
	case gcc == "":
		wine.missing = "mingw-w64 (x86_64-w64-mingw32-gcc)"
		return
	}
	git, err := exec.LookPath("git")
	if err == nil {
		git, err = filepath.Abs(git)
	}
	if err != nil {
		wine.err = err
		return
	}
	// The prefix goes where the template is, so that it can link to its
	// files: on disk, as a prefix is hundreds of MB.
	temp := diskTemp
	if temp == "" {
		temp = os.TempDir()
	}
	template, err := w.template(temp, gcc, git)
	if err != nil {
		wine.err = err
		return
	}
	if w.Prefix, err = os.MkdirTemp(temp, "testenv-wine-"); err != nil {
		wine.err = err
		return
	}
	wine.w = w
	if err := cloneTree(template, w.Prefix); err != nil {
		wine.err = err
		return
	}
	wine.err = w.start()
}

// templateRecipe names how template makes a prefix: change it when that
// changes, so that no test process uses a template made the old way.
const templateRecipe = "wineboot --init, the shim and the git bridge; v1"

// template returns a prefix that wineboot --init made, with the C programs
// below in place, made once per Wine, mingw-w64, git and source (cached in
// temp): booting a prefix costs about 3 seconds of CPU, and the suite runs
// on machines with 2 cores. Its server has stopped, so that the registry
// is on disk; test processes never run Wine in it, only in a copy.
func (w *Wine) template(temp, gcc, git string) (string, error) {
	h := sha256.New()
	// w has no prefix yet: its environment is the one every copy gets.
	fmt.Fprintf(h, "%s\n%q\n%q\n", templateRecipe, git, w.Env())
	for _, f := range []string{w.loader, w.server, gcc} {
		fi, err := os.Stat(f)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%s %d %d\n", f, fi.Size(), fi.ModTime().UnixNano())
	}
	h.Write(prngShim)
	h.Write(gitBridge)
	key := "wine-" + hex.EncodeToString(h.Sum(nil))[:20]
	dir, err := cachedIn(temp, key, func(dir string) error {
		b := &Wine{Prefix: filepath.Join(dir, "prefix"), loader: w.loader, server: w.server}
		// Making a prefix fails now and then when the machine is busy
		// (seen once in a whole-suite run: "could not load kernel32.dll"):
		// a second try, in a new prefix with a new server, is made before
		// giving up.
		for try := 1; ; try++ {
			out, err := b.boot()
			if err == nil {
				break
			}
			b.stop()
			if try == 2 {
				return fmt.Errorf("wineboot --init: %v\n%s", err, out)
			}
			if err := os.RemoveAll(b.Prefix); err != nil {
				return err
			}
		}
		windir := filepath.Join(b.Prefix, "drive_c", "windows")
		for _, c := range []struct {
			src  []byte
			dest string // in windir
			args []string
		}{
			{prngShim, filepath.Join("system32", "bcryptprimitives.dll"), []string{"-shared", "-ladvapi32"}},
			// C:\windows is on the Windows PATH: the helper finds git.exe there.
			{gitBridge, "git.exe", []string{"-DGIT=" + strconv.Quote(git), "-lshell32"}},
		} {
			if err := compile(gcc, c.src, filepath.Join(windir, c.dest), c.args...); err != nil {
				b.stop()
				return err
			}
		}
		b.stop()
		// Debian's Wine keeps in the prefix the name of the directory it
		// made in /tmp for the server's socket: each copy makes its own.
		if err := os.Remove(filepath.Join(b.Prefix, "wineserver")); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		return nil
	})
	return filepath.Join(dir, "prefix"), err
}

// compile compiles src with gcc (mingw-w64) and args into out, replacing
// what is there.
func compile(gcc string, src []byte, out string, args ...string) error {
	c := out + ".c"
	if err := os.WriteFile(c, src, 0o600); err != nil {
		return err
	}
	defer os.Remove(c)
	if err := os.Remove(out); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if msg, err := exec.Command(gcc, slices.Concat([]string{"-O2", c, "-o", out}, args)...).CombinedOutput(); err != nil {
		return fmt.Errorf("compiling %s: %v\n%s", filepath.Base(out), err, msg)
	}
	return nil
}

// sharedExts are the extensions of the files cloneTree links: programs and
// libraries, which Wine only reads.
var sharedExts = []string{".acm", ".com", ".cpl", ".dll", ".drv", ".ds", ".exe", ".icm", ".msstyles", ".nls", ".ocx", ".sys", ".tlb"}

// cloneTree makes the empty directory dst a copy of the tree src: its
// programs and libraries as hard links to src's (all but a few MB of a
// prefix), every other file copied (the registry, which Wine rewrites), and
// symbolic links as they are.
func cloneTree(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil || rel == "." {
			return err
		}
		to := filepath.Join(dst, rel)
		switch {
		case d.IsDir():
			return os.Mkdir(to, 0o755)
		case d.Type()&fs.ModeSymlink != 0:
			link, err := os.Readlink(path)
			if err != nil {
				return err
			}
			return os.Symlink(link, to)
		case !d.Type().IsRegular():
			return fmt.Errorf("%s is not a file, a directory or a link", path)
		case slices.Contains(sharedExts, strings.ToLower(filepath.Ext(path))) && os.Link(path, to) == nil:
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(to, b, fi.Mode().Perm())
	})
}

// start starts the server of w's prefix, and one Windows program that
// lives as long as it does. In a prefix wineboot --init made, that run
// left two service managers, and without a display the explorer it started
// failed to start the RPC service a few seconds later; the first URL
// opened after that (login's rundll32 url.dll) waited 10 seconds. In a
// copy, with a new server, the first program starts Wine's services
// cleanly, and the program left running keeps them up: without one they
// stopped after each program and started again with the next, 0.6 seconds
// a program instead of 0.06.
func (w *Wine) start() error {
	// A wineserver that outlives each program: every Windows program the
	// tests start joins it, instead of each paying for a server of its
	// own. stopWine ends it; should the test process die first, it ends
	// itself 30 seconds after its last program. It runs in the background,
	// holding the standard streams it was given: none.
	if err := w.Command(nil, w.server, "-p30").Run(); err != nil {
		return fmt.Errorf("wineserver -p30: %v", err)
	}
	// cmd /k waits for commands on its standard input, a pipe that stays
	// open until stopWine's wineserver -k ends it; should the test process
	// die first, the pipe closes and cmd exits, and the server 30 seconds
	// later.
	keep := w.Command(nil, w.loader, "cmd", "/k")
	if _, err := keep.StdinPipe(); err != nil {
		return err
	}
	if err := keep.Start(); err != nil {
		return fmt.Errorf("wine64 cmd /k: %v", err)
	}
	go keep.Wait()
	// The first program of a server starts Wine's services, which inherit
	// its descriptors: had a test's program been first, they would hold its
	// output pipe open, and the test would wait for it forever (seen when
	// TestWindows ran alone). One more program, run to its end with no
	// pipes (their output goes to /dev/null), makes sure the first has come
	// and gone: either it or cmd /k.
	if err := w.Command(nil, w.loader, "cmd", "/c", "exit").Run(); err != nil {
		return fmt.Errorf("wine64 cmd /c exit: %v", err)
	}
	return nil
}

// diskTemp is the temporary directory from before memoryTempDir moved
// TMPDIR to /dev/shm ("" when it did not), which Windows programs get as
// TMPDIR: under Wine 8 with TMPDIR=/dev/shm, they found no program on the
// Windows PATH ("executable file not found in %PATH%").
var diskTemp string

// boot makes w's prefix with wineboot --init, and on failure returns what
// wineboot said. The server it starts keeps running until stop.
func (w *Wine) boot() ([]byte, error) {
	if err := os.Mkdir(w.Prefix, 0o700); err != nil {
		return nil, err
	}
	if err := w.Command(nil, w.server, "-p30").Run(); err != nil {
		return nil, fmt.Errorf("wineserver -p30: %v", err)
	}
	// wineboot's output goes to a file, not a pipe: the services it starts
	// inherit the descriptor and hold it open long after it has exited.
	log, err := os.CreateTemp(filepath.Dir(w.Prefix), "wineboot-*.log")
	if err != nil {
		return nil, err
	}
	defer os.Remove(log.Name())
	boot := w.Command(nil, w.loader, "wineboot", "--init")
	boot.Stdout, boot.Stderr = log, log
	err = boot.Run()
	log.Close()
	if err != nil {
		out, _ := os.ReadFile(log.Name())
		return out, err
	}
	return nil, nil
}

// stop ends the wineserver of w's prefix, and with it every Windows program
// still running there; the server saves the registry as it goes.
func (w *Wine) stop() {
	w.Command(nil, w.server, "-k").Run()
	// -w waits until the server has exited.
	w.Command(nil, w.server, "-w").Run()
}

// stopWine ends the wineserver of the test process's prefix and removes
// the prefix.
func stopWine() {
	if w := wine.w; w != nil {
		w.stop()
		os.RemoveAll(w.Prefix)
	}
}

// Env is what runs a Windows program in the prefix: Wine's own messages
// off, and Wine's bcryptprimitives.dll replaced by the shim's (mscoree and
// mshtml disabled: the prefix needs neither Mono nor Gecko).
func (w *Wine) Env() []string {
	env := []string{
		"WINEPREFIX=" + w.Prefix,
		"WINEDEBUG=-all",
		"WINEDLLOVERRIDES=bcryptprimitives=n;mscoree,mshtml=",
	}
	if diskTemp != "" {
		env = append(env, "TMPDIR="+diskTemp)
	}
	return env
}

// Command runs name with the machine's environment plus the prefix's and
// extra.
func (w *Wine) Command(extra []string, name string, args ...string) *exec.Cmd {
	cmd := exec.Command(name, args...)
	cmd.WaitDelay = PipeDelay
	cmd.Env = append(append(os.Environ(), w.Env()...), extra...)
	return cmd
}

// Loader is the path of wine64, which runs a Windows program: wine64
// program.exe args.
func (w *Wine) Loader() string { return w.loader }

// LocalAppData is the host path of %LocalAppData% in the prefix. Wine sets
// that variable, and USERPROFILE, from the prefix, whatever the
// environment says.
func (w *Wine) LocalAppData(t testing.TB) string {
	t.Helper()
	u, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(w.Prefix, "drive_c", "users", u.Username, "AppData", "Local")
}

// WinPath is the Windows name of the host path p: Wine's drive Z: is the
// host's root.
func WinPath(p string) string { return `Z:` + strings.ReplaceAll(p, "/", `\`) }

// windows holds the Windows builds of this test process.
var windows struct {
	mu    sync.Mutex
	built map[string]string
}

// WindowsBuild builds a windows/amd64 program (goArgs: "build <package>" or
// "test -c <package>") into name.exe, as the release builds (CGO_ENABLED=0,
// -trimpath, so that CI finds what .ci/release compiled), once per source
// (cached), and returns its host path.
func WindowsBuild(t testing.TB, name string, goArgs ...string) string {
	t.Helper()
	windows.mu.Lock()
	defer windows.mu.Unlock()
	if p, ok := windows.built[name]; ok {
		return p
	}
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	env := []string{"GOOS=windows", "GOARCH=amd64", "CGO_ENABLED=0"}
	exe := name + ".exe"
	key, err := sourceKey(root, slices.Concat(goArgs, env, []string{exe}), goArgs[0] == "test")
	if err != nil {
		t.Fatal(err)
	}
	dir, err := cached(key, func(dir string) error {
		args := slices.Concat(goArgs[:1], []string{"-trimpath", "-o", filepath.Join(dir, exe)}, goArgs[1:])
		cmd := exec.Command("go", args...)
		cmd.Env = append(os.Environ(), env...)
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if windows.built == nil {
		windows.built = map[string]string{}
	}
	windows.built[name] = filepath.Join(dir, exe)
	return windows.built[name]
}
