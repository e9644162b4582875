package ssotoken

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestCanRefresh(t *testing.T) {
	now := time.Now()
	full := Token{RefreshToken: "r", ClientID: "i", ClientSecret: "s", RegistrationExpiresAt: now.Add(time.Hour)}
	for _, tc := range []struct {
		name string
		edit func(*Token)
		want bool
	}{
		{"refresh token and registration", func(*Token) {}, true},
		{"registration of unknown expiry", func(t *Token) { t.RegistrationExpiresAt = time.Time{} }, true},
		{"registration expired", func(t *Token) { t.RegistrationExpiresAt = now.Add(-time.Second) }, false},
		{"no refresh token", func(t *Token) { t.RefreshToken = "" }, false},
		{"no client id", func(t *Token) { t.ClientID = "" }, false},
		{"no client secret", func(t *Token) { t.ClientSecret = "" }, false},
	} {
		tok := full
		tc.edit(&tok)
		if got := tok.CanRefresh(now); got != tc.want {
			t.Errorf("%s: CanRefresh = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestReadRejects(t *testing.T) {
	dir := t.TempDir()
	if _, err := Read(filepath.Join(dir, "absent.json")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a missing file: %v, want os.ErrNotExist", err)
	}
	for name, body := range map[string]string{
		"not JSON":        `{"accessToken": "a", "expiresAt": `,
		"no access token": `{"expiresAt": "2030-01-01T00:00:00Z"}`,
		"no expiry":       `{"accessToken": "a"}`,
		"not RFC 3339":    `{"accessToken": "a", "expiresAt": "2030-01-01 00:00:00"}`,
	} {
		p := filepath.Join(dir, "token.json")
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := Read(p); err == nil || !strings.HasPrefix(err.Error(), p+" is not a token cache file (") {
			t.Errorf("%s: %v", name, err)
		}
	}
}
