package login

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/failure"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/fakeaws"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/logintoken"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/redact"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/testenv"
)

// consoleWorld is an empty home with the fake AWS Sign-In as the Sign-In
// endpoint.
type consoleWorld struct {
	t    *testing.T
	home string
	si   *fakeaws.SignIn
	keys *fakeaws.Keys
	out  *bytes.Buffer // what the current sign-in printed so far
}

func newConsoleWorld(t *testing.T) *consoleWorld {
	t.Helper()
	home := testenv.Isolate(t)
	keys := fakeaws.NewKeys()
	si, err := fakeaws.StartSignIn(keys)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(si.Close)
	t.Setenv("AWS_ENDPOINT_URL_SIGNIN", si.URL)
	return &consoleWorld{t: t, home: home, si: si, keys: keys}
}

// run signs in with o, the browser played by browser (nil for none), and
// waiting wait for the redirect (callbackWait when zero); it returns what
// was printed and the error.
func (w *consoleWorld) run(o ConsoleOptions, wait time.Duration, browser func(page string)) (string, error) {
	var out bytes.Buffer
	w.out = &out
	f := &consoleFlow{o: o, out: &out, wait: wait, now: time.Now, secrets: new(redact.Set), getenv: os.Getenv}
	if f.wait == 0 {
		f.wait = callbackWait
	}
	if browser != nil {
		f.open = func(page string) error { go browser(page); return nil }
	}
	err := f.run(context.Background())
	return out.String(), err
}

// follow is a browser that follows the page's redirects, to the loopback
// callback, and returns the last page.
func follow(page string) (int, string) {
	resp, err := http.Get(page)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	b.ReadFrom(resp.Body)
	return resp.StatusCode, b.String()
}

// redirectOf asks the authorize page for its redirect, without following it.
func redirectOf(t *testing.T, page string) *url.URL {
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(page)
	if err != nil {
		t.Error(err)
		return &url.URL{}
	}
	resp.Body.Close()
	u, _ := url.Parse(resp.Header.Get("Location"))
	return u
}

// files lists the regular files under the home.
func (w *consoleWorld) files() []string {
	var got []string
	filepath.WalkDir(w.home, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			got = append(got, p)
		}
		return nil
	})
	return got
}

