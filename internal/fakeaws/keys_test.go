package fakeaws

import (
	"strings"
	"testing"
	"time"
)

func TestKeys(t *testing.T) {
	keys := NewKeys()
	expires := time.Now().Add(time.Hour)
	seen := make(map[string]bool)
	for range 1000 {
		c := keys.Issue("ASIATEST", expires)
		if len(c.AccessKeyID) != 20 || !strings.HasPrefix(c.AccessKeyID, "ASIATEST") {
			t.Fatalf("access key id %q", c.AccessKeyID)
		}
		if seen[c.AccessKeyID] {
			t.Fatalf("access key id %s issued twice", c.AccessKeyID)
		}
		seen[c.AccessKeyID] = true
		if len(c.SecretAccessKey) != 40 || c.SessionToken == "" {
			t.Fatalf("secret %q, token %q", c.SecretAccessKey, c.SessionToken)
		}
		if !c.Expiration.Equal(expires.Truncate(time.Second)) {
			t.Fatalf("expiration %v, want %v", c.Expiration, expires.Truncate(time.Second))
		}
		secret, token, ok := keys.Lookup(c.AccessKeyID)
		if !ok || secret != c.SecretAccessKey || token != c.SessionToken {
			t.Fatalf("Lookup(%s) = %q, %q, %v", c.AccessKeyID, secret, token, ok)
		}
	}

	keys.Add(Credentials{AccessKeyID: "AKIAFAKE", SecretAccessKey: "s"})
	if secret, token, ok := keys.Lookup("AKIAFAKE"); !ok || secret != "s" || token != "" {
		t.Errorf("Lookup of added key = %q, %q, %v", secret, token, ok)
	}
	if _, _, ok := keys.Lookup("AKIANOPE"); ok {
		t.Error("Lookup of an unknown key succeeded")
	}
}
