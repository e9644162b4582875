package fakecodecommit

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/testenv"
	"github.com/git-credential-codecommit/git-credential-codecommit/sigv4"
)

const (
	testHost = "git-codecommit.us-east-1.amazonaws.com"
	testURL  = "https://" + testHost + "/v1/repos/demo"
)

// startServer starts a fake that knows longKey and tempKey, with a
// repository "demo", and closes it when the test ends.
func startServer(t *testing.T, opts Options) *Server {
	t.Helper()
	if opts.Lookup == nil {
		opts.Lookup = lookupOf(longKey, tempKey)
	}
	s, err := Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	if err := s.CreateRepo("demo"); err != nil {
		t.Fatal(err)
	}
	return s
}

// gitUser is an isolated git whose only credential helper for CodeCommit's
// hosts prints a fixed username and password.
type gitUser struct {
	t    *testing.T
	home string
}

// newGitUser writes a home directory with a git configuration as a user
// would write it, pointed at s through its proxy and CA.
func newGitUser(t *testing.T, s *Server, username, password string) *gitUser {
	t.Helper()
	home := t.TempDir()
	helper := filepath.Join(home, "helper.sh")
	script := "#!/bin/sh\ntest \"$1\" = get || exit 0\ncat >/dev/null\n" +
		"printf '%s\\n' 'username=" + username + "' 'password=" + password + "'\n"
	if err := os.WriteFile(helper, []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	config := fmt.Sprintf(`[user]
	name = Test
	email = test@example.invalid
[init]
	defaultBranch = main
[http]
	proxy = %s
	sslCAInfo = %s
[credential "https://git-codecommit.*.amazonaws.com"]
	helper =
	helper = %s
	useHttpPath = true
`, s.ProxyURL, s.CAFile, helper)
	if err := os.WriteFile(filepath.Join(home, ".gitconfig"), []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	return &gitUser{t: t, home: home}
}

// run runs git in dir (relative to home) and returns its combined output.
func (g *gitUser) run(dir string, args ...string) (string, error) {
	cmd := testenv.Command(g.home, nil, "git", args...)
	cmd.Dir = filepath.Join(g.home, dir)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		return "", err
	}
	timer := time.AfterFunc(time.Minute, func() { cmd.Process.Kill() })
	err := cmd.Wait()
	timer.Stop()
	return out.String(), err
}

// must runs git and fails the test if it fails.
func (g *gitUser) must(dir string, args ...string) string {
	g.t.Helper()
	out, err := g.run(dir, args...)
	if err != nil {
		g.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

func (g *gitUser) write(name string, data []byte) {
	g.t.Helper()
	if err := os.WriteFile(filepath.Join(g.home, name), data, 0o600); err != nil {
		g.t.Fatal(err)
	}
}

func (g *gitUser) read(name string) []byte {
	g.t.Helper()
	b, err := os.ReadFile(filepath.Join(g.home, name))
	if err != nil {
		g.t.Fatal(err)
	}
	return b
}

// TestGitEndToEnd drives real git through the proxy, with the real host
// name and no port, and a scoped credential helper configuration.
func TestGitEndToEnd(t *testing.T) {
	s := startServer(t, Options{})
	p := sigv4.CodeCommit(longKey, "us-east-1", testHost, "v1/repos/demo", time.Now())
	g := newGitUser(t, s, p.Username, p.Password)

	g.must(".", "clone", "-q", testURL, "one")
	g.write("one/hello.txt", []byte("hello\n"))
	g.must("one", "add", ".")
	g.must("one", "commit", "-q", "-m", "hello")
	g.must("one", "push", "-q", "origin", "main")

	// An incompressible file over 1 MiB makes git send the pack chunked.
	big := make([]byte, 3<<20)
	rand.Read(big)
	g.write("one/big.bin", big)
	g.must("one", "add", ".")
	g.must("one", "commit", "-q", "-m", "big")
	g.must("one", "push", "-q", "origin", "main")
	s.mu.Lock()
	chunked := s.chunked
	s.mu.Unlock()
	if chunked == 0 {
		t.Error("no request arrived chunked; the large push did not test body buffering")
	}

	g.must(".", "clone", "-q", testURL, "two")
	if !bytes.Equal(g.read("two/big.bin"), big) || string(g.read("two/hello.txt")) != "hello\n" {
		t.Fatal("clone does not hold what was pushed")
	}

	g.write("one/hello.txt", []byte("hello again\n"))
	g.must("one", "commit", "-q", "-a", "-m", "again")
	g.must("one", "push", "-q", "origin", "main")
	g.must("two", "fetch", "-q", "origin")
	head := g.must("one", "rev-parse", "HEAD")
	if got := g.must("two", "rev-parse", "origin/main"); got != head {
		t.Errorf("fetched origin/main = %s, pushed %s", got, head)
	}
	if got := g.must(".", "--git-dir", s.RepoDir("demo"), "rev-parse", "main"); got != head {
		t.Errorf("server's main = %s, pushed %s", got, head)
	}

	if n := s.Accepted(longKey.AccessKeyID); n == 0 {
		t.Error("Accepted = 0")
	}
	if n := s.Denied(longKey.AccessKeyID); n != 0 {
		t.Errorf("Denied = %d, want 0", n)
	}
	v := s.Verdicts()
	if len(v) < 2 || v[0].Status != http.StatusUnauthorized || v[0].AccessKeyID != "" ||
		v[1].Status != http.StatusOK || v[1].AccessKeyID != longKey.AccessKeyID {
		t.Errorf("first verdicts = %+v, want a 401 then a 200 for the key", v[:min(2, len(v))])
	}
	for _, x := range v {
		if x.Repo != "/v1/repos/demo" || x.Status == http.StatusOK && x.Reason != "" {
			t.Errorf("verdict %+v", x)
		}
	}
	for _, h := range s.ProxyHosts() {
		if h != testHost+":443" {
			t.Errorf("proxy was asked for %q", h)
		}
	}

	t.Run("session token, many at once", func(t *testing.T) {
		p := sigv4.CodeCommit(tempKey, "us-east-1", testHost, "v1/repos/demo", time.Now())
		g := newGitUser(t, s, p.Username, p.Password)
		const n = 8
		errs := make(chan error, n)
		for range n {
			go func() {
				out, err := g.run(".", "ls-remote", testURL)
				if err == nil && !strings.Contains(out, strings.TrimSpace(head)+"\trefs/heads/main") {
					err = fmt.Errorf("ls-remote printed %q", out)
				}
				errs <- err
			}()
		}
		for range n {
			if err := <-errs; err != nil {
				t.Error(err)
			}
		}
		if got := s.Accepted(tempKey.AccessKeyID); got < n {
			t.Errorf("Accepted = %d, want at least %d", got, n)
		}
		if got := s.Denied(tempKey.AccessKeyID); got != 0 {
			t.Errorf("Denied = %d, want 0", got)
		}
	})
}

// TestGitWrongPassword checks that git fails when its helper prints a
// password the fake refuses.
func TestGitWrongPassword(t *testing.T) {
	s := startServer(t, Options{})
	p := sigv4.CodeCommit(longKey, "us-east-1", testHost, "v1/repos/demo", time.Now())
	g := newGitUser(t, s, p.Username, flipLast(p.Password))
	out, err := g.run(".", "ls-remote", testURL)
	if err == nil {
		t.Fatalf("ls-remote succeeded with a wrong password:\n%s", out)
	}
	if !strings.Contains(out, "403") {
		t.Errorf("git output does not name the 403:\n%s", out)
	}
	if s.Denied(longKey.AccessKeyID) == 0 || s.Accepted(longKey.AccessKeyID) != 0 {
		t.Errorf("Denied = %d, Accepted = %d", s.Denied(longKey.AccessKeyID), s.Accepted(longKey.AccessKeyID))
	}
	v := s.Verdicts()
	if last := v[len(v)-1]; last.Status != http.StatusForbidden || last.Reason != ErrSignature.Error() {
		t.Errorf("last verdict = %+v", last)
	}
}

// client returns an HTTP client that trusts s's CA and reaches any host
// through s's proxy.
func client(t *testing.T, s *Server) *http.Client {
	t.Helper()
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(s.CAPEM) {
		t.Fatal("CAPEM holds no certificate")
	}
	proxy, err := url.Parse(s.ProxyURL)
	if err != nil {
		t.Fatal(err)
	}
	tr := &http.Transport{Proxy: http.ProxyURL(proxy), TLSClientConfig: &tls.Config{RootCAs: pool}}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

// get sends a GET for path on testHost through c, with Basic credentials
// unless user is empty.
func get(t *testing.T, c *http.Client, path, user, pass string) *http.Response {
	t.Helper()
	req, err := http.NewRequest("GET", "https://"+testHost+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if user != "" {
		req.SetBasicAuth(user, pass)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

func TestHTTP(t *testing.T) {
	s := startServer(t, Options{})
	c := client(t, s)
	const refs = "/v1/repos/demo/info/refs?service=git-upload-pack"
	good := sigv4.CodeCommit(longKey, "us-east-1", testHost, "v1/repos/demo", time.Now())

	for _, path := range []string{"/", "/v1/repos/", "/v1/repos", "/v2/repos/demo/info/refs", "/v1/repos/x y/info/refs"} {
		if resp := get(t, c, path, good.Username, good.Password); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %s, want 404", path, resp.Status)
		}
	}
	resp := get(t, c, refs, "", "")
	if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("WWW-Authenticate") != `Basic realm="CodeCommit"` {
		t.Errorf("no credentials: %s, WWW-Authenticate %q", resp.Status, resp.Header.Get("WWW-Authenticate"))
	}
	if resp := get(t, c, refs, good.Username, good.Password); resp.StatusCode != http.StatusOK ||
		resp.Header.Get("Content-Type") != "application/x-git-upload-pack-advertisement" {
		t.Errorf("good credentials: %s, Content-Type %q", resp.Status, resp.Header.Get("Content-Type"))
	}
	if resp := get(t, c, "/v1/repos/nosuch/info/refs?service=git-upload-pack", good.Username, good.Password); resp.StatusCode != http.StatusForbidden {
		t.Errorf("password for another repository: %s, want 403", resp.Status)
	}
	if resp := get(t, c, refs, "AKIAUNKNOWN000000000%sometoken", good.Password); resp.StatusCode != http.StatusForbidden {
		t.Errorf("unknown key: %s, want 403", resp.Status)
	}

	want := []Verdict{
		{"", "/v1/repos/demo", "GET", "/v1/repos/demo/info/refs", 401, "no basic credentials"},
		{longKey.AccessKeyID, "/v1/repos/demo", "GET", "/v1/repos/demo/info/refs", 200, ""},
		{longKey.AccessKeyID, "/v1/repos/nosuch", "GET", "/v1/repos/nosuch/info/refs", 403, ErrSignature.Error()},
		{"AKIAUNKNOWN000000000", "/v1/repos/demo", "GET", "/v1/repos/demo/info/refs", 403, ErrUnknownKey.Error()},
	}
	if got := s.Verdicts(); !slices.Equal(got, want) {
		t.Errorf("Verdicts =\n%+v\nwant\n%+v", got, want)
	}
	if a, d := s.Accepted(longKey.AccessKeyID), s.Denied(longKey.AccessKeyID); a != 1 || d != 1 {
		t.Errorf("Accepted, Denied = %d, %d; want 1, 1", a, d)
	}
	if d := s.Denied("AKIAUNKNOWN000000000"); d != 1 {
		t.Errorf("Denied(unknown) = %d, want 1", d)
	}

	// A server whose clock is an hour behind refuses a password made now.
	late := startServer(t, Options{Now: func() time.Time { return time.Now().Add(-time.Hour) }})
	if resp := get(t, client(t, late), refs, good.Username, good.Password); resp.StatusCode != http.StatusForbidden {
		t.Errorf("skewed clock: %s, want 403", resp.Status)
	}
	if v := late.Verdicts(); len(v) != 1 || v[0].Reason != ErrExpired.Error() {
		t.Errorf("skewed clock: verdicts %+v", v)
	}
}

// TestCertificate checks the names the certificate covers, straight on
// the HTTPS listener.
func TestCertificate(t *testing.T) {
	s := startServer(t, Options{Hosts: []string{"git-codecommit.eu-central-1.amazonaws.com", "Extra.Example.Test"}})
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(s.CAPEM)
	names := append(defaultHosts(), "127.0.0.1", "git-codecommit.eu-central-1.amazonaws.com", "extra.example.test")
	for _, name := range append(names, "evil.example") {
		conn, err := tls.Dial("tcp", s.Addr, &tls.Config{RootCAs: pool, ServerName: name})
		if err == nil {
			conn.Close()
		}
		if ok := name != "evil.example"; ok != (err == nil) {
			t.Errorf("TLS to %s: %v", name, err)
		}
	}
	for _, want := range []string{
		"git-codecommit.us-east-1.amazonaws.com", "git-codecommit-fips.ap-southeast-2.amazonaws.com",
		"git-codecommit.cn-north-1.amazonaws.com.cn",
		"vpce-0123456789abcdef0-abcdefgh.git-codecommit.us-east-1.vpce.amazonaws.com",
	} {
		if !s.names[want] {
			t.Errorf("certificate does not cover %s", want)
		}
	}
}

// connect sends request to s's proxy and returns the status of the answer
// and the connection.
func connect(t *testing.T, s *Server, request string) (int, net.Conn, *bufio.Reader) {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.ProxyURL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := conn.Write([]byte(request)); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, conn, br
}

func TestProxy(t *testing.T) {
	s := startServer(t, Options{Hosts: []string{"git-codecommit.example.test"}})
	cases := []struct {
		target string
		status int
	}{
		{"evil.example:443", 403},
		{testHost + ":80", 403},
		{testHost + ".evil.example:443", 403},
		{"169.254.169.254:443", 403},
		{"127.0.0.1:443", 403},
		{testHost, 403}, // no port
		{"GIT-CODECOMMIT.US-EAST-1.AMAZONAWS.COM:443", 200},
		{"git-codecommit.example.test:443", 200},
		{testHost + ":443", 200},
	}
	var want []string
	for _, c := range cases {
		want = append(want, c.target)
		status, conn, br := connect(t, s, "CONNECT "+c.target+" HTTP/1.1\r\nHost: "+c.target+"\r\n\r\n")
		if status != c.status {
			t.Errorf("CONNECT %s: %d, want %d", c.target, status, c.status)
		}
		if status != 200 {
			if n, err := br.Read(make([]byte, 1)); n != 0 || err == nil {
				t.Errorf("CONNECT %s: connection left open after %d", c.target, status)
			}
			continue
		}
		// The tunnel reaches the fake: TLS for the host, then a 401.
		pool := x509.NewCertPool()
		pool.AppendCertsFromPEM(s.CAPEM)
		host, _, _ := net.SplitHostPort(c.target)
		tc := tls.Client(conn, &tls.Config{RootCAs: pool, ServerName: strings.ToLower(host)})
		fmt.Fprintf(tc, "GET /v1/repos/demo/info/refs HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", host)
		resp, err := http.ReadResponse(bufio.NewReader(tc), nil)
		if err != nil {
			t.Fatalf("through the tunnel to %s: %v", c.target, err)
		}
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("through the tunnel to %s: %s, want 401", c.target, resp.Status)
		}
	}

	if status, _, _ := connect(t, s, "GET http://"+testHost+"/ HTTP/1.1\r\nHost: "+testHost+"\r\n\r\n"); status != http.StatusMethodNotAllowed {
		t.Errorf("GET through the proxy: %d, want 405", status)
	}
	if status, _, _ := connect(t, s, "nonsense\r\n\r\n"); status != http.StatusBadRequest {
		t.Errorf("garbage to the proxy: %d, want 400", status)
	}

	if got := s.ProxyHosts(); !slices.Equal(got, want) {
		t.Errorf("ProxyHosts = %q, want %q", got, want)
	}
	s.mu.Lock()
	dials := slices.Clone(s.dials)
	s.mu.Unlock()
	if len(dials) != 3 {
		t.Errorf("proxy dialed %d times, want 3", len(dials))
	}
	for _, d := range dials {
		if d != s.Addr {
			t.Errorf("proxy dialed %s", d)
		}
	}
}

func TestStartAndClose(t *testing.T) {
	if _, err := Start(Options{}); err == nil {
		t.Error("Start without Lookup succeeded")
	}
	s := startServer(t, Options{})
	for _, name := range []string{"", ".", "..", "a/b", "x y", "demo"} {
		if err := s.CreateRepo(name); err == nil {
			t.Errorf("CreateRepo(%q) succeeded", name)
		}
	}
	if _, err := os.Stat(filepath.Join(s.RepoDir("demo"), "HEAD")); err != nil {
		t.Error(err)
	}
	if pem, err := os.ReadFile(s.CAFile); err != nil || !bytes.Equal(pem, s.CAPEM) {
		t.Errorf("CAFile: %v", err)
	}
	s.Close()
	s.Close()
	for _, path := range []string{s.CAFile, s.RepoDir("demo")} {
		if _, err := os.Stat(path); !os.IsNotExist(err) {
			t.Errorf("%s still there after Close: %v", path, err)
		}
	}
	for _, addr := range []string{s.Addr, strings.TrimPrefix(s.ProxyURL, "http://")} {
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Close()
			t.Errorf("%s still listening after Close", addr)
		}
	}
}
