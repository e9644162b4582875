//go:build linux

package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/fakeaws"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/testenv"
	"github.com/git-credential-codecommit/git-credential-codecommit/sigv4"
)

// The Windows suite: the windows/amd64 build of the helper, run under Wine
// (testenv.RequireWine), with the host's git and the fakes. Its tests share
// the test process's Wine prefix, and so %LocalAppData% and %USERPROFILE%:
// they run one after another, and each starts and ends with neither
// holding the helper's or the SDK's files.

// TestWindows runs the Windows suite's tests, as subtests one after
// another, and the suite as a whole beside the package's other tests.
func TestWindows(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		test func(*testing.T)
	}{
		{"AWSCLIVectors", windowsAWSCLIVectors},
		{"Get", windowsGet},
		{"CloneAndPush", windowsCloneAndPush},
		{"AssumeRoleHerd", windowsAssumeRoleHerd},
		{"DamagedEntry", windowsDamagedEntry},
		{"ForeignEntry", windowsForeignEntry},
		{"Login", windowsLogin},
		{"Install", windowsInstall},
	} {
		t.Run(tc.name, tc.test)
	}
}

const module = "github.com/git-credential-codecommit/git-credential-codecommit"

// winWorld is a world whose git runs the Windows helper.
type winWorld struct {
	*world
	wine *testenv.Wine
	exe  string // the Windows helper, by its host path
}

