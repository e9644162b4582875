package login

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/ssocreds"
	"github.com/aws/aws-sdk-go-v2/service/sso"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/failure"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/fakeaws"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/ssotoken"
)

// corpRegistration is the AWS CLI's registration cache file of the "corp"
// session (scopes sso:account:access) under a home.
var corpRegistration = filepath.Join(".aws/sso/cache", filepath.Base(ssotoken.RegistrationFile("", "https://corp.awsapps.com/start", "us-east-1", "corp", []string{"sso:account:access"})))

// browsed is a sign-in through the authorization code grant, with the
// fake's browser stand-in doing b with the page the flow opens.
type browsed struct {
	out   strings.Builder
	err   error
	pages []string // what the callbacks answered
	path  string   // the authorization page
}

// loginBrowser signs in for o with the authorization code grant, the page
// opened by the browser stand-in doing b, and the callback wait wait (zero:
// the flow's own).
func (w *world) loginBrowser(o Options, b fakeaws.Browser, wait time.Duration) *browsed {
	w.t.Helper()
	r := &browsed{}
	o.Stderr = &r.out
	f, err := newFlow(context.Background(), o)
	if err != nil {
		w.t.Fatal(err)
	}
	if f.device {
		w.t.Fatalf("the flow chose the device code: %s", f.why)
	}
	if wait > 0 {
		f.callbackWait = wait
	}
	var wg sync.WaitGroup
	f.open = func(page string) error {
		r.path = page
		wg.Add(1)
		go func() {
			defer wg.Done()
			pages, err := fakeaws.Browse(context.Background(), page, b)
			if err != nil {
				w.t.Errorf("browser: %v", err)
			}
			r.pages = pages
		}()
		return nil
	}
	r.err = f.run(context.Background())
	wg.Wait()
	w.t.Logf("stderr:\n%s", r.out.String())
	return r
}

// TestAuthCodeLogin signs in with the authorization code grant, checks the
// files against the AWS CLI's fields, and has the SDK's own SSO credential
// provider use the token, then refresh it once it has expired.
func TestAuthCodeLogin(t *testing.T) {
	w := newWorld(t)
	t.Setenv("AWS_ENDPOINT_URL_SSO", w.ic.URL)
	w.ic.AllowRole("111122223333", "Developer")
	r := w.loginBrowser(Options{Profile: "dev"}, fakeaws.Approve, 0)
	if r.err != nil {
		t.Fatal(r.err)
	}
	if len(r.pages) != 1 || !strings.HasPrefix(r.pages[0], "200 ") || !strings.Contains(r.pages[0], "Signed in. You can close this tab.") {
		t.Errorf("the browser's page: %q", r.pages)
	}
	if !strings.HasPrefix(r.path, w.ic.URL+"/authorize?") {
		t.Errorf("opened %s, want the authorization page of AWS_ENDPOINT_URL_SSO_OIDC", r.path)
	}
	if got := [4]int{w.ic.Calls("RegisterClient"), w.ic.Calls("Authorize"), w.ic.Calls("CreateToken"), w.ic.Calls("StartDeviceAuthorization")}; got != [4]int{1, 1, 1, 0} {
		t.Errorf("RegisterClient, Authorize, CreateToken, StartDeviceAuthorization calls %v, want [1 1 1 0]", got)
	}
	if !strings.HasPrefix(r.out.String(), "Signing in through the browser on this machine (authorization code with PKCE)") {
		t.Errorf("stderr does not start with the grant and why")
	}

	// The token file, as for the device code.
	path := filepath.Join(w.home, corpCache)
	tok, err := ssotoken.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if tok.RefreshToken == "" || tok.ClientID == "" || tok.ClientSecret == "" || tok.RegistrationExpiresAt.IsZero() || tok.StartURL != "https://corp.awsapps.com/start" {
		t.Errorf("token file %+v", tok)
	}
	// The registration file: the AWS CLI's name and fields.
	var reg map[string]any
	b, err := os.ReadFile(filepath.Join(w.home, corpRegistration))
	if err != nil {
		t.Fatal(err)
	}
	json.Unmarshal(b, &reg)
	if want := fmt.Sprintf(`map[clientId:%s clientSecret:%s expiresAt:%s grantTypes:[authorization_code refresh_token] scopes:[sso:account:access]]`,
		tok.ClientID, tok.ClientSecret, tok.RegistrationExpiresAt.Format(time.RFC3339)); fmt.Sprint(reg) != want {
		t.Errorf("registration file %v", reg)
	}
	checkMode(t, filepath.Join(w.home, corpRegistration), 0o600)

	// The SDK's SSO provider gets role credentials with the token, and
	// refreshes it when it has expired.
	retrieve := func() {
		t.Helper()
		cfg, err := config.LoadDefaultConfig(context.Background(), config.WithRegion("us-east-1"), config.WithCredentialsProvider(aws.AnonymousCredentials{}))
		if err != nil {
			t.Fatal(err)
		}
		p := ssocreds.New(sso.NewFromConfig(cfg), "111122223333", "Developer", "https://corp.awsapps.com/start", func(o *ssocreds.Options) {
			o.SSOTokenProvider = ssocreds.NewSSOTokenProvider(ssooidc.NewFromConfig(cfg), path)
		})
		if c, err := p.Retrieve(context.Background()); err != nil || !strings.HasPrefix(c.AccessKeyID, "ASIASSO") {
			t.Fatalf("the SDK's SSO provider: %v", err)
		}
	}
	retrieve()
	tok.ExpiresAt = time.Now().Add(-time.Minute)
	if err := writeToken(path, tok); err != nil {
		t.Fatal(err)
	}
	w.ic.ExpireAccessTokens()
	retrieve()
	if n := w.ic.Calls("CreateToken"); n != 2 {
		t.Errorf("%d CreateToken calls, want 2: the sign-in and the SDK's refresh", n)
	}
	refreshed, err := ssotoken.Read(path) // the SDK's file, read by ours
	if err != nil || refreshed.AccessToken == tok.AccessToken || !refreshed.ExpiresAt.After(time.Now()) || refreshed.ClientSecret != tok.ClientSecret {
		t.Errorf("after the SDK's refresh: %v %v", err, refreshed.ExpiresAt)
	}

	// A second sign-in reuses the registration.
	if r := w.loginBrowser(Options{Profile: "dev"}, fakeaws.Approve, 0); r.err != nil || w.ic.Calls("RegisterClient") != 1 {
		t.Errorf("second sign-in: %v, %d RegisterClient calls", r.err, w.ic.Calls("RegisterClient"))
	}
}

