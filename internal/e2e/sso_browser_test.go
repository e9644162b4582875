package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/fakeaws"
)

// browse is the browser stand-in: this test binary, run as xdg-open by the
// helper's browser opener, does with the page what FAKE_BROWSER says
// (fakeaws.Browser).
func browse() int {
	if len(os.Args) != 2 {
		return 2
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := fakeaws.Browse(ctx, os.Args[1], fakeaws.Browser(os.Getenv("FAKE_BROWSER"))); err != nil {
		os.Stderr.WriteString(err.Error() + "\n")
		return 1
	}
	return 0
}

// browser makes the helper's browser opener run the stand-in, which does b.
func (w *world) browser(b fakeaws.Browser) {
	w.t.Helper()
	self, err := os.Executable()
	if err != nil {
		w.t.Fatal(err)
	}
	bin := filepath.Join(w.home, "bin")
	if err := os.Mkdir(bin, 0o755); err != nil {
		w.t.Fatal(err)
	}
	if err := os.Symlink(self, filepath.Join(bin, "xdg-open")); err != nil {
		w.t.Fatal(err)
	}
	w.setenv("DISPLAY=:0", "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"), "FAKE_BROWSER="+string(b))
}

// expireToken makes the signed-in token expired, in its file and at the
// fake, as time would.
func (w *world) expireToken(ic *fakeaws.IdentityCenter) {
	w.t.Helper()
	token := w.readJSON(ssoCache)
	token["expiresAt"] = time.Now().Add(-time.Minute).UTC().Format(time.RFC3339)
	b, _ := json.Marshal(token)
	w.write(ssoCache, string(b))
	ic.ExpireAccessTokens()
}

// TestLoginPKCE signs in through the browser (the stand-in approves),
// clones once the SDK has refreshed the expired token, and signs out.
func TestLoginPKCE(t *testing.T) {
	t.Parallel()
	if runtime.GOOS != "linux" {
		t.Skip("xdg-open is the opener on Linux")
	}
	w, ic := ssoWorld(t)
	w.browser(fakeaws.Approve)
	stdout, stderr, code := w.helper("login")
	t.Logf("login:\n%s", stderr)
	if code != 0 || stdout != "" || !strings.HasPrefix(stderr, "Signing in through the browser on this machine (authorization code with PKCE)") ||
		!strings.Contains(stderr, "Signed in.") {
		t.Fatalf("login: exit %d\nstdout %q\nstderr %q", code, stdout, stderr)
	}
	if got := [3]int{ic.Calls("Authorize"), ic.Calls("CreateToken"), ic.Calls("StartDeviceAuthorization")}; got != [3]int{1, 1, 0} {
		t.Errorf("Authorize, CreateToken, StartDeviceAuthorization calls %v, want [1 1 0]", got)
	}
	w.checkMode(ssoCache, 0o600)
	w.expireToken(ic)
	w.roundTrip("sso-pkce")
	w.assertSignedBy(func(k string) bool { return ssoIssued(k) && known(w.keys, k) })
	if n := ic.Calls("CreateToken"); n != 2 {
		t.Errorf("%d CreateToken calls, want 2: the sign-in and the SDK's refresh", n)
	}
	if _, stderr, code := w.helper("logout"); code != 0 {
		t.Fatalf("logout: exit %d\n%s", code, stderr)
	}
	stdout, stderr, code = w.get("sso-pkce")
	oneLine(t, stdout, stderr, code, `profile "dev" has expired or is missing`, "run: git-credential-codecommit login --profile dev")
}

