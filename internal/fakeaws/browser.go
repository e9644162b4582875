package fakeaws

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

// Browser is what the person at the browser does with an authorization
// page, for Browse.
type Browser string

const (
	// Approve follows the page's redirect to the loopback callback.
	Approve Browser = "approve"
	// WrongState calls the callback with a state of its own.
	WrongState Browser = "wrong-state"
	// CallbackError calls the callback with an error whose description is
	// markup, which the page must show escaped.
	CallbackError Browser = "callback-error"
	// TwoCallbacks calls the callback twice: first with a state of its own,
	// as a page that raced the real one might, then as the redirect says.
	TwoCallbacks Browser = "two-callbacks"
	// ForeignHost calls the callback with a Host header that is not the
	// loopback address, as a DNS-rebinding page would.
	ForeignHost Browser = "foreign-host"
	// Ignore opens the page and never calls back.
	Ignore Browser = "ignore"
)

// CallbackErrorDescription is the error description CallbackError sends.
const CallbackErrorDescription = "<b>boom</b>"

// Browse is a stand-in for a browser that opens the authorization page
// page (the fake's GET /authorize) and then does what b says with the
// redirect to the loopback callback. It returns the status and body of
// each callback the listener answered, "refused: …" for one it did not.
func Browse(ctx context.Context, page string, b Browser) ([]string, error) {
	c := &http.Client{
		Timeout:       time.Minute,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	resp, err := get(ctx, c, page, "")
	if err != nil {
		return nil, err
	}
	resp.Body.Close()
	loc, err := resp.Location()
	if err != nil {
		return nil, fmt.Errorf("the authorization page answered %s without a redirect", resp.Status)
	}
	callback := func(u *url.URL, host string) string {
		r, err := get(ctx, c, u.String(), host)
		if err != nil {
			return "refused: " + err.Error()
		}
		defer r.Body.Close()
		body, _ := io.ReadAll(r.Body)
		return fmt.Sprintf("%d %s", r.StatusCode, body)
	}
	wrong := *loc
	q := wrong.Query()
	q.Set("state", "not-the-state")
	wrong.RawQuery = q.Encode()
	switch b {
	case Approve:
		return []string{callback(loc, "")}, nil
	case WrongState:
		return []string{callback(&wrong, "")}, nil
	case TwoCallbacks:
		first := callback(&wrong, "")
		return []string{first, callback(loc, "")}, nil
	case CallbackError:
		e := *loc
		e.RawQuery = url.Values{"error": {"server_error"}, "error_description": {CallbackErrorDescription}, "state": {loc.Query().Get("state")}}.Encode()
		return []string{callback(&e, "")}, nil
	case ForeignHost:
		return []string{callback(loc, "attacker.example:"+loc.Port())}, nil
	case Ignore:
		return nil, nil
	}
	return nil, errors.New("unknown browser behaviour " + string(b))
}

// get fetches u, with host as the Host header when it is not empty.
func get(ctx context.Context, c *http.Client, u, host string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	if host != "" {
		req.Host = host
	}
	return c.Do(req)
}
