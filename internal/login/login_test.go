package login

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/failure"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/fakeaws"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/ssotoken"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/testenv"
)

// corpCache is the token cache file of the "corp" session under a home.
const corpCache = ".aws/sso/cache/ee0bfd2552fbd840c02cc48b6e823320543c450f.json"

// world is an isolated home with testConfig, and IAM Identity Center's
// fake as the SSO-OIDC endpoint.
type world struct {
	t    *testing.T
	home string
	ic   *fakeaws.IdentityCenter
}

func newWorld(t *testing.T) *world {
	t.Helper()
	home := testenv.Isolate(t)
	writeFile(t, home, ".aws/config", testConfig)
	ic, err := fakeaws.StartIdentityCenter(fakeaws.NewKeys())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ic.Close)
	t.Setenv("AWS_ENDPOINT_URL_SSO_OIDC", ic.URL)
	return &world{t: t, home: home, ic: ic}
}

// signIn is one run of the sign-in flow, with a fake clock and browser.
type signIn struct {
	clock  *clock
	out    bytes.Buffer
	opened []string
	err    error
}

// login runs the device code flow for o with a fake clock whose sleeps
// take no time, and a browser that records the pages it is asked to open,
// failing with openErr.
func (w *world) login(o Options, openErr error) *signIn {
	w.t.Helper()
	o.UseDeviceCode = true
	s := &signIn{clock: newClock()}
	o.Stderr = &s.out
	f, err := newFlow(context.Background(), o)
	if err != nil {
		w.t.Fatal(err)
	}
	f.now, f.sleep = s.clock.now, s.clock.sleep
	if f.open != nil {
		f.open = func(url string) error {
			s.opened = append(s.opened, url)
			return openErr
		}
	}
	s.err = f.run(context.Background())
	w.t.Logf("stderr:\n%s", s.out.String())
	return s
}

func (w *world) calls() [3]int {
	return [3]int{w.ic.Calls("RegisterClient"), w.ic.Calls("StartDeviceAuthorization"), w.ic.Calls("CreateToken")}
}

// TestLogin signs in through the fake, which answers authorization_pending
// twice and slow_down once, and checks the prompt, the polling intervals,
// the browser and the token file.
func TestLogin(t *testing.T) {
	w := newWorld(t)
	w.ic.PendingPolls(2)
	w.ic.SlowDown(1)
	s := w.login(Options{Profile: "dev"}, nil)
	if s.err != nil {
		t.Fatal(s.err)
	}
	// The fake asks for 1-second polls; slow_down makes them 6 seconds.
	if want := []time.Duration{time.Second, time.Second, 6 * time.Second}; !slices.Equal(s.clock.sleeps, want) {
		t.Errorf("sleeps %v, want %v", s.clock.sleeps, want)
	}
	if got, want := w.calls(), [3]int{1, 1, 4}; got != want {
		t.Errorf("RegisterClient, StartDeviceAuthorization, CreateToken calls %v, want %v", got, want)
	}
	out := s.out.String()
	for _, want := range []string{
		`Signing in to https://corp.awsapps.com/start (SSO session "corp").`,
		"open this page and enter the code ",
		"\n    " + fakeaws.DefaultPage + "\n",
		"Opening the page, with the code filled in, in your browser.",
		"the code expires in 10 minutes",
		`Signed in. The token of SSO session "corp" is valid until ` + s.clock.start.Add(time.Hour+8*time.Second).UTC().Format(time.RFC3339) + "; it is in " + filepath.Join(w.home, corpCache),
	} {
		if !strings.Contains(out, want) {
			t.Errorf("stderr lacks %q", want)
		}
	}
	if len(s.opened) != 1 || !strings.HasPrefix(s.opened[0], fakeaws.DefaultPage+"?user_code=") ||
		!strings.Contains(out, "enter the code "+strings.TrimPrefix(s.opened[0], fakeaws.DefaultPage+"?user_code=")+":") {
		t.Errorf("opened %q; want the verification page with the code printed", s.opened)
	}

	path := filepath.Join(w.home, corpCache)
	tok, err := ssotoken.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if tok.StartURL != "https://corp.awsapps.com/start" || tok.Region != "us-east-1" || tok.AccessToken == "" ||
		!tok.ExpiresAt.Equal(s.clock.now().Add(time.Hour)) || tok.RefreshToken == "" || tok.ClientID == "" || tok.ClientSecret == "" ||
		tok.RegistrationExpiresAt.Before(time.Now().Add(89*24*time.Hour)) {
		t.Errorf("token file %+v", tok)
	}
	checkMode(t, path, 0o600)
	for _, secret := range []string{tok.AccessToken, tok.RefreshToken, tok.ClientSecret} {
		if strings.Contains(out, secret) {
			t.Error("stderr holds a secret of the token file")
		}
	}
}

