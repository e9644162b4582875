package login

import (
	"context"
	"errors"
	"fmt"
	"html"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// consoleCallbackPath is the path of the loopback redirect, the AWS CLI's.
const consoleCallbackPath = "/oauth/callback"

// consoleCallback is the loopback listener of a same-device sign-in: it
// listens on 127.0.0.1 only, on a port the system picks, and takes one
// request for consoleCallbackPath. Requests for other paths (a browser's
// favicon) get 404 and change nothing; everything after that one request
// gets 410.
type consoleCallback struct {
	ln   net.Listener
	srv  *http.Server
	host string // the Host a browser sends: 127.0.0.1:PORT

	once sync.Once
	got  chan callbackResult
}

// callbackResult is what the redirect brought: its query, or why it is
// refused.
type callbackResult struct {
	code, state, errCode, errDescription string
	refused                              string // why the request is not a redirect of ours
}

// listenConsoleCallback starts the listener.
func listenConsoleCallback() (*consoleCallback, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	c := &consoleCallback{ln: ln, host: ln.Addr().String(), got: make(chan callbackResult, 1)}
	c.srv = &http.Server{Handler: http.HandlerFunc(c.serve), ReadHeaderTimeout: 10 * time.Second}
	go c.srv.Serve(ln)
	return c, nil
}

// redirectURI is the URI Sign-In redirects the browser to.
func (c *consoleCallback) redirectURI() string {
	return "http://" + c.host + consoleCallbackPath
}

// port is the listener's port, for messages.
func (c *consoleCallback) port() int {
	_, p, _ := net.SplitHostPort(c.host)
	n, _ := strconv.Atoi(p)
	return n
}

func (c *consoleCallback) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != consoleCallbackPath {
		http.NotFound(w, r)
		return
	}
	res := callbackResult{}
	switch q := r.URL.Query(); {
	case r.Host != c.host:
		// A page that rebinds a name of its own to 127.0.0.1 reaches the
		// listener under that name; a browser following the redirect
		// sends the address itself.
		res.refused = "for host " + strconv.Quote(r.Host)
	case r.Method != http.MethodGet:
		res.refused = "it is a " + r.Method + ", not a GET"
	default:
		res.code, res.state = q.Get("code"), q.Get("state")
		res.errCode, res.errDescription = q.Get("error"), q.Get("error_description")
	}
	first := false
	c.once.Do(func() { first = true; c.got <- res })
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	switch {
	case !first:
		w.WriteHeader(http.StatusGone)
		fmt.Fprint(w, consolePage("This sign-in is over", "The terminal took an earlier answer. Close this tab."))
	case res.refused != "":
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, consolePage("Sign-in refused", "The terminal refused this request: "+res.refused+"."))
	case res.errCode != "":
		fmt.Fprint(w, consolePage("Sign-in failed", "AWS Sign-In answered "+res.errCode+": "+res.errDescription+". See the terminal."))
	default:
		fmt.Fprint(w, consolePage("Signed in", "git-credential-codecommit has the answer; you can close this tab."))
	}
}

// consolePage is a small HTML page; title and text are escaped.
func consolePage(title, text string) string {
	return "<!doctype html><html><head><meta charset=\"utf-8\"><title>" + html.EscapeString(title) +
		"</title></head><body><h1>" + html.EscapeString(title) + "</h1><p>" + html.EscapeString(text) + "</p></body></html>\n"
}

// errNoCallback is the wait's end without a redirect.
var errNoCallback = errors.New("no redirect came")

// wait returns the first callback, or errNoCallback after d, or ctx's end.
func (c *consoleCallback) wait(ctx context.Context, d time.Duration) (callbackResult, error) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case res := <-c.got:
		return res, nil
	case <-t.C:
		return callbackResult{}, errNoCallback
	case <-ctx.Done():
		return callbackResult{}, ctx.Err()
	}
}

// close stops the listener; the page of the one callback has been
// written by then, or is dropped with its connection.
func (c *consoleCallback) close() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	c.srv.Shutdown(ctx)
}