// newWinWorld is newWorld with the Windows helper: git's credential.helper
// is "!wine64 <exe> helperArgs".
func newWinWorld(t *testing.T, helperArgs ...string) *winWorld {
	t.Helper()
	wine := testenv.RequireWine(t)
	w := &winWorld{
		world: newBareWorld(t),
		wine:  wine,
		exe:   testenv.WindowsBuild(t, "git-credential-codecommit", "build", module),
	}
	w.setenv(wine.Env()...)
	// The AWS files by their Windows names, as a Windows user's would be.
	w.setenv("AWS_CONFIG_FILE="+testenv.WinPath(filepath.Join(w.home, ".aws", "config")),
		"AWS_SHARED_CREDENTIALS_FILE="+testenv.WinPath(filepath.Join(w.home, ".aws", "credentials")))
	helper := strings.Join(append([]string{"!" + shellQuote(wine.Loader()), shellQuote(w.exe)}, helperArgs...), " ")
	w.git("config", "--global", scope+".helper", "")
	w.git("config", "--global", "--add", scope+".helper", helper)
	w.git("config", "--global", scope+".useHttpPath", "true")
	w.clearProfile()
	t.Cleanup(w.clearProfile)
	return w
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// profile is the host path of the prefix's user profile (%USERPROFILE%).
func (w *winWorld) profile() string { return filepath.Dir(filepath.Dir(w.wine.LocalAppData(w.t))) }

// cacheDir is the helper's cache directory: %LocalAppData%\git-credential-codecommit.
func (w *winWorld) cacheDir() string {
	return filepath.Join(w.wine.LocalAppData(w.t), "git-credential-codecommit")
}

// clearProfile removes what a test leaves in the prefix's profile: the
// helper's cache and the SDK's ~/.aws (the IAM Identity Center token).
func (w *winWorld) clearProfile() {
	for _, d := range []string{w.cacheDir(), filepath.Join(w.profile(), ".aws")} {
		if err := os.RemoveAll(d); err != nil {
			w.t.Fatal(err)
		}
	}
}

// winGet runs the Windows helper's get for repository r, as git would.
func (w *winWorld) winGet(args ...string) (stdout, stderr string, code int, err error) {
	return w.start("", "protocol=https\nhost="+host+"\npath=v1/repos/r\n\n", w.wine.Loader(), append(append([]string{w.exe}, args...), "get")...)
}

// mustWinGet is winGet that fails the test unless get answers.
func (w *winWorld) mustWinGet(args ...string) (stdout, stderr string) {
	w.t.Helper()
	stdout, stderr, code, err := w.winGet(args...)
	if err != nil || code != 0 || !strings.HasPrefix(stdout, "username=") {
		w.t.Fatalf("get: exit %d, %v\nstdout %q\nstderr %q", code, err, stdout, stderr)
	}
	return stdout, stderr
}

// windowsAWSCLIVectors runs the AWS CLI vectors through the Windows
// build of the whole program: internal/cli's TestAWSCLIVectorsThroughRun,
// which fixes the clock in the process as on Linux, compiled for Windows
// and run under Wine. It expects the same bytes as the Linux run.
func windowsAWSCLIVectors(t *testing.T) {
	wine := testenv.RequireWine(t)
	exe := testenv.WindowsBuild(t, "cli.test", "test", "-c", module+"/internal/cli")
	dir, err := filepath.Abs("../cli") // where the test finds ../../sigv4/testdata
	if err != nil {
		t.Fatal(err)
	}
	const name = "TestAWSCLIVectorsThroughRun"
	cmd := wine.Command(nil, wine.Loader(), exe, "-test.run", "^"+name+"$", "-test.count=1", "-test.v")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil || !regexp.MustCompile(`(?m)^--- PASS: `+name+` `).Match(out) {
		t.Fatalf("%s under Wine: %v\n%s", name, err, out)
	}
}

// windowsGet: git credential fill, through the Windows helper, answers
// with environment keys the password sigv4 signs for the time the password
// names, and says when it expires.
func windowsGet(t *testing.T) {
	w := newWinWorld(t)
	c := w.keys.Issue("ASIAWINDOWS", time.Now().Add(time.Hour))
	w.setenv("AWS_ACCESS_KEY_ID="+c.AccessKeyID, "AWS_SECRET_ACCESS_KEY="+c.SecretAccessKey, "AWS_SESSION_TOKEN="+c.SessionToken)
	out, errOut, code := w.run("", "url="+repoURL+"win\n\n", "git", "credential", "fill")
	m := regexp.MustCompile(`\npassword=(\d{8}T\d{6})Z[0-9a-f]{64}\n`).FindStringSubmatch(out)
	if code != 0 || m == nil {
		t.Fatalf("git credential fill: exit %d\nstdout %q\nstderr %q", code, out, errOut)
	}
	when, err := time.Parse("20060102T150405", m[1])
	if err != nil {
		t.Fatal(err)
	}
	p := sigv4.CodeCommit(sigv4.Credentials{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken},
		"us-east-1", host, "v1/repos/win", when)
	want := "protocol=https\nhost=" + host + "\npath=v1/repos/win\nusername=" + p.Username + "\npassword=" + p.Password + "\n"
	if !strings.HasPrefix(out, want) || time.Since(when).Abs() > time.Minute {
		t.Errorf("git credential fill printed\n%s\nwant it to start with\n%s", out, want)
	}
}

// windowsCloneAndPush clones, commits, pushes, fetches and clones again
// through the Windows helper, with a static profile's keys.
func windowsCloneAndPush(t *testing.T) {
	w := newWinWorld(t)
	keys := w.staticProfiles("default")
	w.roundTrip("windows")
	w.assertSignedBy(func(id string) bool { return id == keys["default"].AccessKeyID })
}

// windowsAssumeRoleHerd: 20 gets at once on an assume-role profile make
// one AssumeRole call, through the cache's lock (LockFileEx) and entry
// under %LocalAppData%\git-credential-codecommit; later gets make none.
func windowsAssumeRoleHerd(t *testing.T) {
	w := newWinWorld(t)
	sts := w.startSTS()
	sts.SetLatency(500 * time.Millisecond)
	w.assumeRoleProfile()
	w.setenv("AWS_PROFILE=deploy")
	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			stdout, stderr, code, err := w.winGet()
			if err != nil || code != 0 || !strings.HasPrefix(stdout, "username=ASIA") {
				t.Errorf("get: exit %d, %v\nstdout %q\nstderr %q", code, err, stdout, stderr)
			}
		}()
	}
	wg.Wait()
	if n := sts.Calls("AssumeRole"); n != 1 {
		t.Fatalf("20 concurrent gets made %d AssumeRole calls, want 1", n)
	}
	w.mustWinGet()
	if n := sts.Calls("AssumeRole"); n != 1 {
		t.Errorf("a get after them made an AssumeRole call (%d in all)", n)
	}
	entries, _ := filepath.Glob(filepath.Join(w.cacheDir(), "*.json"))
	if len(entries) != 1 || !cacheName.MatchString(filepath.Base(entries[0])) {
		t.Errorf("entries under %%LocalAppData%%: %q, want one", entries)
	}
}