// TestLoginLegacy signs in for a legacy profile: no scopes, the cache file
// named by the start URL, the profile's region.
func TestLoginLegacy(t *testing.T) {
	w := newWorld(t)
	s := w.login(Options{Profile: "legacy", NoBrowser: true}, nil)
	if s.err != nil {
		t.Fatal(s.err)
	}
	tok, err := ssotoken.Read(filepath.Join(w.home, ".aws/sso/cache/79e435d7a515078e81c9dffc35f38d5687ebd3a7.json"))
	if err != nil {
		t.Fatal(err)
	}
	if tok.StartURL != "https://legacy.awsapps.com/start" || tok.Region != "eu-west-1" || tok.AccessToken == "" {
		t.Errorf("token file %+v", tok)
	}
	if len(s.opened) != 0 || strings.Contains(s.out.String(), "browser") {
		t.Errorf("with NoBrowser, opened %q and said:\n%s", s.opened, s.out.String())
	}
}

// TestLoginBrowserFails checks that a browser that cannot be opened does
// not stop the sign-in.
func TestLoginBrowserFails(t *testing.T) {
	w := newWorld(t)
	s := w.login(Options{Profile: "dev"}, errors.New(`exec: "xdg-open": executable file not found in $PATH`))
	if s.err != nil {
		t.Fatal(s.err)
	}
	if want := `Cannot open a browser (exec: "xdg-open": executable file not found in $PATH); open the page yourself.`; !strings.Contains(s.out.String(), want) {
		t.Errorf("stderr lacks %q", want)
	}
}

// TestLoginExpired checks that a device code that expires before the user
// approves ends the sign-in with one line that says what to do, whether IAM
// Identity Center says so (expired_token) or the code's lifetime passes.
func TestLoginExpired(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(*fakeaws.IdentityCenter)
		polls int
	}{
		{"expired_token", func(ic *fakeaws.IdentityCenter) { ic.PendingPolls(1); ic.ExpireDeviceCodes() }, 1},
		// The fake answers expiresIn 600 and interval 1: 600 polls, the
		// last at 599 seconds.
		{"lifetime passed", func(ic *fakeaws.IdentityCenter) { ic.PendingPolls(1000) }, 600},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			tc.setup(w.ic)
			s := w.login(Options{Profile: "dev", NoBrowser: true}, nil)
			want := `the sign-in code expired before the sign-in of SSO session "corp" was approved; run git-credential-codecommit login --profile dev again, and approve it within 10 minutes`
			if s.err == nil || s.err.Error() != want {
				t.Fatalf("error %v\nwant   %s", s.err, want)
			}
			if n := w.ic.Calls("CreateToken"); n != tc.polls {
				t.Errorf("%d CreateToken calls, want %d", n, tc.polls)
			}
			if _, err := os.Stat(filepath.Join(w.home, corpCache)); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("a failed sign-in left a token file (%v)", err)
			}
		})
	}
}

// TestLoginRegistration checks when a client registration in the token
// cache is reused, and when a new one is made.
func TestLoginRegistration(t *testing.T) {
	for _, tc := range []struct {
		name string
		// edit changes the token file of a first sign-in; nil removes it.
		edit func(w *world, t *ssotoken.Token)
		// calls are the RegisterClient and StartDeviceAuthorization calls of
		// the second sign-in.
		calls [2]int
	}{
		{"valid registration", func(*world, *ssotoken.Token) {}, [2]int{0, 1}},
		{"the refresh token expired too", func(_ *world, t *ssotoken.Token) { t.ExpiresAt = time.Now().Add(-time.Hour) }, [2]int{0, 1}},
		{"no token file", nil, [2]int{1, 1}},
		{"registration about to expire", func(_ *world, t *ssotoken.Token) { t.RegistrationExpiresAt = time.Now().Add(time.Hour) }, [2]int{1, 1}},
		{"registration expired", func(_ *world, t *ssotoken.Token) { t.RegistrationExpiresAt = time.Now().Add(-time.Hour) }, [2]int{1, 1}},
		{"no registration expiry", func(_ *world, t *ssotoken.Token) { t.RegistrationExpiresAt = time.Time{} }, [2]int{1, 1}},
		{"another start URL", func(_ *world, t *ssotoken.Token) { t.StartURL = "https://other.awsapps.com/start" }, [2]int{1, 1}},
		{"another region", func(_ *world, t *ssotoken.Token) { t.Region = "eu-west-1" }, [2]int{1, 1}},
		{"no client secret", func(_ *world, t *ssotoken.Token) { t.ClientSecret = "" }, [2]int{1, 1}},
		// IAM Identity Center no longer knows the client: the first
		// StartDeviceAuthorization fails, and a new registration follows.
		{"registration unknown to IAM Identity Center", func(_ *world, t *ssotoken.Token) { t.ClientSecret = "revoked" }, [2]int{1, 2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			path := filepath.Join(w.home, corpCache)
			if s := w.login(Options{Profile: "dev", NoBrowser: true}, nil); s.err != nil {
				t.Fatal(s.err)
			}
			first, err := ssotoken.Read(path)
			if err != nil {
				t.Fatal(err)
			}
			if tc.edit == nil {
				os.Remove(path)
			} else {
				edited := first
				tc.edit(w, &edited)
				if err := writeToken(path, edited); err != nil {
					t.Fatal(err)
				}
			}
			before := w.calls()
			if s := w.login(Options{Profile: "dev", NoBrowser: true}, nil); s.err != nil {
				t.Fatal(s.err)
			}
			after := w.calls()
			if got := [2]int{after[0] - before[0], after[1] - before[1]}; got != tc.calls {
				t.Errorf("RegisterClient and StartDeviceAuthorization calls %v, want %v", got, tc.calls)
			}
			second, err := ssotoken.Read(path)
			if err != nil {
				t.Fatal(err)
			}
			if reused := second.ClientID == first.ClientID; reused != (tc.calls[0] == 0) {
				t.Errorf("client id %s after %s: reused is %v, want %v", second.ClientID, first.ClientID, reused, tc.calls[0] == 0)
			}
		})
	}
}

