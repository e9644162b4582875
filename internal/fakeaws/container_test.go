package fakeaws

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const containerToken = "Y29udGFpbmVyIGF1dGhvcml6YXRpb24gdG9rZW4="

func startContainer(t *testing.T) (*Container, *Keys, string) {
	t.Helper()
	home := setup(t)
	keys := NewKeys()
	c, err := StartContainer(keys, containerToken)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	t.Setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", c.URL)
	return c, keys, home
}

func TestContainerTokenFile(t *testing.T) {
	c, keys, home := startContainer(t)
	file := filepath.Join(home, "token")
	writeFile(t, file, containerToken) // no trailing newline: the SDK refuses one
	t.Setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", file)

	got := mustRetrieve(t)
	if checkIssued(t, keys, got, "ASIACONT") != c.Issued() {
		t.Errorf("retrieved %s, the fake serves %s", got.AccessKeyID, c.Issued().AccessKeyID)
	}
	// The SDK's cache reports container credentials as expiring 5 minutes
	// early (its ExpiryWindow).
	if want := c.Issued().Expiration; got.Expires.After(want) || got.Expires.Before(want.Add(-5*time.Minute)) {
		t.Errorf("expires %v, want %v or up to 5 minutes before", got.Expires, want)
	}
	if n := c.Requests(); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}

func TestContainerToken(t *testing.T) {
	c, keys, _ := startContainer(t)
	t.Setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", containerToken)
	got := mustRetrieve(t)
	checkIssued(t, keys, got, "ASIACONT")

	t.Setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "wrong")
	_, err := retrieve(t)
	if errorCode(err) != "AccessDeniedException" {
		t.Errorf("error with a wrong token: %v, want AccessDeniedException", err)
	}
	if n := c.Requests(); n != 2 {
		t.Errorf("%d requests, want 2 (a refusal is not retried)", n)
	}
	resp, body := do(t, "GET", c.URL, "", "Authorization", "wrong")
	if resp.StatusCode != 403 || resp.Header.Get("Content-Type") != "application/json" || !strings.Contains(body, `"code":"AccessDeniedException"`) {
		t.Errorf("answer to a wrong token: %d %s %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
}

func TestContainerFailNext(t *testing.T) {
	c, keys, _ := startContainer(t)
	t.Setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", containerToken)

	c.FailNext(Fault{500, "InternalError", "try again"})
	checkIssued(t, keys, mustRetrieve(t), "ASIACONT")
	if n := c.Requests(); n != 2 {
		t.Errorf("%d requests, want 2 (a 500 is retried)", n)
	}

	c.FailNext(Fault{400, "InvalidRequest", "no"})
	if _, err := retrieve(t); errorCode(err) != "InvalidRequest" {
		t.Errorf("error %v, want InvalidRequest", err)
	}
	if n := c.Requests(); n != 3 {
		t.Errorf("%d requests, want 3", n)
	}
}
