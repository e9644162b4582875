package fakeaws

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/testenv"
)

// dialLog is an HTTP client for the SDK that records every address it dials
// and refuses all but loopback.
type dialLog struct {
	mu    sync.Mutex
	addrs []string
}

func (d *dialLog) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	d.mu.Lock()
	d.addrs = append(d.addrs, addr)
	d.mu.Unlock()
	if host, _, _ := net.SplitHostPort(addr); host != "127.0.0.1" {
		return nil, fmt.Errorf("test refused to dial %s", addr)
	}
	return (&net.Dialer{}).DialContext(ctx, network, addr)
}

func (d *dialLog) client() config.LoadOptionsFunc {
	return config.WithHTTPClient(&http.Client{Transport: &http.Transport{DialContext: d.dial}})
}

// check fails the test unless something was dialled and everything dialled
// was the fake at fakeURL.
func (d *dialLog) check(t *testing.T, fakeURL string) {
	t.Helper()
	u, err := url.Parse(fakeURL)
	if err != nil {
		t.Fatal(err)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.addrs) == 0 || slices.ContainsFunc(d.addrs, func(a string) bool { return a != u.Host }) {
		t.Errorf("the SDK dialled %v, want only the fake at %s", d.addrs, u.Host)
	}
}

// TestOnlyFakesAreDialled checks, with instance metadata enabled, that the
// SDK dials the fakes and nothing else.
func TestOnlyFakesAreDialled(t *testing.T) {
	t.Run("IMDS", func(t *testing.T) {
		setup(t)
		m, keys := startIMDS(t)
		enableIMDS(t, m.URL)
		var d dialLog
		checkIssued(t, keys, mustRetrieve(t, d.client()), "ASIAIMDS")
		d.check(t, m.URL)
		if m.Requests() != 3 || m.CredentialFetches() != 1 {
			t.Errorf("%d requests and %d credential fetches, want 3 and 1", m.Requests(), m.CredentialFetches())
		}
	})
	t.Run("AssumeRole", func(t *testing.T) {
		s, keys := startSTS(t, false)
		enableIMDS(t, testenv.Nowhere) // never used: the profile wins
		var d dialLog
		checkIssued(t, keys, mustRetrieve(t, d.client()), "ASIASTS")
		d.check(t, s.URL)
	})
	t.Run("IdentityCenter", func(t *testing.T) {
		ic, keys, home := startIdentityCenter(t)
		enableIMDS(t, testenv.Nowhere)
		id, secret := ic.RegisterClient()
		_, refresh := ic.IssueToken()
		writeCache(t, cacheFile(home, "corp"), map[string]string{
			"accessToken": "expired", "expiresAt": rfc3339(-1), "refreshToken": refresh, "clientId": id, "clientSecret": secret,
		})
		var d dialLog
		checkIssued(t, keys, mustRetrieve(t, d.client()), "ASIASSO")
		d.check(t, ic.URL)
		if ic.Calls("CreateToken") != 1 {
			t.Errorf("%d CreateToken calls, want 1", ic.Calls("CreateToken"))
		}
	})
}