// TestAuthCodeReusesAWSCLIRegistration writes a registration cache file
// as the AWS CLI writes it (Python's json.dumps of its fields), and signs
// in with that registration.
func TestAuthCodeReusesAWSCLIRegistration(t *testing.T) {
	w := newWorld(t)
	id, secret := w.ic.RegisterClient()
	writeFile(t, w.home, corpRegistration, fmt.Sprintf(`{"clientId": %q, "clientSecret": %q, "expiresAt": %q, "scopes": ["sso:account:access"], "grantTypes": ["authorization_code", "refresh_token"]}`,
		id, secret, time.Now().Add(80*24*time.Hour).UTC().Format("2006-01-02T15:04:05Z")))
	if r := w.loginBrowser(Options{Profile: "dev"}, fakeaws.Approve, 0); r.err != nil {
		t.Fatal(r.err)
	}
	if tok, err := ssotoken.Read(filepath.Join(w.home, corpCache)); err != nil || tok.ClientID != id || w.ic.Calls("RegisterClient") != 0 {
		t.Errorf("token of client %q (%v), %d RegisterClient calls; want the AWS CLI's client and none", tok.ClientID, err, w.ic.Calls("RegisterClient"))
	}
}

// TestAuthCodeRefused checks each bad answer the browser can bring back:
// one line that says what failed and what to do, no token or registration
// written, and the page escaped.
func TestAuthCodeRefused(t *testing.T) {
	for _, tc := range []struct {
		browser fakeaws.Browser
		deny    bool
		line    string
		status  []string // how each callback was answered
		body    string   // what the first callback's page says
	}{
		{fakeaws.WrongState, false, `refused a callback to the sign-in of SSO session "corp" (its state is not this sign-in's); run git-credential-codecommit login --profile dev again`,
			[]string{"400 "}, "The sign-in failed: refused a callback"},
		{fakeaws.CallbackError, false, `IAM Identity Center did not sign in SSO session "corp" (server_error: <b>boom</b>); run git-credential-codecommit login --profile dev again`,
			[]string{"400 "}, "(server_error: &lt;b&gt;boom&lt;/b&gt;)"},
		{fakeaws.TwoCallbacks, false, `refused a callback to the sign-in of SSO session "corp" (its state is not this sign-in's)`, []string{"400 ", ""}, "The sign-in failed"},
		{fakeaws.ForeignHost, false, `refused a callback to the sign-in of SSO session "corp" (it came for host "attacker.example:`, []string{"400 "}, "The sign-in failed"},
		{fakeaws.Ignore, false, `the browser did not come back within 200ms to sign in SSO session "corp"; run git-credential-codecommit login --profile dev again, or add --use-device-code`, nil, ""},
		{fakeaws.Approve, true, `the sign-in of SSO session "corp" was denied (access_denied: The user denied the request); run git-credential-codecommit login --profile dev again, and choose Allow`,
			[]string{"400 "}, "was denied"},
	} {
		name := string(tc.browser)
		if tc.deny {
			name = "denied"
		}
		t.Run(name, func(t *testing.T) {
			w := newWorld(t)
			if tc.deny {
				w.ic.DenyAuthorizations()
			}
			r := w.loginBrowser(Options{Profile: "dev"}, tc.browser, 200*time.Millisecond)
			line := failure.Line("git-credential-codecommit: ", r.err, nil)
			if r.err == nil || failure.As(r.err) == nil || !strings.Contains(failure.OneLine(r.err), tc.line) || strings.Contains(line, "\n") || utf8.RuneCountInString(line) > failure.MaxLine {
				t.Errorf("error %q, line %q; want one line of at most %d characters, with %q", failure.OneLine(r.err), line, failure.MaxLine, tc.line)
			}
			if len(r.pages) != len(tc.status) {
				t.Fatalf("pages %q, want %d", r.pages, len(tc.status))
			}
			for i, want := range tc.status {
				if !strings.HasPrefix(r.pages[i], want) {
					t.Errorf("page %d: %q, want %q", i, r.pages[i], want)
				}
			}
			if len(r.pages) > 0 && (!strings.Contains(r.pages[0], tc.body) || strings.Contains(r.pages[0], "<b>")) {
				t.Errorf("page %q, want it to say %q, escaped", r.pages[0], tc.body)
			}
			if tc.browser == fakeaws.TwoCallbacks && !strings.HasPrefix(r.pages[1], "409 ") && !strings.HasPrefix(r.pages[1], "refused: ") {
				t.Errorf("the second callback was answered %q, want it refused", r.pages[1])
			}
			for _, f := range []string{corpCache, corpRegistration} {
				if _, err := os.Stat(filepath.Join(w.home, f)); !errors.Is(err, os.ErrNotExist) {
					t.Errorf("%s was written (%v)", f, err)
				}
			}
		})
	}
}