// newWinWorldWithEntry is a Windows world with an assume-role profile
// "deploy" against the fake STS, after one get: the cache holds the one
// entry that get wrote.
func newWinWorldWithEntry(t *testing.T) (*winWorld, *fakeaws.STS, string) {
	t.Helper()
	w := newWinWorld(t)
	sts := w.startSTS()
	w.assumeRoleProfile()
	w.setenv("AWS_PROFILE=deploy")
	w.mustWinGet()
	entries, _ := filepath.Glob(filepath.Join(w.cacheDir(), "*.json"))
	if len(entries) != 1 {
		t.Fatalf("entries %q, want one", entries)
	}
	return w, sts, entries[0]
}

// windowsDamagedEntry: an entry that is not one the helper wrote is
// not used: get asks STS again, and replaces it.
func windowsDamagedEntry(t *testing.T) {
	w, sts, entry := newWinWorldWithEntry(t)
	for i, junk := range []string{`{"version": 1}`, "\x00\x01\x02"} {
		if err := os.WriteFile(entry, []byte(junk), 0o600); err != nil {
			t.Fatal(err)
		}
		_, stderr := w.mustWinGet("--debug")
		if n := sts.Calls("AssumeRole"); n != i+2 {
			t.Fatalf("entry %q: %d AssumeRole calls, want %d\nstderr:\n%s", junk, n, i+2, stderr)
		}
	}
	w.mustWinGet()
	if n := sts.Calls("AssumeRole"); n != 3 {
		t.Errorf("the entry written after the damage was not used: %d AssumeRole calls", n)
	}
}

