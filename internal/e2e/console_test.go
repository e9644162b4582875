//go:build unix

package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/fakeaws"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/testenv"
)

// consoleToken is where the helper and the AWS SDK keep the fake's
// session: ~/.aws/login/cache/ + hex(sha256(fakeaws.SignInSession)).
const consoleToken = ".aws/login/cache/11fc4cc919a5a20db9df757c8a1b149bd4c42115ef36c7152c0d33f1e05a9027.json"

// consoleWorld is a world with an empty ~/.aws, the fake Sign-In as the
// Sign-In endpoint, and the profile "dev" chosen for git.
func consoleWorld(t *testing.T) (*world, *fakeaws.SignIn) {
	t.Helper()
	w := newWorld(t)
	si, err := fakeaws.StartSignIn(w.keys)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(si.Close)
	w.setenv("AWS_ENDPOINT_URL_SIGNIN="+si.URL, "AWS_PROFILE=dev")
	return w, si
}

// browserClient is the browser stand-in's: it follows redirects, to the
// loopback listener too, and uses no proxy.
var browserClient = &http.Client{Transport: &http.Transport{Proxy: nil}, Timeout: 30 * time.Second}

// standIn puts a browser stand-in on PATH as xdg-open, with a display, so
// that the helper's opener runs it: it hands the page to the test through
// a FIFO, and the test plays the browser with act. It returns a channel
// that is closed when act has run.
func (w *world) standIn(act func(page string)) <-chan struct{} {
	w.t.Helper()
	bin := filepath.Join(w.home, "bin")
	fifo := filepath.Join(w.home, "browser")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		w.t.Fatal(err)
	}
	w.write("bin/xdg-open", "#!/bin/sh\nprintf '%s\\n' \"$1\" > \"$HOME/browser\"\n")
	if err := os.Chmod(filepath.Join(bin, "xdg-open"), 0o755); err != nil {
		w.t.Fatal(err)
	}
	w.setenv("DISPLAY=:0", "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	done := make(chan struct{})
	go func() {
		defer close(done)
		f, err := os.Open(fifo) // blocks until xdg-open writes
		if err != nil {
			w.t.Error(err)
			return
		}
		defer f.Close()
		b, _ := io.ReadAll(f)
		act(strings.TrimSpace(string(b)))
	}()
	return done
}

// wait waits for the browser stand-in to be done; the sign-in that should
// have run it printed stderr.
func (w *world) wait(done <-chan struct{}, stderr string) {
	w.t.Helper()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		w.t.Fatalf("the browser stand-in never ran; the sign-in printed:\n%s", stderr)
	}
}

