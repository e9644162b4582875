package login

import (
	"context"
	"errors"
	"html"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/failure"
)

// loopback is the listener an OAuth redirect to this machine comes back
// to (RFC 8252, section 7.3), for both sign-ins: IAM Identity Center's
// (pkce.go) and the console's (console.go). It is on 127.0.0.1 only, on a
// port the system picks, for one request to its callback path; other
// paths (a browser's favicon) get 404 and change nothing. The first
// request ends the wait, even one refused (another Host, not a GET): that
// sign-in fails rather than wait on for a second try. The browser's page
// waits for the sign-in's outcome (reply), so that it says "Signed in"
// only once the credentials are written, or else the error, escaped. A
// later request gets 409 and cannot change the outcome.
type loopback struct {
	ln      net.Listener
	srv     *http.Server
	path    string
	arrived chan arrival // the first callback; buffered
	once    sync.Once
}

// arrival is a callback, and where its page waits for the outcome.
type arrival struct {
	query url.Values
	err   error // the request itself is refused: why
	reply chan error
}

// listenLoopback listens on 127.0.0.1 for a callback to path.
func listenLoopback(path string) (*loopback, error) {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		return nil, &failure.Error{Problem: "cannot listen on 127.0.0.1 for the browser's redirect", Cause: failure.Reason(err),
			Fix: "check that this machine's loopback interface is up", Err: err}
	}
	l := &loopback{ln: ln, path: path, arrived: make(chan arrival, 1)}
	l.srv = &http.Server{Handler: http.HandlerFunc(l.serve), ReadHeaderTimeout: 10 * time.Second}
	go l.srv.Serve(ln)
	return l, nil
}

// host is the listener's address, 127.0.0.1:PORT: the Host a browser
// sends.
func (l *loopback) host() string { return l.ln.Addr().String() }

// redirectURI is the URI the browser is sent back to.
func (l *loopback) redirectURI() string { return "http://" + l.host() + l.path }

// serve answers the callback, and refuses every other request.
func (l *loopback) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != l.path {
		http.NotFound(w, r)
		return
	}
	a := arrival{query: r.URL.Query(), reply: make(chan error, 1)}
	switch {
	case r.Host != l.host():
		// A page elsewhere that reaches this port through a name of its
		// own (DNS rebinding) sends its own Host; a browser following the
		// redirect sends the address itself.
		a.err = refused("it came for host " + strconv.Quote(r.Host))
	case r.Method != http.MethodGet:
		a.err = refused("it is a " + strconv.Quote(r.Method) + ", not a GET")
	}
	first := false
	l.once.Do(func() { first = true })
	if !first {
		page(w, http.StatusConflict, "The terminal took an earlier answer; this request changed nothing. You can close this tab.")
		return
	}
	l.arrived <- a
	var err error
	select {
	case err = <-a.reply:
	case <-r.Context().Done():
		return
	}
	if err != nil {
		page(w, http.StatusBadRequest, "The sign-in failed: "+failure.OneLine(err))
		return
	}
	page(w, http.StatusOK, "Signed in. You can close this tab.")
}

// page writes a page that says text, escaped.
func page(w http.ResponseWriter, status int, text string) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", "default-src 'none'")
	w.WriteHeader(status)
	w.Write([]byte("<!DOCTYPE html>\n<title>git-credential-codecommit</title>\n<p>" + html.EscapeString(text) + "</p>\n"))
}

// wait returns the first callback's query, or why there is none: the
// request was refused, or wait timed out, or ctx ended.
func (l *loopback) wait(ctx context.Context, timeout time.Duration) (arrival, error) {
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case a := <-l.arrived:
		return a, a.err
	case <-t.C:
		return arrival{}, errCallbackTimeout
	case <-ctx.Done():
		return arrival{}, ctx.Err()
	}
}

// errCallbackTimeout says no callback came in time.
var errCallbackTimeout = errors.New("no callback came in time")

// refused says why the request to the callback path is not the browser's
// redirect.
type refused string

func (r refused) Error() string { return string(r) }

// close answers the waiting page, if there is one, with err, and stops
// the listener once that page is written.
func (l *loopback) close(a arrival, err error) {
	if a.reply != nil {
		a.reply <- err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	l.srv.Shutdown(ctx)
}