// TestConsoleSameDevice signs in on an empty home: the profile is created
// with login_session and region, the token file is the AWS CLI's, and the
// SDK's own provider uses it, then refreshes it with a DPoP proof the fake
// verifies.
func TestConsoleSameDevice(t *testing.T) {
	w := newConsoleWorld(t)
	var page string
	out, err := w.run(ConsoleOptions{Profile: "dev", Region: "eu-west-1"}, 0, func(p string) { page = p; follow(p) })
	if err != nil {
		t.Fatalf("sign-in: %v\n%s", err, out)
	}
	u, _ := url.Parse(page)
	q := u.Query()
	redirect, _ := url.Parse(q.Get("redirect_uri"))
	if u.Path != "/v1/authorize" || q.Get("client_id") != logintoken.SameDeviceClient || redirect.Hostname() != "127.0.0.1" || redirect.Path != "/oauth/callback" {
		t.Errorf("authorize page %s", page)
	}
	// The AWS CLI's order of the query, the challenge last.
	keys := []string{}
	for _, kv := range strings.Split(u.RawQuery, "&") {
		k, _, _ := strings.Cut(kv, "=")
		keys = append(keys, k)
	}
	if got := strings.Join(keys, ","); got != "response_type,client_id,state,code_challenge_method,scope,redirect_uri,code_challenge" {
		t.Errorf("query order %s", got)
	}
	cfg, _ := os.ReadFile(filepath.Join(w.home, ".aws", "config"))
	if want := "[profile dev]\nlogin_session = " + fakeaws.SignInSession + "\nregion = eu-west-1\n"; string(cfg) != want {
		t.Errorf("config %q, want %q", cfg, want)
	}
	path, _ := logintoken.Path(fakeaws.SignInSession)
	tok, err := logintoken.Read(path)
	if err != nil || tok.ClientID != logintoken.SameDeviceClient || tok.AccessToken.AccountID != "111122223333" || tok.TokenType != "aws_sigv4" || tok.IDToken == "" {
		t.Fatalf("token %+v, %v", tok, err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("token file mode: %v", err)
	}
	for _, s := range tok.Secrets() {
		if strings.Contains(out, s) {
			t.Errorf("the sign-in printed a secret")
		}
	}
	if !strings.Contains(out, "Signed in as "+fakeaws.SignInSession) {
		t.Errorf("output:\n%s", out)
	}

	// The SDK takes the credentials as they are, then refreshes them once
	// they have expired.
	retrieve := func() string {
		c, err := config.LoadDefaultConfig(context.Background(), config.WithSharedConfigProfile("dev"))
		if err == nil {
			creds, err := c.Credentials.Retrieve(context.Background())
			if err == nil {
				return creds.AccessKeyID
			}
		}
		t.Fatalf("SDK: %v; rejections %q", err, w.si.Rejections())
		return ""
	}
	if got := retrieve(); got != tok.AccessToken.AccessKeyID {
		t.Errorf("the SDK used %s, not the token's %s", got, tok.AccessToken.AccessKeyID)
	}
	tok.AccessToken.ExpiresAt = time.Now().Add(-time.Minute)
	b, _ := tok.Marshal()
	os.WriteFile(path, b, 0o600)
	if got := retrieve(); got == tok.AccessToken.AccessKeyID || !strings.HasPrefix(got, "ASIASIGNIN") || w.si.Refreshes() != 1 {
		t.Errorf("after expiry the SDK used %s, with %d refreshes", got, w.si.Refreshes())
	}
}

// paste is the user at a cross-device sign-in: when asked, it opens the
// page printed so far in a browser, and types what edit makes of the code
// the page shows.
type paste struct {
	w    *consoleWorld
	edit func(code string) string
	done bool
}

func (p *paste) Read(b []byte) (int, error) {
	if p.done {
		return 0, io.EOF
	}
	p.done = true
	out := p.w.out.String()
	i := strings.Index(out, "\n    http")
	if i < 0 {
		p.w.t.Errorf("no page printed before the prompt:\n%s", out)
		return 0, io.EOF
	}
	page, _, _ := strings.Cut(out[i+5:], "\n")
	code := pasted(p.w.t, page)
	if p.edit != nil {
		code = p.edit(code)
	}
	return copy(b, code+"\n"), nil
}

// pasted is the code the cross-device page shows for page.
func pasted(t *testing.T, page string) string {
	t.Helper()
	status, body := follow(page)
	i := strings.Index(body, `<pre id="code">`)
	j := strings.Index(body, "</pre>")
	if status != 200 || i < 0 || j < i {
		t.Errorf("confirmation page: %d %s", status, body)
		return ""
	}
	return body[i+len(`<pre id="code">`) : j]
}

// TestConsoleCrossDevice signs in by pasting the code the confirmation
// page shows, into an existing profile whose other bytes stay as they were.
func TestConsoleCrossDevice(t *testing.T) {
	w := newConsoleWorld(t)
	const before = "# mine\n[default]\nregion = us-west-2\noutput = json\n\n[profile other]\nregion = eu-west-1\n"
	testenv.WriteFile(t, w.home, ".aws/config", before)
	out, err := w.run(ConsoleOptions{Remote: true, Stdin: &paste{w: w}}, 0, nil)
	if err != nil {
		t.Fatalf("sign-in: %v\n%s", err, out)
	}
	cfg, _ := os.ReadFile(filepath.Join(w.home, ".aws", "config"))
	want := "# mine\n[default]\nregion = us-west-2\noutput = json\nlogin_session = " + fakeaws.SignInSession + "\n\n[profile other]\nregion = eu-west-1\n"
	if string(cfg) != want {
		t.Errorf("config\n%s\nwant\n%s", cfg, want)
	}
	path, _ := logintoken.Path(fakeaws.SignInSession)
	if tok, err := logintoken.Read(path); err != nil || tok.ClientID != logintoken.CrossDeviceClient {
		t.Errorf("token %+v, %v", tok, err)
	}
	if !strings.Contains(out, "Signing in across devices (--remote)") {
		t.Errorf("output:\n%s", out)
	}
}

// TestConsoleChoosesCrossDevice: in an SSH session without a display, the
// sign-in is the cross-device one, and says why.
func TestConsoleChoosesCrossDevice(t *testing.T) {
	w := newConsoleWorld(t)
	t.Setenv("SSH_CONNECTION", "192.0.2.1 50000 192.0.2.2 22")
	out, err := w.run(ConsoleOptions{Region: "us-east-1", Stdin: &paste{w: w}}, 0, nil)
	if err != nil || !strings.Contains(out, "this is an SSH session without a display") {
		t.Fatalf("sign-in: %v\n%s", err, out)
	}
}

// TestConsoleBadInput: each way the answer to a sign-in can be wrong ends
// it with one line that says what to do, and writes nothing.
func TestConsoleBadInput(t *testing.T) {
	for _, tc := range []struct {
		name    string
		deny    bool
		wait    time.Duration
		browser func(t *testing.T, page string)
		stdin   func(w *consoleWorld) *paste
		want    string
	}{
		{name: "wrong state", browser: func(t *testing.T, page string) {
			u := redirectOf(t, page)
			q := u.Query()
			q.Set("state", "not-this-one")
			u.RawQuery = q.Encode()
			follow(u.String())
		}, want: "the sign-in answer is not for this sign-in (its state differs); run git-credential-codecommit login --console --profile default again"},
		{name: "callback with an error", browser: func(t *testing.T, page string) {
			u := redirectOf(t, page)
			q := url.Values{"state": {u.Query().Get("state")}, "error": {"server_error"}, "error_description": {"it <broke>\nbadly"}}
			u.RawQuery = q.Encode()
			follow(u.String())
		}, want: `AWS Sign-In refused the sign-in (server_error: it <broke>\nbadly); run`},
		{name: "second callback", browser: func(t *testing.T, page string) {
			u := redirectOf(t, page)
			good := u.String()
			q := u.Query()
			q.Set("state", "forged")
			u.RawQuery = q.Encode()
			follow(u.String())
			if status, _ := follow(good); status == 200 {
				t.Errorf("the listener took a second callback")
			}
		}, want: "its state differs"},
		{name: "callback for another host", browser: func(t *testing.T, page string) {
			u := redirectOf(t, page)
			req, _ := http.NewRequest("GET", u.String(), nil)
			req.Host = "rebound.example:" + u.Port()
			if resp, err := http.DefaultClient.Do(req); err == nil {
				resp.Body.Close()
			}
		}, want: `refused a request to the sign-in's listener (it came for host "rebound.example:`},
		{name: "no callback in time", wait: 50 * time.Millisecond, browser: func(*testing.T, string) {},
			want: "the browser did not come back within 50ms; run git-credential-codecommit login --console --profile default again, with --remote for a browser elsewhere"},
		{name: "denied", deny: true, browser: func(_ *testing.T, page string) { follow(page) },
			want: "the console sign-in was denied (The user denied the request); run git-credential-codecommit login --console --profile default again, and allow it"},
		{name: "garbage pasted", stdin: func(w *consoleWorld) *paste { return &paste{w: w, edit: func(string) string { return "garbage!" }} },
			want: "the pasted text is not an authorization code of AWS Sign-In; run"},
		{name: "pasted code of another sign-in", stdin: func(w *consoleWorld) *paste {
			return &paste{w: w, edit: func(string) string { return base64.StdEncoding.EncodeToString([]byte("state=other&code=abc")) }}
		}, want: "its state differs"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newConsoleWorld(t)
			if tc.deny {
				w.si.Deny()
			}
			o := ConsoleOptions{Region: "us-east-1"}
			var browser func(string)
			if tc.stdin != nil {
				o.Remote, o.Stdin = true, tc.stdin(w)
			} else {
				browser = func(page string) { tc.browser(t, page) }
			}
			out, err := w.run(o, tc.wait, browser)
			line := failure.Line("git-credential-codecommit: ", err, func(s string) string { return s })
			if err == nil || !strings.Contains(line, tc.want) || strings.Contains(line, "\n") || len(line) > failure.MaxLine {
				t.Errorf("line %q\nwant it to hold %q\noutput:\n%s", line, tc.want, out)
			}
			if got := w.files(); len(got) != 0 {
				t.Errorf("wrote %q", got)
			}
			if n := w.si.Calls("CreateOAuth2Token"); n != 0 {
				t.Errorf("%d token calls", n)
			}
		})
	}
}