// visit is the browser on page: it follows the redirects and returns the
// last page's status and body.
func visit(page string) (int, string) {
	resp, err := browserClient.Get(page)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// checkConsoleToken checks the token file: the AWS CLI's fields
// (awscli/customizations/login/utils.py writes exactly these), mode 0600
// in a 0700 directory, for the fake's session and account; it returns the
// access key id in it.
func (w *world) checkConsoleToken(clientID string) string {
	w.t.Helper()
	w.checkMode(consoleToken, 0o600)
	w.checkMode(filepath.Dir(consoleToken), 0o700)
	token := w.readJSON(consoleToken)
	if got, want := slices.Sorted(maps.Keys(token)), []string{"accessToken", "clientId", "dpopKey", "idToken", "refreshToken", "tokenType"}; !slices.Equal(got, want) {
		w.t.Errorf("token fields %v, want the AWS CLI's %v", got, want)
	}
	access, _ := token["accessToken"].(map[string]any)
	if got, want := slices.Sorted(maps.Keys(access)), []string{"accessKeyId", "accountId", "expiresAt", "secretAccessKey", "sessionToken"}; !slices.Equal(got, want) {
		w.t.Errorf("accessToken fields %v, want the AWS CLI's %v", got, want)
	}
	checkTime(w.t, access, "expiresAt", time.Now().Add(15*time.Minute))
	if token["clientId"] != clientID || access["accountId"] != "111122223333" || token["tokenType"] != "aws_sigv4" ||
		!strings.HasPrefix(token["dpopKey"].(string), "-----BEGIN EC PRIVATE KEY-----\n") {
		w.t.Errorf("token %v", token)
	}
	id, _ := access["accessKeyId"].(string)
	return id
}

// consoleLifecycle is what follows a console sign-in: git clones with the
// session; once its credentials expire, the next get refreshes them through
// the SDK with a DPoP proof the fake verifies; once the session has ended,
// and after logout, git fails with one line.
func (w *world) consoleLifecycle(si *fakeaws.SignIn, repo, clientID string) {
	w.t.Helper()
	cfg, _ := os.ReadFile(filepath.Join(w.home, ".aws", "config"))
	if want := "[profile dev]\nlogin_session = " + fakeaws.SignInSession + "\nregion = us-east-1\n"; string(cfg) != want {
		w.t.Errorf("~/.aws/config is %q, want %q", cfg, want)
	}
	first := w.checkConsoleToken(clientID)
	if err := w.cc.CreateRepo(repo); err != nil {
		w.t.Fatal(err)
	}
	w.git("clone", repoURL+repo, filepath.Join(w.home, repo))
	w.assertSignedBy(is(first))

	// A quarter of an hour later: the credentials in the token file, and
	// the helper's cached copy, have expired.
	rewriteJSON(w.t, filepath.Join(w.home, consoleToken), func(m map[string]any) {
		m["accessToken"].(map[string]any)["expiresAt"] = time.Now().Add(-time.Minute).UTC().Format(time.RFC3339)
	})
	past := func(s string) string {
		s = replaceJSONField(s, "obtained", time.Now().Add(-16*time.Minute).UTC().Format(time.RFC3339))
		return replaceJSONField(s, "expiration", time.Now().Add(-time.Minute).UTC().Format(time.RFC3339))
	}
	rewriteEntries(w.t, w, past)
	stdout, stderr, code := w.get(repo)
	if code != 0 || si.Refreshes() != 1 {
		w.t.Fatalf("get after expiry: exit %d, %d refreshes\nstdout %q\nstderr %q\nrejections %q", code, si.Refreshes(), stdout, stderr, si.Rejections())
	}
	// The SDK rewrote the file with its own fields (identityToken for
	// idToken), which is its business.
	renewed, _ := w.readJSON(consoleToken)["accessToken"].(map[string]any)["accessKeyId"].(string)
	if renewed == first || !strings.HasPrefix(stdout, "username="+renewed+"%") {
		w.t.Errorf("after the refresh, get answered %q; the token has %s (was %s)", stdout, renewed, first)
	}

	// The session ends at Sign-In: once the credentials expire again, get
	// says to sign in again, in one line.
	si.Expire()
	rewriteJSON(w.t, filepath.Join(w.home, consoleToken), func(m map[string]any) {
		m["accessToken"].(map[string]any)["expiresAt"] = time.Now().Add(-time.Minute).UTC().Format(time.RFC3339)
	})
	rewriteEntries(w.t, w, past)
	stdout, stderr, code = w.get(repo)
	oneLine(w.t, stdout, stderr, code, `the console sign-in session of profile "dev" has expired or is missing (the session has ended)`,
		"run: git-credential-codecommit login --console --profile dev")

	stdout, stderr, code = w.helper("logout")
	if code != 0 || stdout != "" || !strings.Contains(stderr, `Removed the console sign-in token of profile "dev"`) ||
		!strings.Contains(stderr, "Removed the cached credentials (1 file)") {
		w.t.Fatalf("logout: exit %d\nstdout %q\nstderr %q", code, stdout, stderr)
	}
	stdout, stderr, code = w.get(repo)
	oneLine(w.t, stdout, stderr, code, `the console sign-in session of profile "dev" has expired or is missing`, "run: git-credential-codecommit login --console --profile dev")
	_, gitErr, gitCode := w.run("", "", "git", "clone", repoURL+repo, filepath.Join(w.home, repo+"-again"))
	if gitCode == 0 || !strings.Contains(gitErr, "run: git-credential-codecommit login --console --profile dev") {
		w.t.Errorf("git clone after logout: exit %d\n%s", gitCode, gitErr)
	}
}

// rewriteJSON edits the JSON object in the file path with f.
func rewriteJSON(t *testing.T, path string, f func(map[string]any)) {
	t.Helper()
	var m map[string]any
	b, err := os.ReadFile(path)
	if err == nil {
		err = json.Unmarshal(b, &m)
	}
	if err != nil {
		t.Fatal(err)
	}
	f(m)
	b, _ = json.Marshal(m)
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestConsoleSameDevice: login --console on an empty ~/.aws, the browser
// stand-in approving, then the session's whole life through git.
func TestConsoleSameDevice(t *testing.T) {
	t.Parallel()
	if runtime.GOOS != "linux" {
		t.Skip("the browser stand-in is xdg-open, the opener on Linux")
	}
	w, si := consoleWorld(t)
	var status int
	done := w.standIn(func(page string) { status, _ = visit(page) })
	stdout, stderr, code := w.helper("login", "--console", "--profile", "dev", "--region", "us-east-1")
	w.wait(done, stderr)
	if code != 0 || stdout != "" || status != 200 || !strings.Contains(stderr, "Opening the page in your browser.") {
		t.Fatalf("login: exit %d, the callback page %d\nstdout %q\nstderr %q\nrejections %q", code, status, stdout, stderr, si.Rejections())
	}
	w.consoleLifecycle(si, "console-same", "arn:aws:signin:::devtools/same-device")
}

// TestConsoleCrossDevice: login --console in an SSH session, the code
// pasted from a browser elsewhere, then the session's whole life through
// git.
func TestConsoleCrossDevice(t *testing.T) {
	t.Parallel()
	w, si := consoleWorld(t)
	w.setenv("SSH_CONNECTION=192.0.2.1 50000 192.0.2.2 22")
	stdout, stderr, code := w.pasting(func(code string) string { return code }, "login", "--console", "--region", "us-east-1")
	if code != 0 || stdout != "" || !strings.Contains(stderr, "this is an SSH session without a display") {
		t.Fatalf("login: exit %d\nstdout %q\nstderr %q\nrejections %q", code, stdout, stderr, si.Rejections())
	}
	w.consoleLifecycle(si, "console-cross", "arn:aws:signin:::devtools/cross-device")
}

// pageRE finds the page a sign-in prints.
var pageRE = regexp.MustCompile(`\n    (http://\S+)\n`)

// pasting runs the helper with args as a person would over SSH: when it
// prints the page, the page is opened elsewhere and what edit makes of the
// code it shows is typed in.
func (w *world) pasting(edit func(code string) string, args ...string) (stdout, stderr string, code int) {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	cmd := testenv.CommandContext(ctx, w.home, w.env, testenv.HelperBinary(w.t), args...)
	in, err := cmd.StdinPipe()
	if err != nil {
		w.t.Fatal(err)
	}
	var o bytes.Buffer
	e := &pageWatcher{found: make(chan string, 1)}
	cmd.Stdout, cmd.Stderr = &o, e
	if err := cmd.Start(); err != nil {
		w.t.Fatal(err)
	}
	go func() {
		defer in.Close()
		select {
		case page := <-e.found:
			status, body := visit(page)
			m := regexp.MustCompile(`<pre id="code">([^<]*)</pre>`).FindStringSubmatch(body)
			if status != 200 || m == nil {
				w.t.Errorf("the confirmation page: %d\n%s", status, body)
				return
			}
			fmt.Fprintln(in, edit(m[1]))
		case <-ctx.Done():
		}
	}()
	err = cmd.Wait()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		w.t.Fatal(err)
	}
	return o.String(), e.String(), cmd.ProcessState.ExitCode()
}

// pageWatcher keeps what is written to it, and sends the first page it
// sees printed on found.
type pageWatcher struct {
	mu    sync.Mutex
	b     bytes.Buffer
	found chan string
	sent  bool
}

func (p *pageWatcher) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.b.Write(b)
	if m := pageRE.FindStringSubmatch(p.b.String()); m != nil && !p.sent {
		p.sent = true
		p.found <- m[1]
	}
	return len(b), nil
}

