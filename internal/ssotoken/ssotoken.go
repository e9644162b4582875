// Package ssotoken is the IAM Identity Center token cache file, as the AWS
// CLI writes it and the AWS SDKs read and refresh it
// (~/.aws/sso/cache/<sha1 of the session>.json): its format, and its one
// reader, which login, doctor and get's check of the token share.
package ssotoken

import (
	"encoding/json"
	"path/filepath"
	"time"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/failure"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/safefile"
)

// Token is a token cache file: the access token, and for an sso-session
// the refresh token and the client registration that can renew it. Times
// are RFC 3339 in UTC, to the second.
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

// Read reads the token cache file path, by the rules of internal/safefile:
// a regular file of the user's that no one else may write, of at most
// safefile.MaxSmallFile bytes, opened without following a link or
// blocking, so that a FIFO or a link to /dev/zero there is refused at once
// (an error matching safefile.ErrUntrusted), from its directory, opened
// once and trusted by the same rules (safefile.Dir). As for the AWS SDKs, a file
// without an access token and its expiry is no token: the error says so,
// (what is wrong; what to do is the caller's), and the Token holds what
// the file had, whose Secrets the caller adds to
// its request's (internal/redact) as it does for a good one.
func Read(path string) (Token, error) {
	d, err := safefile.OpenDir(filepath.Dir(path))
	if err != nil {
		return Token{}, err
	}
	b, err := d.ReadFile(filepath.Base(path), safefile.MaxSmallFile)
	d.Close()
	if err != nil {
		return Token{}, err
	}
	var t Token
	if err := json.Unmarshal(b, &t); err != nil {
		return t, &failure.Error{Problem: path + " is not a token cache file", Cause: failure.Reason(err), Err: err}
	}
	if t.AccessToken == "" || t.ExpiresAt.IsZero() {
		return t, &failure.Error{Problem: path + " is not a token cache file", Cause: "it has no accessToken or no expiresAt"}
	}
	return t, nil
}

// Secrets are the values of t that no message may print.
func (t Token) Secrets() []string {
	return []string{t.AccessToken, t.RefreshToken, t.ClientSecret}
}

// CanRefresh reports whether the AWS SDKs can renew t's access token
// without a sign-in at time now: t has a refresh token and a client
// registration that has not expired. (IAM Identity Center may still refuse
// a refresh token that has outlived the session it belongs to.)
func (t Token) CanRefresh(now time.Time) bool {
	return t.RefreshToken != "" && t.ClientID != "" && t.ClientSecret != "" &&
		(t.RegistrationExpiresAt.IsZero() || t.RegistrationExpiresAt.After(now))
}
