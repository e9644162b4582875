package e2e

import (
	"encoding/json"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/fakeaws"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/testenv"
)

// helper runs the helper binary with args, as a person at a terminal would.
func (w *world) helper(args ...string) (stdout, stderr string, code int) {
	w.t.Helper()
	return w.run("", "", testenv.HelperBinary(w.t), args...)
}

// userCode matches the prompt's code and verification page; the fake's
// codes are two groups of four base32 characters.
func userCode(ic *fakeaws.IdentityCenter) *regexp.Regexp {
	return regexp.MustCompile(`enter the code ([A-Z2-7]{4}-[A-Z2-7]{4}):\n\n    ` + regexp.QuoteMeta(fakeaws.DefaultPage) + "\n")
}

// readJSON returns the JSON object in the file name under home.
func (w *world) readJSON(name string) map[string]any {
	w.t.Helper()
	b, err := os.ReadFile(filepath.Join(w.home, name))
	if err != nil {
		w.t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		w.t.Fatalf("%s: %v", name, err)
	}
	return m
}

// checkMode fails the test unless the file name under home has the
// permission bits want.
func (w *world) checkMode(name string, want os.FileMode) {
	w.t.Helper()
	fi, err := os.Stat(filepath.Join(w.home, name))
	if err != nil {
		w.t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != want {
		w.t.Errorf("%s has mode %v, want %v", name, got, want)
	}
}

// checkTime fails the test unless field of token is an RFC 3339 time in UTC,
// to the second, within a minute of want.
func checkTime(t *testing.T, token map[string]any, field string, want time.Time) {
	t.Helper()
	s, _ := token[field].(string)
	got, err := time.Parse(time.RFC3339, s)
	if err != nil || !strings.HasSuffix(s, "Z") || strings.Contains(s, ".") || got.Sub(want).Abs() > time.Minute {
		t.Errorf("%s is %q, want about %s", field, s, want.UTC().Format(time.RFC3339))
	}
}

// TestLoginLogout signs in through the fakes of IAM Identity Center, clones
// and pushes with the token, and signs out.
func TestLoginLogout(t *testing.T) {
	t.Parallel()
	w, ic := ssoWorld(t)
	const loginLine = "run: git-credential-codecommit login --profile dev"
	stdout, stderr, code := w.get("sso-login")
	oneLine(t, stdout, stderr, code, `profile "dev" has expired or is missing`, loginLine)

	// An SSH session with no display signs in with a device code by itself.
	w.setenv("SSH_CONNECTION=192.0.2.1 50000 192.0.2.2 22")
	ic.PendingPolls(1)
	stdout, stderr, code = w.helper("login", "--no-browser")
	t.Logf("login:\n%s", stderr)
	if code != 0 || stdout != "" || !userCode(ic).MatchString(stderr) || !strings.Contains(stderr, "Signed in.") ||
		!strings.HasPrefix(stderr, "Signing in with a device code, since this is an SSH session with no display here: approve on any device.\n") {
		t.Fatalf("login: exit %d\nstdout %q\nstderr %q", code, stdout, stderr)
	}
	if got := [3]int{ic.Calls("RegisterClient"), ic.Calls("StartDeviceAuthorization"), ic.Calls("CreateToken")}; got != [3]int{1, 1, 2} {
		t.Errorf("RegisterClient, StartDeviceAuthorization, CreateToken calls %v, want [1 1 2]: one pending answer, then the token", got)
	}

	// The token file: the AWS CLI's name, fields and mode.
	w.checkMode(ssoCache, 0o600)
	w.checkMode(filepath.Dir(ssoCache), 0o700)
	token := w.readJSON(ssoCache)
	fields := slices.Sorted(maps.Keys(token))
	if want := []string{"accessToken", "clientId", "clientSecret", "expiresAt", "refreshToken", "region", "registrationExpiresAt", "startUrl"}; !slices.Equal(fields, want) {
		t.Errorf("token fields %v, want %v", fields, want)
	}
	if token["startUrl"] != "https://corp.awsapps.com/start" || token["region"] != "us-east-1" {
		t.Errorf("token for %v in %v, want https://corp.awsapps.com/start in us-east-1", token["startUrl"], token["region"])
	}
	checkTime(t, token, "expiresAt", time.Now().Add(time.Hour))
	checkTime(t, token, "registrationExpiresAt", time.Now().Add(90*24*time.Hour))
	for _, k := range []string{"accessToken", "refreshToken", "clientSecret"} {
		if v, _ := token[k].(string); v == "" || strings.Contains(stderr, v) {
			t.Errorf("%s is empty, or login printed it", k)
		}
	}

	// git works with the token, through the SDK's SSO provider, which
	// refreshes it when it has expired, with what the sign-in kept.
	w.expireToken(ic)
	w.roundTrip("sso-login")
	if n := ic.Calls("CreateToken"); n != 3 {
		t.Errorf("%d CreateToken calls, want 3: two polls and the SDK's refresh", n)
	}
	w.assertSignedBy(func(k string) bool { return ssoIssued(k) && known(w.keys, k) })

	// A second sign-in reuses the client registration.
	if stdout, stderr, code = w.helper("login", "--no-browser"); code != 0 || stdout != "" {
		t.Fatalf("second login: exit %d\nstdout %q\nstderr %q", code, stdout, stderr)
	}
	if n := ic.Calls("RegisterClient"); n != 1 {
		t.Errorf("%d RegisterClient calls after a second login, want 1", n)
	}
	if id := w.readJSON(ssoCache)["clientId"]; id != token["clientId"] {
		t.Errorf("the second login changed the client id")
	}

	// logout removes the token and the role credentials cached from it.
	stdout, stderr, code = w.helper("logout")
	t.Logf("logout:\n%s", stderr)
	if code != 0 || stdout != "" || !strings.Contains(stderr, `Removed the token of SSO session "corp": `+filepath.Join(w.home, ssoCache)) ||
		!strings.Contains(stderr, "Removed the cached role credentials (1 file)") {
		t.Fatalf("logout: exit %d\nstdout %q\nstderr %q", code, stdout, stderr)
	}
	if _, err := os.Stat(filepath.Join(w.home, ssoCache)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the token file is still there after logout (%v)", err)
	}
	roleCalls := ic.Calls("GetRoleCredentials")
	stdout, stderr, code = w.get("sso-login")
	oneLine(t, stdout, stderr, code, `profile "dev" has expired or is missing`, loginLine)
	if n := ic.Calls("GetRoleCredentials"); n != roleCalls {
		t.Errorf("get asked for role credentials after logout")
	}

	// Signing out again has nothing to remove, and is no error.
	if stdout, stderr, code = w.helper("logout", "--profile", "dev"); code != 0 || stdout != "" || !strings.Contains(stderr, "No token of SSO session") {
		t.Errorf("second logout: exit %d\nstdout %q\nstderr %q", code, stdout, stderr)
	}
}

// TestLoginLegacyProfile signs in for a profile with sso_start_url and
// sso_region of its own, and clones with the token.
func TestLoginLegacyProfile(t *testing.T) {
	t.Parallel()
	w, ic := ssoWorld(t)
	w.write(".aws/config", `[profile legacy]
sso_start_url = https://legacy.awsapps.com/start
sso_region = us-east-1
sso_account_id = 111122223333
sso_role_name = Developer
region = us-east-1
`)
	w.setenv("AWS_PROFILE=legacy")
	stdout, stderr, code := w.helper("login", "--profile", "legacy", "--no-browser")
	if code != 0 || stdout != "" || !userCode(ic).MatchString(stderr) {
		t.Fatalf("login: exit %d\nstdout %q\nstderr %q", code, stdout, stderr)
	}
	// hex(sha1("https://legacy.awsapps.com/start")): the legacy name.
	const legacyCache = ".aws/sso/cache/79e435d7a515078e81c9dffc35f38d5687ebd3a7.json"
	w.checkMode(legacyCache, 0o600)
	token := w.readJSON(legacyCache)
	if token["startUrl"] != "https://legacy.awsapps.com/start" || token["region"] != "us-east-1" || token["accessToken"] == "" {
		t.Errorf("token for %v in %v", token["startUrl"], token["region"])
	}
	checkTime(t, token, "expiresAt", time.Now().Add(time.Hour))
	w.roundTrip("sso-legacy")
	w.assertSignedBy(func(k string) bool { return ssoIssued(k) && known(w.keys, k) })
}

// TestLoginCodeExpires checks that a sign-in that is not approved before its
// code expires fails with one line that says what to do, and writes no
// token.
func TestLoginCodeExpires(t *testing.T) {
	t.Parallel()
	w, ic := ssoWorld(t)
	ic.ExpireDeviceCodes()
	stdout, stderr, code := w.helper("login", "--no-browser", "--use-device-code")
	lines := strings.SplitAfter(stderr, "\n")
	last := lines[len(lines)-2]
	want := `git-credential-codecommit: the sign-in code expired before the sign-in of SSO session "corp" was approved; run git-credential-codecommit login --profile dev again, and approve it within 10 minutes` + "\n"
	if code != 1 || stdout != "" || last != want || lines[len(lines)-1] != "" {
		t.Fatalf("login: exit %d\nstdout %q\nstderr %q\nwant the last line %q", code, stdout, stderr, want)
	}
	if _, err := os.Stat(filepath.Join(w.home, ssoCache)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a failed login wrote a token (%v)", err)
	}
}

// TestLoginOpensBrowser checks that login opens the verification page, code
// included, with xdg-open when there is a display, and that a browser that
// cannot be opened does not fail the sign-in.
func TestLoginOpensBrowser(t *testing.T) {
	t.Parallel()
	if runtime.GOOS != "linux" {
		t.Skip("xdg-open is the opener on Linux only")
	}
	for _, tc := range []struct {
		name   string
		script string // the xdg-open on PATH; "" for none
		env    []string
		said   string
		opens  bool
	}{
		{"xdg-open", `printf '%s\n' "$@" > "$HOME/opened"`, []string{"DISPLAY=:0"}, "Opening the page", true},
		{"xdg-open fails", `printf '%s\n' "$@" > "$HOME/opened"; exit 3`, []string{"WAYLAND_DISPLAY=wayland-0"}, "Opening the page", true},
		{"no xdg-open", "", []string{"DISPLAY=:0"}, `Cannot open a browser (exec: "xdg-open": executable file not found in $PATH); open the page yourself.`, false},
		{"no display", `printf '%s\n' "$@" > "$HOME/opened"`, nil, "Cannot open a browser (no graphical display: neither DISPLAY nor WAYLAND_DISPLAY is set); open the page yourself.", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w, ic := ssoWorld(t)
			bin := filepath.Join(w.home, "bin")
			if err := os.Mkdir(bin, 0o755); err != nil {
				t.Fatal(err)
			}
			if tc.script != "" {
				w.write("bin/xdg-open", "#!/bin/sh\n"+tc.script+"\n")
				if err := os.Chmod(filepath.Join(bin, "xdg-open"), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			w.setenv(append(tc.env, "PATH="+bin)...) // nothing else: login runs no other program
			stdout, stderr, code := w.helper("login", "--use-device-code")
			m := userCode(ic).FindStringSubmatch(stderr)
			if code != 0 || stdout != "" || m == nil || !strings.Contains(stderr, tc.said) {
				t.Fatalf("login: exit %d\nstdout %q\nstderr %q\nwant it to say %q", code, stdout, stderr, tc.said)
			}
			opened := filepath.Join(w.home, "opened")
			if !tc.opens {
				if _, err := os.Stat(opened); !errors.Is(err, os.ErrNotExist) {
					t.Errorf("xdg-open ran (%v)", err)
				}
				return
			}
			want := fakeaws.DefaultPage + "?user_code=" + m[1] + "\n"
			var got []byte
			for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline) && string(got) != want; time.Sleep(10 * time.Millisecond) {
				got, _ = os.ReadFile(opened)
			}
			if string(got) != want {
				t.Errorf("xdg-open got %q, want %q", got, want)
			}
		})
	}
}
