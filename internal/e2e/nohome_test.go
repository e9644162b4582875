//go:build unix

package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/testenv"
)

// TestNpmWithoutHome: a CI container running as an arbitrary uid has
// HOME=/nonexistent. npm install of five git dependencies, with a role
// through web identity, still makes one STS call: the cache falls back to
// $XDG_RUNTIME_DIR (set here so that the test writes nothing in /tmp), and
// doctor names that directory.
func TestNpmWithoutHome(t *testing.T) {
	t.Parallel()
	requireTool(t, "npm")
	w, _ := installedWorld(t)
	deps := make([]string, 5)
	for i := range deps {
		// Straight into the fake's repository: the test is about npm's gets.
		lib := "lib" + strconv.Itoa(i)
		if err := w.cc.CreateRepo(lib); err != nil {
			t.Fatal(err)
		}
		src := filepath.Join(w.home, "src", lib)
		w.git("init", "--quiet", src)
		w.commitFiles(src, map[string]string{
			"package.json": `{"name": "` + lib + `", "version": "1.0.0", "main": "index.js"}`,
			"index.js":     "module.exports = '" + lib + "';\n",
		})
		deps[i] = `"` + lib + `": "git+` + repoURL + lib + `"`
	}
	app := w.write("app/package.json", `{"name": "app", "version": "1.0.0", "private": true, "dependencies": {`+strings.Join(deps, ", ")+`}}`)
	sts := w.startSTS()
	sts.SetWebIdentityToken("eyJhbGciOiJSUzI1NiJ9.nohome.signature")
	run := filepath.Join(w.home, "run")
	if err := os.Mkdir(run, 0o700); err != nil {
		t.Fatal(err)
	}
	w.setenv("HOME=/nonexistent", "XDG_RUNTIME_DIR="+run, "NPM_CONFIG_UPDATE_NOTIFIER=false",
		"AWS_WEB_IDENTITY_TOKEN_FILE="+w.write("token", "eyJhbGciOiJSUzI1NiJ9.nohome.signature"), "AWS_ROLE_ARN="+roleARN, "AWS_ROLE_SESSION_NAME=ci")

	from := len(w.cc.Verdicts())
	w.mustRun(filepath.Dir(app), "npm", "install", "--no-audit", "--no-fund", "--registry=http://127.0.0.1:9/", "--cache="+filepath.Join(w.home, "npm-cache"))
	out, stderr, code := w.run(filepath.Dir(app), "", "node", "-e", "console.log(require('lib0') + require('lib4'))")
	if code != 0 || out != "lib0lib4\n" {
		t.Fatalf("node: exit %d, %q\n%s", code, out, stderr)
	}
	if n := sts.Calls("AssumeRoleWithWebIdentity"); n != 1 {
		t.Errorf("%d AssumeRoleWithWebIdentity calls for 5 git dependencies, want 1", n)
	}
	w.assertSignedSince(from, issuedBy(sts.Callers, "AssumeRoleWithWebIdentity"))
	dir := filepath.Join(run, "git-credential-codecommit")
	if entries, _ := filepath.Glob(filepath.Join(dir, "*.json")); len(entries) != 1 {
		t.Errorf("cache entries in %s: %v, want 1", dir, entries)
	}

	out, _, _ = w.run("", "", testenv.HelperBinary(t), "doctor", repoURL+"lib0")
	if want := "\nok    cache       role credentials are shared between runs in " + dir + "; passed over: /nonexistent does not exist\n"; !strings.Contains(out, want) {
		t.Errorf("doctor does not say %q:\n%s", want, out)
	}
}

