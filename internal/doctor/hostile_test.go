//go:build unix

package doctor

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/testenv"
)

// hostileRepo makes a repository under the world's home whose own
// configuration names two credential helpers that each leave a marker
// when run, and returns its directory and the markers.
func (w *doctorWorld) hostileRepo() (repo string, markers []string) {
	w.t.Helper()
	repo = filepath.Join(w.home, "repo")
	w.git("init", "-q", repo)
	markers = []string{filepath.Join(w.home, "ran-any"), filepath.Join(w.home, "ran-scoped")}
	w.git("-C", repo, "config", "credential.helper", "!touch "+markers[0]+"; false")
	w.git("-C", repo, "config", testScope+".helper", "!touch "+markers[1]+"; false")
	return repo, markers
}

// assertNotRun fails the test if any marker exists: a helper of the
// repository ran.
func assertNotRun(t *testing.T, markers []string) {
	t.Helper()
	for _, m := range markers {
		if _, err := os.Stat(m); err == nil {
			t.Errorf("the repository's helper that touches %s ran", m)
		}
	}
}

// TestDoctorGitDirExported: with GIT_DIR exported, as git hooks and
// wrappers do, doctor run elsewhere runs none of that repository's helpers,
// and its report lists them as the ones it did not run.
func TestDoctorGitDirExported(t *testing.T) {
	t.Parallel()
	w := newDoctorWorld(t)
	w.install()
	repo, markers := w.hostileRepo()
	env := append(slices.Clip(w.env), "GIT_DIR="+filepath.Join(repo, ".git"), "GIT_WORK_TREE="+repo)
	r := w.doctor(Options{URL: testURL, Dir: w.home, Env: env})
	assertNotRun(t, markers)
	if len(find(r, "helper", OK)) != 1 {
		t.Errorf("the helper check did not pass: %+v", r.Checks)
	}
	listed := slices.ContainsFunc(r.Checks, func(c Check) bool {
		return c.Name == "helper" && c.Status == Warn && strings.Contains(c.Detail, "did not") &&
			strings.Contains(c.Detail, "touch "+markers[0]) && strings.Contains(c.Detail, "touch "+markers[1])
	})
	if !listed {
		t.Errorf("the repository's helpers are not listed as not run: %+v", r.Checks)
	}
}