// TestConsoleRefusesOtherCredentials: a profile with credentials the SDK
// would use first is left alone.
func TestConsoleRefusesOtherCredentials(t *testing.T) {
	w := newConsoleWorld(t)
	testenv.WriteFile(t, w.home, ".aws/config", "[profile dev]\nrole_arn = arn:aws:iam::111122223333:role/x\nsource_profile = base\n[profile base]\ncredential_process = /bin/false\n")
	_, err := w.run(ConsoleOptions{Profile: "dev", Region: "us-east-1"}, 0, func(string) { t.Error("a browser was opened") })
	if err == nil || err.Error() != `profile "dev" already has assume-role credentials, which the AWS SDK would use instead; give --profile a new name, or remove them from the profile` {
		t.Errorf("err %v", err)
	}
}

// TestSessionOf: only a session ARN of the forms AWS Sign-In gives, with
// nothing that could break the config file, is taken from an ID token.
func TestSessionOf(t *testing.T) {
	jwt := func(sub string) string {
		b, _ := json.Marshal(map[string]string{"sub": sub})
		return "e30." + base64.RawURLEncoding.EncodeToString(b) + ".sig"
	}
	for sub, account := range map[string]string{
		"arn:aws:iam::111122223333:user/dev":                              "111122223333",
		"arn:aws:sts::012345678901:assumed-role/Admin/admin":              "012345678901",
		"arn:aws:iam::111122223333:root":                                  "111122223333",
		"arn:aws-cn:iam::111122223333:user/dev":                           "111122223333",
		"arn:aws:iam::111122223333:user/dev\n[profile evil]":              "",
		"arn:aws:iam::1111:user/dev":                                      "",
		"arn:aws:iam::111122223333:user/a b":                              "",
		"":                                                                "",
		"arn:aws:iam::111122223333:" + strings.Repeat("u", maxResource):   "111122223333",
		"arn:aws:iam::111122223333:" + strings.Repeat("u", maxResource+1): "",
	} {
		want := sub
		if account == "" {
			want = ""
		}
		if s, a := sessionOf(jwt(sub)); a != account || s != want {
			t.Errorf("sessionOf(%q) = %q, %q", sub, s, a)
		}
	}
}
