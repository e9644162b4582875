package e2e

import (
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/fakeaws"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/testenv"
)

// herdSize is how many gets the herd tests start at once: a build that
// fetches 50 npm git dependencies, or a fan-out of jobs on one runner.
const herdSize = 50

// herd starts n gets with args at once and returns how many answered, and
// the stderr of each that failed.
func (w *world) herd(n int, args ...string) (ok int, failures []string) {
	w.t.Helper()
	return w.herdWatched(n, nil, args...)
}

// herdWatched is herd that also writes each get's stderr, as it comes, to
// a writer of its own from newWatch (when not nil).
func (w *world) herdWatched(n int, newWatch func() io.Writer, args ...string) (ok int, failures []string) {
	w.t.Helper()
	bin := testenv.HelperBinary(w.t)
	var (
		mu sync.Mutex
		wg sync.WaitGroup
	)
	for range n {
		var watch io.Writer
		if newWatch != nil {
			watch = newWatch()
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			stdout, stderr, code, err := w.startWatched("", "protocol=https\nhost="+host+"\npath=v1/repos/r\n\n", watch, bin, append(slices.Clip(args), "get")...)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err != nil:
				w.t.Error(err)
			case code == 0 && strings.HasPrefix(stdout, "username="):
				ok++
			default:
				if stdout != "" {
					w.t.Errorf("a failed get printed %q on stdout", stdout)
				}
				failures = append(failures, stderr)
			}
		}()
	}
	wg.Wait()
	return ok, failures
}

// lineSignal is a get's stderr as herdWatched sees it: it sends on ch once,
// when a line holding text is written.
type lineSignal struct {
	text string
	ch   chan<- struct{}
	line []byte
	sent bool
}

func (s *lineSignal) Write(p []byte) (int, error) {
	for _, c := range p {
		if s.sent {
			break
		}
		if c != '\n' {
			s.line = append(s.line, c)
			continue
		}
		if strings.Contains(string(s.line), s.text) {
			s.sent = true
			s.ch <- struct{}{}
		}
		s.line = s.line[:0]
	}
	return len(p), nil
}

// TestHerdOnSlowSTS: however long STS takes, the herd makes one AssumeRole
// call: the waiters wait for as long as the fetching process holds the
// lock. STS holds its answer until every other get has said (under --debug)
// that it waits for that fetch, so each of them waits at least as long as
// the fetch takes.
func TestHerdOnSlowSTS(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	sts := w.startSTS()
	release := sts.Hold()
	w.assumeRoleProfile()
	w.setenv("AWS_PROFILE=deploy")
	waiting := make(chan struct{}, herdSize)
	var waited int
	counted := make(chan struct{})
	go func() {
		defer close(counted)
		defer release()
		// Should a get not wait (and call STS itself, held too), the
		// bound turns the hang into a failure of the counts below.
		bound := time.After(time.Minute)
		for waited < herdSize-1 {
			select {
			case <-waiting:
				waited++
			case <-bound:
				return
			}
		}
	}()
	ok, failures := w.herdWatched(herdSize, func() io.Writer {
		return &lineSignal{text: "debug: cache: another process is fetching ", ch: waiting}
	}, "--debug")
	if ok != herdSize || len(failures) > 0 {
		t.Errorf("%d of %d gets answered; failures: %q", ok, herdSize, failures)
	}
	if n := sts.Calls("AssumeRole"); n != 1 {
		t.Errorf("%d AssumeRole calls, want 1", n)
	}
	<-counted
	if waited != herdSize-1 {
		t.Errorf("%d gets waited for the fetch, want %d", waited, herdSize-1)
	}
}