// windowsForeignEntry: an entry, or the cache directory, that someone
// else owns or may write is not used on Windows either (safefile's rules
// there: owner and access list). Wine describes a file of another uid as
// owned by S-1-5-7, and a world-writable one as writable by Everyone
// (S-1-1-0).
func windowsForeignEntry(t *testing.T) {
	w, sts, entry := newWinWorldWithEntry(t)
	calls := 1
	for _, tc := range []struct {
		name   string
		path   string
		change func(string) error
		says   string
	}{
		{"world-writable entry", entry, func(p string) error { return os.Chmod(p, 0o666) }, "is writable by S-1-1-0"},
		{"another user's entry", entry, func(p string) error { return os.Chown(p, 65534, 65534) }, "is owned by S-1-5-7"},
		{"world-writable directory", w.cacheDir(), func(p string) error { return os.Chmod(p, 0o777) }, "is writable by S-1-1-0"},
	} {
		if err := tc.change(tc.path); err != nil {
			t.Fatal(err)
		}
		_, stderr := w.mustWinGet("--debug")
		calls++
		if n := sts.Calls("AssumeRole"); n != calls || !strings.Contains(stderr, tc.says) {
			t.Errorf("%s: %d AssumeRole calls, want %d; stderr:\n%s", tc.name, n, calls, stderr)
		}
		calls = sts.Calls("AssumeRole")
		if err := os.Chmod(w.cacheDir(), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	// The entry the last get wrote, the user's own, is used.
	w.mustWinGet()
	if n := sts.Calls("AssumeRole"); n != calls {
		t.Errorf("the helper's own entry was not used: %d AssumeRole calls, want %d", n, calls)
	}
}

// windowsLogin signs in with the device code (--use-device-code), the
// browser opened through rundll32's URL handler: Wine hands the page to the
// host's xdg-open, here a script that writes down what it was asked to
// open. The token then answers a get.
func windowsLogin(t *testing.T) {
	w := newWinWorld(t)
	ic, err := fakeaws.StartIdentityCenter(w.keys)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ic.Close)
	ic.AllowRole("111122223333", "Developer")
	w.write(".aws/config", "[profile dev]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Developer\nregion = us-east-1\n"+
		"[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\nsso_registration_scopes = sso:account:access\n")
	opened := filepath.Join(w.home, "opened")
	w.write("bin/xdg-open", "#!/bin/sh\nprintf '%s\\n' \"$@\" > "+shellQuote(opened)+"\n")
	if err := os.Chmod(filepath.Join(w.home, "bin", "xdg-open"), 0o755); err != nil {
		t.Fatal(err)
	}
	w.setenv("AWS_ENDPOINT_URL_SSO="+ic.URL, "AWS_ENDPOINT_URL_SSO_OIDC="+ic.URL, "AWS_PROFILE=dev",
		"PATH="+filepath.Join(w.home, "bin")+":"+os.Getenv("PATH"))

	stdout, stderr, code := w.runOutlived(w.wine.Loader(), w.exe, "login", "--use-device-code")
	m := userCode(ic).FindStringSubmatch(stderr)
	if code != 0 || stdout != "" || m == nil || !strings.Contains(stderr, "Opening the page") {
		t.Fatalf("login: exit %d\nstdout %q\nstderr %q", code, stdout, stderr)
	}
	want := fakeaws.DefaultPage + "?user_code=" + m[1] + "\n"
	var got []byte
	// The opener runs on its own: wait for it to have written.
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline) && string(got) != want; time.Sleep(50 * time.Millisecond) {
		got, _ = os.ReadFile(opened)
	}
	if string(got) != want {
		t.Errorf("xdg-open got %q, want %q", got, want)
	}
	token, err := filepath.Glob(filepath.Join(w.profile(), ".aws", "sso", "cache", "*.json"))
	if err != nil || len(token) != 1 {
		t.Errorf("token files under %%USERPROFILE%%: %q (%v), want one", token, err)
	}
	if stdout, _ := w.mustWinGet(); !strings.HasPrefix(stdout, "username=ASIASSO") {
		t.Errorf("get after login printed %q, want the IAM Identity Center role's keys", stdout)
	}
	if _, err := os.Stat(filepath.Join(w.home, ".aws", "sso")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("login wrote into the host's HOME: %v", err)
	}
}

// runOutlived is run for a Windows program whose children outlive it: Wine
// starts login's opener (rundll32, then explorer, which stays) as processes
// that inherit the helper's Unix descriptors, so a pipe of its output would
// stay open for half a minute after it has exited. Its output goes to
// files instead, and the test waits for the program alone.
func (w *winWorld) runOutlived(name string, args ...string) (stdout, stderr string, code int) {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	cmd := w.command(ctx, "", "", name, args...)
	var out [2]*os.File
	for i := range out {
		f, err := os.CreateTemp(w.t.TempDir(), "out")
		if err != nil {
			w.t.Fatal(err)
		}
		defer f.Close()
		out[i] = f
	}
	cmd.Stdout, cmd.Stderr = out[0], out[1]
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		code = exit.ExitCode()
	case err != nil:
		w.t.Fatalf("%s: %v", name, err)
	}
	return string(readFile(w.t, out[0].Name())), string(readFile(w.t, out[1].Name())), code
}

