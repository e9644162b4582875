// Package fakecodecommit is a loopback fake of AWS CodeCommit's git
// smart-HTTP endpoint, for tests and demonstrations.
//
// A [Server] serves bare repositories at /v1/repos/NAME over HTTPS on
// 127.0.0.1 through git http-backend, and accepts only requests whose Basic
// credentials are a CodeCommit username and SigV4 password, checked by
// [Verify]. Its certificate, signed by a test CA written to [Server.CAFile],
// covers CodeCommit's real host names; a CONNECT proxy at [Server.ProxyURL]
// lets git use the real URLs, without a port, with http.proxy set.
//
// The package uses only the standard library and never dials anything but
// its own loopback listener.
package fakecodecommit

import (
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cgi"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
)

// Options configure a Server.
type Options struct {
	Hosts  []string         // DNS names the TLS certificate covers, besides the defaults
	Lookup KeyLookup        // the known keys; required
	Now    func() time.Time // the clock passwords are checked against; default time.Now
}

// Verdict is what the server decided about one request for a repository.
type Verdict struct {
	AccessKeyID  string // "" when the request had no Basic credentials
	Repo         string // "/v1/repos/NAME"
	Method, Path string
	Status       int    // the HTTP status answered: 200 and so on, 401 or 403
	Reason       string // why it was refused; "" when accepted
}

// Server is a running fake. Its exported fields are set by Start and must
// not be changed.
type Server struct {
	Addr     string // "127.0.0.1:PORT" of the HTTPS listener
	CAFile   string // path of a PEM file holding the test CA certificate
	CAPEM    []byte // the same PEM
	ProxyURL string // "http://127.0.0.1:PORT" of the CONNECT proxy

	lookup  KeyLookup
	now     func() time.Time
	names   map[string]bool // the certificate's DNS names, lower case
	dir     string          // temporary directory holding everything below
	repos   string          // GIT_PROJECT_ROOT
	backend string          // path of git-http-backend
	gitEnv  []string        // environment of every git process started
	https   *http.Server
	proxyLn net.Listener

	closeOnce sync.Once
	wg        sync.WaitGroup // handlers and proxy goroutines

	mu         sync.Mutex
	closed     bool
	conns      map[net.Conn]bool // open proxy connections, both ends
	accepted   map[string]int
	denied     map[string]int
	verdicts   []Verdict
	proxyHosts []string
	dials      []string // addresses the proxy dialed
	chunked    int      // requests that arrived with a chunked body
}

// maxBody bounds a buffered request body.
const maxBody = 512 << 20

// Start starts a fake with its own CA, certificate, repositories directory,
// HTTPS listener and CONNECT proxy, all on 127.0.0.1. Close stops it.
func Start(opts Options) (*Server, error) {
	if opts.Lookup == nil {
		return nil, errors.New("fakecodecommit: Options.Lookup is required")
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &Server{
		lookup:   opts.Lookup,
		now:      opts.Now,
		names:    map[string]bool{},
		conns:    map[net.Conn]bool{},
		accepted: map[string]int{},
		denied:   map[string]int{},
	}
	var dnsNames []string
	for _, h := range append(defaultHosts(), opts.Hosts...) {
		h = strings.ToLower(strings.TrimSpace(h))
		if h != "" && !s.names[h] {
			s.names[h] = true
			dnsNames = append(dnsNames, h)
		}
	}
	if err := s.start(dnsNames); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func (s *Server) start(dnsNames []string) error {
	var err error
	if s.dir, err = os.MkdirTemp("", "fakecodecommit-"); err != nil {
		return err
	}
	s.repos = filepath.Join(s.dir, "repos")
	home := filepath.Join(s.dir, "home")
	for _, d := range []string{s.repos, home} {
		if err := os.Mkdir(d, 0o700); err != nil {
			return err
		}
	}
	s.gitEnv = []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + home,
		"GIT_CONFIG_NOSYSTEM=1",
		"GIT_CONFIG_GLOBAL=" + os.DevNull,
	}
	out, err := s.git("--exec-path")
	if err != nil {
		return err
	}
	s.backend = filepath.Join(strings.TrimSpace(out), "git-http-backend")
	if _, err := os.Stat(s.backend); err != nil {
		return fmt.Errorf("fakecodecommit: git http-backend not found: %w", err)
	}

	// The certificate uses the real clock, whatever Options.Now says, because
	// git checks it against the real clock.
	caPEM, cert, err := newCertificates(dnsNames, time.Now())
	if err != nil {
		return err
	}
	s.CAPEM = caPEM
	s.CAFile = filepath.Join(s.dir, "ca.pem")
	if err := os.WriteFile(s.CAFile, caPEM, 0o600); err != nil {
		return err
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	s.Addr = ln.Addr().String()
	// HTTP/1.1 only, as git's large pushes then arrive chunked, which is the
	// case net/http/cgi needs help with.
	tlsLn := tls.NewListener(ln, &tls.Config{
		Certificates: []tls.Certificate{cert},
		MinVersion:   tls.VersionTLS12,
		NextProtos:   []string{"http/1.1"},
	})
	s.https = &http.Server{
		Handler:           http.HandlerFunc(s.serveHTTP),
		ReadHeaderTimeout: 30 * time.Second,
	}
	go s.https.Serve(tlsLn)

	if s.proxyLn, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
		return err
	}
	s.ProxyURL = "http://" + s.proxyLn.Addr().String()
	s.wg.Add(1)
	go s.serveProxy()
	return nil
}

// Close stops both listeners, ends open connections and removes the
// temporary directory with the CA file and the repositories. It may be
// called more than once.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		s.closed = true
		conns := s.conns
		s.conns = nil
		s.mu.Unlock()
		if s.proxyLn != nil {
			s.proxyLn.Close()
		}
		for c := range conns {
			c.Close()
		}
		if s.https != nil {
			s.https.Close()
		}
		s.wg.Wait()
		if s.dir != "" {
			os.RemoveAll(s.dir)
		}
	})
}