// TestHerdOnFailingSTS: when STS throttles every call, or fails with a
// server error, the herd makes at most the SDK's 3 attempts in all, not 3
// per get, and every get ends with the same one line.
func TestHerdOnFailingSTS(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		fault fakeaws.Fault
		want  string
	}{
		{"throttling", fakeaws.Fault{Status: 400, Code: "Throttling", Message: "Rate exceeded"}, "Throttling: Rate exceeded"},
		{"server error", fakeaws.Fault{Status: 500, Code: "InternalFailure", Message: "oops"}, "InternalFailure: oops"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			sts := w.startSTS()
			// As many faults as the SDK makes attempts: should a waiter call
			// STS after the fetcher, it would get credentials, and the test
			// would see it.
			sts.FailNext(tc.fault, tc.fault, tc.fault)
			w.assumeRoleProfile()
			w.setenv("AWS_PROFILE=deploy")
			ok, failures := w.herd(herdSize)
			if ok != 0 || len(failures) != herdSize {
				t.Fatalf("%d gets answered and %d failed; want all %d to fail", ok, len(failures), herdSize)
			}
			if n := sts.Calls("AssumeRole"); n > 3 {
				t.Errorf("%d AssumeRole calls, want at most 3", n)
			}
			for _, f := range failures {
				if f != failures[0] || strings.Count(f, "\n") != 1 || !strings.Contains(f, tc.want) {
					t.Errorf("failure %q; want one line like the first, %q, holding %q", f, failures[0], tc.want)
					break
				}
			}
			// The failure is shared for seconds only: once it lapses, a get
			// asks STS again, and succeeds now that STS does. The test ages
			// the failure rather than waiting those seconds (credcache's
			// TestSharedFailure checks how long it stands, on its clock).
			w.lapseSharedFailure()
			w.mustGet()
			if n := sts.Calls("AssumeRole"); n != 4 {
				t.Errorf("%d AssumeRole calls after the failure lapsed, want 4", n)
			}
		})
	}
}

// TestCredentialProcessLeavesAChild: a credential_process that prints its
// credentials and leaves a child holding its output answers git at once.
func TestCredentialProcessLeavesAChild(t *testing.T) {
	t.Parallel()
	w := newWorld(t, "--profile", "proc")
	c := w.keys.Issue("ASIAPROC", time.Now().Add(time.Hour))
	pids := filepath.Join(w.home, "children")
	w.write("proc.sh", "cat <<'EOF'\n"+`{"Version": 1, "AccessKeyId": "`+c.AccessKeyID+`", "SecretAccessKey": "`+c.SecretAccessKey+
		`", "SessionToken": "`+c.SessionToken+`", "Expiration": "`+c.Expiration.Format(time.RFC3339)+`"}`+"\nEOF\n"+
		// The child keeps stdout, which the helper reads; its stderr, which
		// the test reads to its end, it leaves.
		"sleep 300 2>/dev/null &\necho $! >> "+pids+"\n")
	w.write(".aws/config", "[profile proc]\ncredential_process = /bin/sh "+filepath.Join(w.home, "proc.sh")+"\n")
	t.Cleanup(func() { killPIDs(pids) })
	// Each command has commandTimeout (2 minutes): a get that waited for
	// the child would fail the test.
	w.mustGet("--profile", "proc")
	w.roundTrip("proc")
	w.assertSignedBy(func(id string) bool { return id == c.AccessKeyID })
}

// lapseSharedFailure moves the end of the one failure the cache shares into
// the past, as if its seconds had passed.
func (w *world) lapseSharedFailure() {
	w.t.Helper()
	paths, _ := filepath.Glob(filepath.Join(w.cacheDir(), "*.fail"))
	if len(paths) != 1 {
		w.t.Fatalf("shared failures %q, want one", paths)
	}
	b := replaceJSONField(readFile(w.t, paths[0]), "until", time.Now().Add(-time.Second).UTC().Format(time.RFC3339Nano))
	if err := os.WriteFile(paths[0], []byte(b), 0o600); err != nil {
		w.t.Fatal(err)
	}
}

// killPIDs kills the processes whose ids the file holds.
func killPIDs(file string) {
	b, _ := os.ReadFile(file)
	for _, f := range strings.Fields(string(b)) {
		if pid, err := strconv.Atoi(f); err == nil {
			syscall.Kill(pid, syscall.SIGKILL)
		}
	}
}