func (p *pageWatcher) String() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.b.String()
}

// TestConsoleBadInput: through the binary, a denied sign-in and a pasted
// code that is garbage end with one line, exit 1, and nothing written.
func TestConsoleBadInput(t *testing.T) {
	t.Parallel()
	if runtime.GOOS != "linux" {
		t.Skip("the browser stand-in is xdg-open, the opener on Linux")
	}
	lastLine := func(stderr string) string {
		lines := strings.Split(strings.TrimSuffix(stderr, "\n"), "\n")
		return lines[len(lines)-1]
	}
	nothingWritten := func(w *world) {
		if _, err := os.Stat(filepath.Join(w.home, ".aws")); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("~/.aws exists after a failed sign-in (%v)", err)
		}
	}

	w, si := consoleWorld(t)
	si.Deny()
	done := w.standIn(func(page string) { visit(page) })
	stdout, stderr, code := w.helper("login", "--console", "--region", "us-east-1")
	w.wait(done, stderr)
	want := "git-credential-codecommit: the console sign-in was denied (The user denied the request); run git-credential-codecommit login --console --profile dev again, and allow it"
	if code != 1 || stdout != "" || lastLine(stderr) != want {
		t.Errorf("denied: exit %d\nstdout %q\nstderr %q\nwant the last line %q", code, stdout, stderr, want)
	}
	nothingWritten(w)

	w, _ = consoleWorld(t)
	stdout, stderr, code = w.pasting(func(string) string { return "not a code at all" }, "login", "--console", "--remote", "--region", "us-east-1")
	want = "git-credential-codecommit: the pasted text is not an authorization code of AWS Sign-In; run git-credential-codecommit login --console --profile dev again, and paste the whole code the page shows"
	if code != 1 || stdout != "" || lastLine(stderr) != want {
		t.Errorf("garbage: exit %d\nstdout %q\nstderr %q\nwant the last line %q", code, stdout, stderr, want)
	}
	nothingWritten(w)
}
