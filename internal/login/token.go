package login

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/atomicfile"
)

// Token is a token cache file as the AWS CLI writes it and the AWS SDKs read
// and refresh it (see Session.CacheFile): the access token, and for an
// sso-session the refresh token and the client registration that can renew
// it. Times are RFC 3339 in UTC, to the second.
type Token struct {
	StartURL     string    `json:"startUrl"`
	Region       string    `json:"region"`
	AccessToken  string    `json:"accessToken"`
	ExpiresAt    time.Time `json:"expiresAt"`
	RefreshToken string    `json:"refreshToken,omitempty"`
	// ClientID, ClientSecret and RegistrationExpiresAt are the client
	// registration the token was issued to, which a refresh needs.
	ClientID              string    `json:"clientId,omitempty"`
	ClientSecret          string    `json:"clientSecret,omitempty"`
	RegistrationExpiresAt time.Time `json:"registrationExpiresAt,omitzero"`
}

// ReadToken reads the token cache file path. As for the AWS SDKs, a file
// without an access token and its expiry is no token.
func ReadToken(path string) (Token, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Token{}, err
	}
	var t Token
	if err := json.Unmarshal(b, &t); err != nil {
		return Token{}, fmt.Errorf("%s is not a token cache file: %v", path, err)
	}
	if t.AccessToken == "" || t.ExpiresAt.IsZero() {
		return Token{}, fmt.Errorf("%s is not a token cache file: it has no accessToken or no expiresAt", path)
	}
	return t, nil
}

// CanRefresh reports whether the AWS SDKs can renew t's access token
// without a sign-in at time now: t has a refresh token and a client
// registration that has not expired. (IAM Identity Center may still refuse
// a refresh token that has outlived the session it belongs to.)
func (t Token) CanRefresh(now time.Time) bool {
	return t.RefreshToken != "" && t.ClientID != "" && t.ClientSecret != "" &&
		(t.RegistrationExpiresAt.IsZero() || t.RegistrationExpiresAt.After(now))
}

// writeToken writes t to path, mode 0600, creating its directory with mode
// 0700 when it does not exist: to a temporary file in the same directory,
// then renamed over path, so that a reader sees the old token or the new
// one, never part of one.
func writeToken(path string, t Token) error {
	t.ExpiresAt = utcSecond(t.ExpiresAt)
	t.RegistrationExpiresAt = utcSecond(t.RegistrationExpiresAt)
	b, err := json.Marshal(t)
	if err != nil {
		return err
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	return atomicfile.Write(path, b)
}

// utcSecond is t in UTC, truncated to the second, so that it marshals as
// the AWS CLI writes times: 2006-01-02T15:04:05Z. The zero time stays zero.
func utcSecond(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.UTC().Truncate(time.Second)
}