// TestLoopbackListensOnLoopbackOnly checks that the listener is bound to
// 127.0.0.1, whatever the machine's other addresses, and answers a
// browser's other requests (a favicon) without taking them for the
// redirect.
func TestLoopbackListensOnLoopbackOnly(t *testing.T) {
	l, err := listenLoopback(callbackPath)
	if err != nil {
		t.Fatal(err)
	}
	addr := l.ln.Addr().(*net.TCPAddr)
	if !addr.IP.Equal(net.IPv4(127, 0, 0, 1)) || !strings.HasPrefix(l.redirectURI(), "http://127.0.0.1:") || !strings.HasSuffix(l.redirectURI(), "/oauth/callback") {
		t.Errorf("listening on %v, redirect URI %s", addr, l.redirectURI())
	}
	if status, _ := follow("http://" + l.host() + "/favicon.ico"); status != http.StatusNotFound {
		t.Errorf("favicon: %d", status)
	}
	select {
	case a := <-l.arrived:
		t.Errorf("a favicon request was taken for the redirect: %+v", a)
	default:
	}
	status := make(chan int, 1)
	go func() {
		resp, err := http.Post(l.redirectURI()+"?code=c&state=s", "text/plain", nil)
		if err != nil {
			status <- 0
			return
		}
		resp.Body.Close()
		status <- resp.StatusCode
	}()
	a, err := l.wait(context.Background(), time.Minute)
	if err == nil || err.Error() != `it is a "POST", not a GET` {
		t.Errorf("a POST to the callback: %v", err)
	}
	l.close(a, err)
	if s := <-status; s != http.StatusBadRequest {
		t.Errorf("a POST to the callback was answered %d", s)
	}
}