// TestLoginSessionNamed signs in to an sso-session named directly.
func TestLoginSessionNamed(t *testing.T) {
	w := newWorld(t)
	s := w.login(Options{Session: "corp", NoBrowser: true}, nil)
	if s.err != nil {
		t.Fatal(s.err)
	}
	if _, err := ssotoken.Read(filepath.Join(w.home, corpCache)); err != nil {
		t.Fatal(err)
	}
}

// TestLoginUnreachable checks the error a sign-in gives when IAM Identity
// Center cannot be reached: a short cause, and the SDK's whole error kept
// for --debug.
func TestLoginUnreachable(t *testing.T) {
	w := newWorld(t)
	t.Setenv("AWS_ENDPOINT_URL_SSO_OIDC", testenv.Nowhere)
	s := w.login(Options{Profile: "dev", NoBrowser: true}, nil)
	const want = "cannot reach IAM Identity Center in us-east-1 (127.0.0.1:9: connection refused); check the network path to AWS and sso_region, then retry"
	if s.err == nil || s.err.Error() != want {
		t.Errorf("error %v\nwant  %s", s.err, want)
	}
	if e := failure.As(s.err); e == nil || !strings.HasPrefix(e.Detail(), "operation error SSO OIDC: RegisterClient, ") {
		t.Errorf("the error keeps no SDK error for --debug: %#v", e)
	}
}

// refuse makes the SSO-OIDC endpoint answer requests for path with an
// error of type errType, and pass the others to the fake.
func (w *world) refuse(path, errType string) {
	target, err := url.Parse(w.ic.URL)
	if err != nil {
		w.t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if r.URL.Path != path {
			proxy.ServeHTTP(rw, r)
			return
		}
		rw.Header().Set("X-Amzn-Errortype", errType)
		rw.Header().Set("Content-Type", "application/json")
		rw.WriteHeader(http.StatusBadRequest)
		io.WriteString(rw, `{"error": "refused", "error_description": "refused by the test"}`)
	}))
	w.t.Cleanup(srv.Close)
	w.t.Setenv("AWS_ENDPOINT_URL_SSO_OIDC", srv.URL)
}

// TestLoginRefused checks the line a sign-in gives when IAM Identity Center
// refuses a call, or the user denies the sign-in.
func TestLoginRefused(t *testing.T) {
	for _, tc := range []struct{ path, errType, want string }{
		{"/client/register", "InvalidRequestException",
			`IAM Identity Center refused RegisterClient for SSO session "corp" (InvalidRequestException); check sso_start_url and sso_region, then retry`},
		{"/device_authorization", "InvalidClientException",
			`IAM Identity Center refused StartDeviceAuthorization for SSO session "corp" (InvalidClientException); check sso_start_url and sso_region, then retry`},
		{"/token", "AccessDeniedException",
			`the sign-in of SSO session "corp" was denied (AccessDeniedException); run git-credential-codecommit login --profile dev again, and choose Allow`},
		{"/token", "InvalidGrantException",
			`IAM Identity Center refused CreateToken for SSO session "corp" (InvalidGrantException); check sso_start_url and sso_region, then retry`},
	} {
		t.Run(tc.errType, func(t *testing.T) {
			w := newWorld(t)
			w.refuse(tc.path, tc.errType)
			s := w.login(Options{Profile: "dev", NoBrowser: true}, nil)
			if s.err == nil || s.err.Error() != tc.want {
				t.Errorf("error %v\nwant  %s", s.err, tc.want)
			}
		})
	}
}