// enter registers a goroutine that Close must wait for. It reports false
// once the server is closing.
func (s *Server) enter() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.wg.Add(1)
	return true
}

// git runs git with the server's environment and returns its output.
func (s *Server) git(args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Env = s.gitEnv
	cmd.Dir = s.dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("fakecodecommit: git %s: %v: %s", strings.Join(args, " "), err, bytes.TrimSpace(out))
	}
	return string(out), nil
}

// CreateRepo creates an empty bare repository, served at /v1/repos/NAME,
// whose default branch is main and which accepts pushes. NAME is made of
// letters, digits, '.', '_' and '-', as CodeCommit's repository names are.
func (s *Server) CreateRepo(name string) error {
	if !validRepoName(name) {
		return fmt.Errorf("fakecodecommit: invalid repository name %q", name)
	}
	dir := s.RepoDir(name)
	if _, err := os.Stat(dir); err == nil {
		return fmt.Errorf("fakecodecommit: repository %q exists", name)
	}
	if _, err := s.git("init", "--quiet", "--bare", "--initial-branch=main", dir); err != nil {
		return err
	}
	_, err := s.git("-C", dir, "config", "http.receivepack", "true")
	return err
}

// RepoDir returns the directory of the bare repository NAME.
func (s *Server) RepoDir(name string) string {
	return filepath.Join(s.repos, name)
}

// validRepoName reports whether name is a repository name the fake serves.
func validRepoName(name string) bool {
	if name == "" || name == "." || name == ".." || len(name) > 100 {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// Accepted returns how many requests signed with accessKeyID were accepted.
func (s *Server) Accepted(accessKeyID string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.accepted[accessKeyID]
}

// Denied returns how many requests that named accessKeyID (the username up
// to its '%') were refused with 403, whether the key is known or not.
func (s *Server) Denied(accessKeyID string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.denied[accessKeyID]
}

// Verdicts returns a copy of the verdicts on every request for a
// repository, authenticated or answered 401, in the order they completed.
func (s *Server) Verdicts() []Verdict {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.verdicts)
}

// ProxyHosts returns every host:port the proxy was asked to CONNECT to, in
// order, whether it tunnelled the connection or not.
func (s *Server) ProxyHosts() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.proxyHosts)
}

// serveHTTP answers a request on the HTTPS listener.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	name, ok := repoOf(r.URL.Path)
	if !ok {
		http.NotFound(w, r)
		return
	}
	if !s.enter() {
		http.Error(w, "server closing", http.StatusServiceUnavailable)
		return
	}
	defer s.wg.Done()

	v := Verdict{Repo: "/v1/repos/" + name, Method: r.Method, Path: r.URL.Path}
	user, pass, ok := r.BasicAuth()
	if !ok {
		w.Header().Set("WWW-Authenticate", `Basic realm="CodeCommit"`)
		http.Error(w, "authentication required", http.StatusUnauthorized)
		v.Status, v.Reason = http.StatusUnauthorized, "no basic credentials"
		s.record(v, nil)
		return
	}
	id, err := Verify(user, pass, r.Host, v.Repo, s.lookup, s.now())
	if err != nil {
		http.Error(w, "forbidden: "+err.Error(), http.StatusForbidden)
		v.AccessKeyID, _, _ = strings.Cut(user, "%")
		v.Status, v.Reason = http.StatusForbidden, err.Error()
		s.record(v, s.denied)
		return
	}
	v.AccessKeyID = id
	s.mu.Lock()
	s.accepted[id]++
	s.mu.Unlock()
	v.Status = s.serveGit(w, r, id)
	s.record(v, nil)
}

// record appends v to the verdicts and, when count is not nil, counts it
// there under its access key id.
func (s *Server) record(v Verdict, count map[string]int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.verdicts = append(s.verdicts, v)
	if count != nil {
		count[v.AccessKeyID]++
	}
}

// repoOf returns NAME for a path under /v1/repos/NAME/.
func repoOf(path string) (string, bool) {
	rest, ok := strings.CutPrefix(path, "/v1/repos/")
	if !ok {
		return "", false
	}
	name, _, _ := strings.Cut(rest, "/")
	return name, validRepoName(name)
}

// serveGit hands an accepted request to git http-backend and returns the
// status it answered.
func (s *Server) serveGit(w http.ResponseWriter, r *http.Request, accessKeyID string) int {
	// net/http/cgi refuses chunked bodies, and git sends pushes over 1 MiB
	// chunked: read the body first and pass it on with a length.
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		http.Error(w, "cannot read request body", http.StatusBadRequest)
		return http.StatusBadRequest
	}
	r = r.Clone(r.Context())
	if len(r.TransferEncoding) > 0 {
		s.mu.Lock()
		s.chunked++
		s.mu.Unlock()
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	r.TransferEncoding = nil
	r.Header.Del("Authorization") // no need for the child to see the password

	h := &cgi.Handler{
		Path: s.backend,
		Root: "/v1/repos", // PATH_INFO becomes /NAME/...
		Dir:  s.repos,
		Env: slices.Concat(s.gitEnv, []string{
			"GIT_PROJECT_ROOT=" + s.repos,
			"GIT_HTTP_EXPORT_ALL=1",
			"REMOTE_USER=" + accessKeyID, // enables receive-pack
		}),
	}
	sw := &statusWriter{ResponseWriter: w}
	h.ServeHTTP(sw, r)
	if sw.status == 0 {
		return http.StatusOK
	}
	return sw.status
}

// statusWriter remembers the status a handler answered.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