// TestLoginPKCERefused checks that each bad answer of the browser (a wrong
// state, a denied approval, an error, a second callback, a foreign Host)
// ends the sign-in with one line, exit 1, and writes nothing; no callback
// before the deadline is internal/login's TestAuthCodeRefused, whose
// deadline is short.
func TestLoginPKCERefused(t *testing.T) {
	t.Parallel()
	if runtime.GOOS != "linux" {
		t.Skip("xdg-open is the opener on Linux")
	}
	for _, tc := range []struct {
		browser fakeaws.Browser
		deny    bool
		want    string
	}{
		{fakeaws.WrongState, false, `git-credential-codecommit: refused a callback to the sign-in of SSO session "corp" (its state is not this sign-in's); run git-credential-codecommit login --profile dev again`},
		{fakeaws.Approve, true, `git-credential-codecommit: the sign-in of SSO session "corp" was denied (access_denied: The user denied the request); run git-credential-codecommit login --profile dev again, and choose Allow`},
		{fakeaws.CallbackError, false, `git-credential-codecommit: IAM Identity Center did not sign in SSO session "corp" (server_error: <b>boom</b>); run git-credential-codecommit login --profile dev again`},
		{fakeaws.TwoCallbacks, false, `git-credential-codecommit: refused a callback to the sign-in of SSO session "corp" (its state is not this sign-in's); run git-credential-codecommit login --profile dev again`},
		{fakeaws.ForeignHost, false, `; run git-credential-codecommit login --profile dev again`},
	} {
		w, ic := ssoWorld(t)
		if tc.deny {
			ic.DenyAuthorizations()
		}
		w.browser(tc.browser)
		stdout, stderr, code := w.helper("login")
		lines := strings.SplitAfter(stderr, "\n")
		if code != 1 || stdout != "" || len(lines) < 2 || !strings.HasSuffix(lines[len(lines)-2], tc.want+"\n") ||
			!strings.HasPrefix(lines[len(lines)-2], "git-credential-codecommit: ") {
			t.Errorf("login: exit %d\nstdout %q\nstderr %q\nwant the last line %q", code, stdout, stderr, tc.want)
		}
		if entries, err := os.ReadDir(filepath.Join(w.home, ".aws/sso/cache")); err == nil && len(entries) > 0 {
			t.Errorf("a refused sign-in wrote %s", entries[0].Name())
		}
	}
}

// createdConfig is the ~/.aws/config that TestLoginCreatesProfile's login
// writes in an empty HOME.
const createdConfig = `[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = us-east-1
sso_registration_scopes = sso:account:access

[profile dev]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = Developer
`

// TestLoginCreatesProfile goes from an empty HOME to a clone with the two
// commands of README.md's laptop section: login, creating the profile from
// the fake's accounts and roles, and install.
func TestLoginCreatesProfile(t *testing.T) {
	t.Parallel()
	if runtime.GOOS != "linux" {
		t.Skip("xdg-open is the opener on Linux")
	}
	w := newBareWorld(t)
	ic, err := fakeaws.StartIdentityCenter(w.keys)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ic.Close)
	ic.AllowRole("111122223333", "Developer")
	ic.AllowRole("111122223333", "ReadOnly")
	ic.AllowRole("444455556666", "Admin")
	w.setenv("AWS_ENDPOINT_URL_SSO="+ic.URL, "AWS_ENDPOINT_URL_SSO_OIDC="+ic.URL)
	w.browser(fakeaws.Approve)
	if _, err := os.Stat(filepath.Join(w.home, ".aws")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("HOME is not empty of AWS settings (%v)", err)
	}
	stdout, stderr, code := w.helper("login", "--profile", "dev", "--sso-session", "corp", "--start-url", "https://corp.awsapps.com/start", "--sso-region", "us-east-1",
		"--account-id", "111122223333", "--role-name", "Developer")
	t.Logf("login:\n%s", stderr)
	if code != 0 || stdout != "" {
		t.Fatalf("login: exit %d\nstdout %q\nstderr %q", code, stdout, stderr)
	}
	b, err := os.ReadFile(filepath.Join(w.home, ".aws/config"))
	if want := createdConfig; err != nil || string(b) != want {
		t.Errorf("~/.aws/config:\n%s\nwant\n%s", b, want)
	}
	w.cli("", "", "install", "--profile", "dev")
	w.roundTrip("created")
	w.assertSignedBy(func(k string) bool { return ssoIssued(k) && known(w.keys, k) })
}