// TestChooseGrant checks which grant is chosen, and that the line says why.
func TestChooseGrant(t *testing.T) {
	sess := Session{Name: "corp", Profile: "dev"}
	for _, tc := range []struct {
		name   string
		flag   bool
		s      Session
		goos   string
		env    map[string]string
		device bool
		why    string
	}{
		{"desktop", false, sess, "linux", map[string]string{"DISPLAY": ":0"}, false, "browser on this machine"},
		{"no display, no SSH: the page is printed", false, sess, "linux", nil, false, "browser on this machine"},
		{"flag", true, sess, "linux", map[string]string{"DISPLAY": ":0"}, true, "--use-device-code"},
		{"legacy profile", false, Session{Profile: "legacy"}, "linux", nil, true, `profile "legacy" has no sso-session`},
		{"SSH", false, sess, "linux", map[string]string{"SSH_CONNECTION": "10.0.0.1 5 10.0.0.2 22"}, true, "SSH session with no display here"},
		{"SSH with X11 forwarding", false, sess, "linux", map[string]string{"SSH_CLIENT": "x", "DISPLAY": "localhost:10.0"}, false, "browser on this machine"},
		{"SSH to a Mac", false, sess, "darwin", map[string]string{"SSH_TTY": "/dev/ttys001", "DISPLAY": ":0"}, true, "SSH session"},
	} {
		device, why := chooseGrant(tc.flag, tc.s, tc.goos, func(k string) string { return tc.env[k] })
		if device != tc.device || !strings.Contains(why, tc.why) || strings.Count(why, "\n") != 0 {
			t.Errorf("%s: device %v, %q; want %v and %q", tc.name, device, why, tc.device, tc.why)
		}
	}
}

// TestSweep checks that login and logout remove the temporary token files
// an interrupted sign-in left, and only those.
func TestSweep(t *testing.T) {
	w := newWorld(t)
	dir := filepath.Join(w.home, ".aws/sso/cache")
	old := time.Now().Add(-time.Hour)
	plant := func(name string, t0 time.Time) string {
		p := writeFile(t, w.home, ".aws/sso/cache/"+name, `{"refreshToken": "r"}`)
		os.Chtimes(p, t0, t0)
		return p
	}
	leftover := "ee0bfd2552fbd840c02cc48b6e823320543c450f.json.0123456789abcdef.tmp"
	keep := []string{
		plant("ee0bfd2552fbd840c02cc48b6e823320543c450f.json.fedcba9876543210.tmp", time.Now()), // a write in progress
		plant("notes.json.0123456789abcdef.tmp", old),
		plant("ee0bfd2552fbd840c02cc48b6e823320543c450f.json", old),
	}
	plant(leftover, old)
	s := w.login(Options{Profile: "dev", NoBrowser: true}, nil)
	if s.err != nil || !strings.Contains(s.out.String(), "Removed 1 temporary token file left by an interrupted sign-in.") {
		t.Errorf("login: %v\n%s", s.err, s.out.String())
	}
	plant(leftover, old)
	var out strings.Builder
	if err := Logout(context.Background(), Options{Profile: "dev", Stderr: &out}); err != nil || !strings.Contains(out.String(), "Removed 1 temporary token file") {
		t.Errorf("logout: %v\n%s", err, out.String())
	}
	if _, err := os.Stat(filepath.Join(dir, leftover)); !errors.Is(err, os.ErrNotExist) {
		t.Error("the leftover is still there")
	}
	for _, p := range keep[:2] {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s was removed", p)
		}
	}
}

// pageWatcher is stderr that, once the prompt has printed a page, has the
// browser stand-in approve it, as a person who opens it by hand would.
type pageWatcher struct {
	strings.Builder
	once  sync.Once
	wg    sync.WaitGroup
	pages []string
}

func (p *pageWatcher) Write(b []byte) (int, error) {
	p.Builder.Write(b)
	if _, rest, ok := strings.Cut(p.String(), "\n\n    "); ok && strings.Contains(rest, "\n") {
		page, _, _ := strings.Cut(rest, "\n")
		p.once.Do(func() {
			p.wg.Add(1)
			go func() {
				defer p.wg.Done()
				p.pages, _ = fakeaws.Browse(context.Background(), page, fakeaws.Approve)
			}()
		})
	}
	return len(b), nil
}

// TestAuthCodeNoBrowser checks that with NoBrowser the authorization code
// grant prints its page, opens none, and signs in once the page is opened.
func TestAuthCodeNoBrowser(t *testing.T) {
	w := newWorld(t)
	var out pageWatcher
	t.Setenv("DISPLAY", ":0")
	t.Setenv("PATH", t.TempDir()) // no xdg-open: opening one would fail the test
	err := Login(context.Background(), Options{Profile: "dev", NoBrowser: true, Stderr: &out})
	out.wg.Wait()
	t.Logf("stderr:\n%s", out.String())
	if err != nil || len(out.pages) != 1 || !strings.Contains(out.pages[0], "Signed in.") {
		t.Fatalf("%v; pages %q", err, out.pages)
	}
	if !strings.Contains(out.String(), "To approve, open this page in a browser on this machine:\n\n    "+w.ic.URL+"/authorize?") || strings.Contains(out.String(), "Cannot open") {
		t.Errorf("stderr does not show the page, or tried a browser")
	}
}