// TestDoctorTempDirInRepository: with TMPDIR inside a repository, as CI
// jobs set it, the probe's own directory is inside that repository, and
// git must still find none.
func TestDoctorTempDirInRepository(t *testing.T) {
	w := newDoctorWorld(t)
	w.install()
	repo, markers := w.hostileRepo()
	tmp := filepath.Join(repo, "tmp")
	if err := os.Mkdir(tmp, 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv("TMPDIR", tmp) // os.MkdirTemp reads this process's
	r := w.doctor(Options{URL: testURL, Dir: w.home})
	assertNotRun(t, markers)
	if len(find(r, "helper", OK)) != 1 {
		t.Errorf("the helper check did not pass: %+v", r.Checks)
	}
}

// TestRepositoryEnv: the probe drops every variable git itself counts as
// a repository's (git rev-parse --local-env-vars), but the two that carry
// the user's "git -c" settings.
func TestRepositoryEnv(t *testing.T) {
	t.Parallel()
	out, err := exec.Command("git", "rev-parse", "--local-env-vars").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range strings.Fields(string(out)) {
		if !slices.Contains(repositoryEnv, v) && v != "GIT_CONFIG_PARAMETERS" && v != "GIT_CONFIG_COUNT" {
			t.Errorf("git counts %s as a repository's, and the probe keeps it", v)
		}
	}
	got := outsideRepository([]string{"GIT_DIR=/r/.git", "HOME=/h", "GIT_CEILING_DIRECTORIES=/x", "GIT_CONFIG_COUNT=1"}, "/tmp/d")
	if want := []string{"HOME=/h", "GIT_CONFIG_COUNT=1", "GIT_CEILING_DIRECTORIES=/tmp"}; !slices.Equal(got, want) {
		t.Errorf("outsideRepository: %q, want %q", got, want)
	}
}

// fifoRepo makes a repository whose configuration includes a FIFO, which
// blocks any git that reads its configuration until a writer opens it, and
// returns the repository and the FIFO.
func (w *doctorWorld) fifoRepo() (repo, fifo string) {
	w.t.Helper()
	repo = filepath.Join(w.home, "repo")
	w.git("init", "-q", repo)
	fifo = filepath.Join(w.home, "config.fifo")
	testenv.Plant(w.t, fifo, "fifo")
	w.git("-C", repo, "config", "include.path", fifo)
	return repo, fifo
}

// killBound is how long the assertions below give the kernel to end a
// process that was killed: far more than it needs, even on a busy machine.
const killBound = 10 * time.Second

// assertNoReader fails the test when a process still has the FIFO open
// for reading (or waits to), within killBound: a git doctor started and
// left behind.
func assertNoReader(t *testing.T, fifo string) {
	t.Helper()
	f, err := os.OpenFile(fifo, os.O_WRONLY|syscall.O_NONBLOCK, 0)
	if errors.Is(err, syscall.ENXIO) {
		return // no reader
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	// poll reports POLLERR on a FIFO's write end once it has no reader.
	fds := []unix.PollFd{{Fd: int32(f.Fd()), Events: unix.POLLOUT}}
	deadline := time.Now().Add(killBound)
	for time.Now().Before(deadline) {
		if _, err := unix.Poll(fds, 1000); err == nil && fds[0].Revents&unix.POLLERR != 0 {
			return
		}
		if _, err := f.Write([]byte{'\n'}); errors.Is(err, syscall.EPIPE) {
			return
		}
	}
	t.Errorf("a process doctor started still reads %s", fifo)
}

// assertNoProcessIn fails the test when a process other than this one
// runs in dir or under it, where /proc shows that, killBound from now:
// doctor's commands run in the directories of the world's home, and none
// may outlive doctor. A process that has ended, and waits only to be
// reaped, shows no directory. (A git that doctor's death killed may still
// show for a moment: under a whole-suite load, one did.)
func assertNoProcessIn(t *testing.T, dir string) {
	t.Helper()
	dir, err := filepath.EvalSymlinks(dir)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(killBound)
	for {
		left := processesIn(dir)
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			for _, p := range left {
				t.Errorf("a process still runs under %s: %s", dir, p)
			}
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// processesIn describes the processes other than this one that run in dir
// or under it.
func processesIn(dir string) []string {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil // no /proc here
	}
	var left []string
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		cwd, err := os.Readlink(filepath.Join("/proc", e.Name(), "cwd"))
		if err != nil || cwd != dir && !strings.HasPrefix(cwd, dir+"/") {
			continue
		}
		cmdline, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		left = append(left, fmt.Sprintf("%d (%s) in %s", pid, bytes.ReplaceAll(cmdline, []byte{0}, []byte{' '}), cwd))
	}
	return left
}

// TestDoctorIncludeFIFO: a repository whose configuration includes a FIFO
// blocks git for ever. Doctor ends at its budget, says which checks it
// could not make, and leaves no git behind.
func TestDoctorIncludeFIFO(t *testing.T) {
	t.Parallel()
	w := newDoctorWorld(t)
	w.install()
	repo, fifo := w.fifoRepo()
	var r Report
	testenv.Within(t, time.Minute, "doctor", func() { r = w.doctor(Options{URL: testURL, Dir: repo, Budget: 2 * time.Second}) })
	assertNoReader(t, fifo)
	assertNoProcessIn(t, w.home)
	if r.OK {
		t.Errorf("the report says a clone would work: %+v", r.Checks)
	}
	url := find(r, "url", Fail)
	if len(url) != 1 || url[0].Detail != "not checked: git ls-remote --get-url -- "+testURL+" did not finish within the 2s doctor gives all checks" || url[0].Fix == "" {
		t.Errorf("url checks %+v; want one saying it could not be checked", r.Checks)
	}
	if h := find(r, "helper", Skip); len(h) != 1 || !strings.Contains(h[0].Detail, "the 2s doctor gives all checks ran out") {
		t.Errorf("helper checks %+v; want it skipped for the budget", r.Checks)
	}
}

// TestDoctorKilledLeavesNoGit stops and kills the doctor command while
// the git it started waits for the FIFO its repository's configuration
// includes: no git is left reading it.
func TestDoctorKilledLeavesNoGit(t *testing.T) {
	t.Parallel()
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGKILL} {
		t.Run(sig.String(), func(t *testing.T) {
			t.Parallel()
			w := newDoctorWorld(t)
			w.install()
			repo, fifo := w.fifoRepo()
			cmd := testenv.Command(w.home, nil, w.bin, "doctor", testURL)
			cmd.Dir = repo
			var out bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &out
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			// Opening the FIFO to write returns once a git opens it to
			// read; holding it open without writing keeps that git
			// waiting.
			var f *os.File
			testenv.Within(t, time.Minute, "git opening the FIFO", func() {
				var err error
				if f, err = os.OpenFile(fifo, os.O_WRONLY, 0); err != nil {
					t.Error(err)
				}
			})
			if f == nil {
				cmd.Process.Kill()
				cmd.Wait()
				t.FailNow()
			}
			defer f.Close()
			cmd.Process.Signal(sig)
			testenv.Within(t, time.Minute, "doctor", func() { cmd.Wait() })
			assertNoReader(t, fifo)
			assertNoProcessIn(t, w.home)
			if sig == syscall.SIGTERM && !strings.Contains(out.String(), "did not finish: doctor was stopped") {
				t.Errorf("doctor's report does not say it was stopped:\n%s", out.String())
			}
		})
	}
}

// TestDoctorNewerGo: a go.mod asking for a go newer than the one
// installed, with GOTOOLCHAIN=auto, would have go env download and run
// that toolchain, from a module proxy here that never answers. Doctor
// never asks it, and the go check still has go env's answer: the local
// go reads its settings without loading the module.
func TestDoctorNewerGo(t *testing.T) {
	t.Parallel()
	w := newDoctorWorld(t)
	w.install()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	var asked atomic.Int32
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			asked.Add(1)
			defer c.Close() // never answered
		}
	}()
	w.write(".config/go/telemetry/mode", "off\n")
	w.write("project/go.mod", "module example.com/app\n\ngo 1.99.0\n\nrequire "+testHost+"/v1/repos/lib.git v1.0.0\n")
	env := append(slices.Clip(w.env), "GOTOOLCHAIN=auto", "GOPROXY=http://"+l.Addr().String(), "GOSUMDB=off")
	var r Report
	testenv.Within(t, time.Minute, "doctor", func() {
		r = w.doctor(Options{URL: testURL, Dir: filepath.Join(w.home, "project"), Env: env, Budget: 2 * time.Second})
	})
	assertNoProcessIn(t, w.home)
	if n := asked.Load(); n != 0 {
		t.Errorf("go asked the module proxy %d times", n)
	}
	if g := find(r, "go", Fail); len(g) == 0 || !strings.Contains(g[0].Detail, "GOPRIVATE") || len(find(r, "go", Warn)) > 0 {
		t.Errorf("go checks %+v; want go env's settings checked (no GOPRIVATE)", r.Checks)
	}
}
