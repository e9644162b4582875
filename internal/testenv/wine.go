package testenv

import (
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"fmt"
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
// compiled with mingw-w64 into a throw-away Wine prefix, fill both gaps
// (each says how). They exist for the tests only and never ship.

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
	fail := func(what string, err error, out []byte) {
		wine.err = fmt.Errorf("%s: %v\n%s", what, err, out)
	}
	// Making a prefix fails now and then when the machine is busy (seen
	// once in a whole-suite run: "could not load kernel32.dll"): a second
	// try, in a new prefix with a new server, is made before giving up.
	for try := 1; ; try++ {
		out, err := w.boot()
		if err == nil {
			break
		}
		if try == 2 {
			fail("wineboot --init", err, out)
			return
		}
		stopWine()
	}
	git, err := exec.LookPath("git")
	if err != nil {
		wine.err = err
		return
	}
	if git, err = filepath.Abs(git); err != nil {
		wine.err = err
		return
	}
	windir := filepath.Join(w.Prefix, "drive_c", "windows")
	for _, c := range []struct {
		src  []byte
		dest string // in windir
		args []string
	}{
		{prngShim, filepath.Join("system32", "bcryptprimitives.dll"), []string{"-shared", "-ladvapi32"}},
		// C:\windows is on the Windows PATH: the helper finds git.exe there.
		{gitBridge, "git.exe", []string{"-DGIT=" + strconv.Quote(git), "-lshell32"}},
	} {
		bin, err := compile(gcc, c.src, filepath.Base(c.dest), c.args...)
		if err != nil {
			wine.err = err
			return
		}
		b, err := os.ReadFile(bin)
		if err == nil {
			err = os.WriteFile(filepath.Join(windir, c.dest), b, 0o755)
		}
		if err != nil {
			wine.err = err
			return
		}
	}
	wine.err = w.restart()
}

// compile returns the path of src compiled by gcc (mingw-w64) with args into
// a file named name, once per source, compiler and arguments (cached).
func compile(gcc string, src []byte, name string, args ...string) (string, error) {
	fi, err := os.Stat(gcc)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s %d %d %s %q\n", gcc, fi.Size(), fi.ModTime().UnixNano(), name, args)
	h.Write(src)
	key := "mingw-" + hex.EncodeToString(h.Sum(nil))[:20]
	dir, err := cached(key, func(dir string) error {
		c := filepath.Join(dir, "src.c")
		if err := os.WriteFile(c, src, 0o600); err != nil {
			return err
		}
		if out, err := exec.Command(gcc, slices.Concat([]string{"-O2", c, "-o", filepath.Join(dir, name)}, args)...).CombinedOutput(); err != nil {
			return fmt.Errorf("compiling %s: %v\n%s", name, err, out)
		}
		return nil
	})
	return filepath.Join(dir, name), err
}

// restart gives the tests a new wineserver, without the programs
// wineboot --init left running, and one Windows program that lives as long
// as it does. After wineboot --init, two service managers run, and without
// a display the explorer it started fails to start the RPC service a few
// seconds later; the first URL opened after that (login's rundll32 url.dll)
// waited 10 seconds. In a new server the first program starts Wine's
// services cleanly, and the program left running keeps them up: without
// one they stopped after each program and started again with the next,
// 0.6 seconds a program instead of 0.06.
func (w *Wine) restart() error {
	w.Command(nil, w.server, "-k").Run()
	w.Command(nil, w.server, "-w").Run()
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

// boot makes w a new prefix and starts its server, and on failure returns
// what wineboot said.
func (w *Wine) boot() ([]byte, error) {
	var err error
	if w.Prefix, err = os.MkdirTemp("", "testenv-wine-"); err != nil {
		return nil, err
	}
	wine.w = w
	// A wineserver that outlives each program: every Windows program the
	// tests start joins it, instead of each paying for a server of its
	// own. stopWine ends it; should the test process die first, it ends
	// itself 30 seconds after its last program. It runs in the background,
	// holding the standard streams it was given: none.
	if err := w.Command(nil, w.server, "-p30").Run(); err != nil {
		return nil, fmt.Errorf("wineserver -p30: %v", err)
	}
	// wineboot's output goes to a file, not a pipe: the services it starts
	// inherit the descriptor and hold it open long after it has exited.
	log, err := os.CreateTemp(w.Prefix, "wineboot-*.log")
	if err != nil {
		return nil, err
	}
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

// stopWine ends the wineserver of the test process's prefix, and with it
// every Windows program still running there, and removes the prefix.
func stopWine() {
	w := wine.w
	if w == nil {
		return
	}
	w.Command(nil, w.server, "-k").Run()
	// -w waits until the server has exited.
	w.Command(nil, w.server, "-w").Run()
	os.RemoveAll(w.Prefix)
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