// windowsInstall: install --remote-helper, doctor and uninstall of a
// helper under C:\Program Files, run by the Windows helper with the host's
// git (through testenv's git.exe bridge); git reads back what install
// wrote. Started by the name of the hard link install makes beside it, the
// Windows build is the codecommit:// remote helper, and hands git
// remote-https the repository's HTTPS URL (here asked only for its
// capabilities: a clone would make the host's git run the credential helper
// by its Windows path, which it cannot).
func windowsInstall(t *testing.T) {
	w := newWinWorld(t)
	keys := w.staticProfiles("default")
	const dir, winDir = "Git CodeCommit", `C:\Program Files\Git CodeCommit`
	winExe := winDir + `\git-credential-codecommit.exe`
	exe := filepath.Join(w.wine.Prefix, "drive_c", "Program Files", dir, "git-credential-codecommit.exe")
	writeFile(t, exe, readFile(t, w.exe))
	t.Cleanup(func() { os.RemoveAll(filepath.Dir(exe)) })
	w.git("config", "--global", "--unset-all", scope+".helper")
	w.git("config", "--global", "--unset-all", scope+".useHttpPath")
	before := w.git("config", "--global", "--list")

	quoted := "!'C:/Program Files/" + dir + "/git-credential-codecommit.exe'"
	out := w.cli("", w.wine.Loader(), winExe, "install", "--remote-helper")
	if !strings.Contains(out, installed("--global", quoted)) ||
		!strings.Contains(out, "linked "+winDir+`\git-remote-codecommit.exe to `+winExe+":") {
		t.Errorf("install printed\n%s", out)
	}
	if got := w.git("config", "--global", "--get-all", "credential."+hostSection+".helper"); got != "\n"+quoted+"\n" {
		t.Errorf("the helpers are %q", got)
	}
	link := filepath.Join(filepath.Dir(exe), "git-remote-codecommit.exe")
	a, errA := os.Stat(exe)
	b, errB := os.Stat(link)
	if errA != nil || errB != nil || !os.SameFile(a, b) {
		t.Fatalf("git-remote-codecommit.exe is not a hard link to the helper: %v, %v", errA, errB)
	}
	w.setenv("AWS_REGION=us-east-1")
	remote := winDir + `\git-remote-codecommit.exe`
	stdout, stderr, code := w.run("", "capabilities\n\n", w.wine.Loader(), remote, "origin", "codecommit://repo")
	if code != 0 || !strings.Contains(stdout, "\nfetch\n") || !strings.Contains(stdout, "\npush\n") {
		t.Errorf("the remote helper, asked for capabilities: exit %d\nstdout %q\nstderr %q", code, stdout, stderr)
	}
	stdout, stderr, code = w.run("", "", w.wine.Loader(), remote, "origin")
	if code == 0 || stdout != "" || !strings.HasPrefix(stderr, "git-remote-codecommit: ") || strings.Count(stderr, "\n") != 1 {
		t.Errorf("the remote helper without a URL: exit %d\nstdout %q\nstderr %q", code, stdout, stderr)
	}

	// doctor finds git, reads the profile files by their Windows names and
	// the region; its probe of the helpers cannot work here: it hands git
	// Windows paths (the trace2 file, the helper) that only Git for
	// Windows can use.
	out, stderr, code = w.run("", "", w.wine.Loader(), winExe, "doctor", "--json")
	var r struct {
		OK     bool
		Checks []struct{ Name, Status, Detail string }
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("doctor --json: exit %d, %v\nstdout:\n%s\nstderr:\n%s", code, err, out, stderr)
	}
	status := map[string]string{}
	for _, c := range r.Checks {
		// A check that does not apply here is skipped (usehttppath among
		// them, since the probe did not run).
		if c.Status != "ok" && c.Status != "skip" || c.Name == "credentials" && (c.Status != "ok" || !strings.Contains(c.Detail, keys["default"].AccessKeyID)) {
			status[c.Name] = c.Status + ": " + c.Detail
		}
	}
	if len(status) != 1 || !strings.Contains(status["helper"], "trace2") {
		t.Errorf("doctor: exit %d; checks not ok, but for the helper probe: %q\nstdout:\n%s", code, status, out)
	}

	// Windows deletes no name of a running program, and uninstall runs from
	// the file the link names: the link is renamed out of git's way.
	out = w.cli("", w.wine.Loader(), winExe, "uninstall", "--remote-helper")
	if !strings.Contains(out, "removed "+remote+" (renamed to git-remote-codecommit.exe.old: Windows deletes no name of a running program)\n") {
		t.Errorf("uninstall printed\n%s", out)
	}
	if fi, err := os.Stat(link + ".old"); err != nil || !os.SameFile(a, fi) {
		t.Errorf("the renamed link: %v", err)
	}
	if after := w.git("config", "--global", "--list"); after != before {
		t.Errorf("after uninstall:\n%s\nwant what was there before install:\n%s", after, before)
	}
	if _, err := os.Stat(link); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("uninstall left the link: %v", err)
	}
}