// TestStoppedLockHolder: a get suspended (SIGSTOP, as Ctrl-Z does) while it
// fetches, holding the lock, blocks no other get once its lock is older
// than the helper waits for (its note in the lock file is made a minute
// old, as a stopped holder's would be): the next get fetches on its own,
// answers, and names the holder; the one after answers from its entry; the
// holder, resumed, answers too.
func TestStoppedLockHolder(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	sts := w.startSTS()
	release := sts.Hold()
	w.assumeRoleProfile()
	w.setenv("AWS_PROFILE=deploy")

	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	holder := testenv.CommandContext(ctx, w.home, w.env, testenv.HelperBinary(t), "--debug", "get")
	holder.Stdin = strings.NewReader("protocol=https\nhost=" + host + "\npath=v1/repos/r\n\n")
	var holderOut, holderErr bytes.Buffer
	fetching := make(chan struct{}, 1)
	holder.Stdout = &holderOut
	holder.Stderr = &lineWatch{w: &holderErr, signal: &lineSignal{text: "debug: cache: miss ", ch: fetching}}
	if err := holder.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { holder.Process.Signal(syscall.SIGCONT); holder.Process.Kill() })
	select {
	case <-fetching:
	case <-time.After(time.Minute):
		t.Fatalf("the holder did not start fetching:\n%s", holderErr.String())
	}
	// Stopped once its call has reached STS, which holds the answer.
	for bound := time.Now().Add(time.Minute); sts.Calls("AssumeRole") == 0 && time.Now().Before(bound); {
		time.Sleep(5 * time.Millisecond)
	}
	if err := holder.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	// kill(2) returns before every thread of the holder has stopped: one
	// still running could read STS's answer once released.
	waitStopped(t, holder.Process.Pid)
	release()

	locks, _ := filepath.Glob(filepath.Join(w.home, ".cache", "git-credential-codecommit", "*.lock"))
	if len(locks) != 1 {
		t.Fatalf("lock files %v", locks)
	}
	var note struct {
		PID   int       `json:"pid"`
		Since time.Time `json:"since"`
	}
	if err := json.Unmarshal([]byte(readFile(t, locks[0])), &note); err != nil || note.PID != holder.Process.Pid {
		t.Fatalf("the lock's note %+v, %v; want the holder's pid %d", note, err, holder.Process.Pid)
	}
	note.Since = note.Since.Add(-time.Minute)
	b, _ := json.Marshal(note)
	if err := os.WriteFile(locks[0], b, 0o600); err != nil {
		t.Fatal(err)
	}

	stdout, stderr, code := w.get("r")
	want := fmt.Sprintf("git-credential-codecommit: another git-credential-codecommit (pid %d) has held the lock on these credentials for 1m", holder.Process.Pid)
	if code != 0 || !strings.HasPrefix(stdout, "username=ASIA") || !strings.HasPrefix(stderr, want) || strings.Count(stderr, "\n") != 1 {
		t.Errorf("a get past the stopped holder: exit %d, %q\nstderr: %s\nwant it to start: %s", code, stdout, stderr, want)
	}
	if stdout, stderr, code := w.get("r"); code != 0 || !strings.HasPrefix(stdout, "username=ASIA") || stderr != "" {
		t.Errorf("the next get: exit %d, %q, %q", code, stdout, stderr)
	}
	if n := sts.Calls("AssumeRole"); n != 2 {
		t.Errorf("%d AssumeRole calls, want 2: the stopped holder's and the first get's past it", n)
	}
	if err := holder.Process.Signal(syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	if err := holder.Wait(); err != nil || !strings.HasPrefix(holderOut.String(), "username=ASIA") {
		t.Errorf("the resumed holder: %v, %q\n%s", err, holderOut.String(), holderErr.String())
	}
}

// lineWatch writes to w and to signal.
type lineWatch struct {
	w      *bytes.Buffer
	signal *lineSignal
}

func (l *lineWatch) Write(p []byte) (int, error) {
	l.w.Write(p)
	return l.signal.Write(p)
}

// waitStopped waits until every thread of process pid is stopped (state T
// in /proc/pid/task/*/stat), for at most a minute. Without procfs (macOS)
// it returns at once.
func waitStopped(t *testing.T, pid int) {
	t.Helper()
	if _, err := os.Stat("/proc/self/task"); err != nil {
		return
	}
	for bound := time.Now().Add(time.Minute); ; time.Sleep(time.Millisecond) {
		stats, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/stat", pid))
		stopped := len(stats) > 0
		for _, f := range stats {
			b, err := os.ReadFile(f)
			// The state follows the command name's closing parenthesis.
			if i := bytes.LastIndexByte(b, ')'); err != nil || i < 0 || i+2 >= len(b) || b[i+2] != 'T' {
				stopped = false
			}
		}
		if stopped {
			return
		}
		if time.Now().After(bound) {
			t.Fatalf("process %d did not stop", pid)
		}
	}
}
