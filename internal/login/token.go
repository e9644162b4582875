package login

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/atomicfile"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/failure"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/safefile"
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

// MaxTokenFile bounds a token cache file: the AWS CLI writes a few KiB.
const MaxTokenFile = 64 << 10

// ReadToken reads the token cache file path, by the rules of
// internal/safefile: a regular file of the user's that no one else may
// write, of at most MaxTokenFile bytes, opened without following a link or
// blocking, so that a FIFO or a link to /dev/zero there is refused at once
// (an error matching safefile.ErrUntrusted). As for the AWS SDKs, a file
// without an access token and its expiry is no token. The tokens and client
// secret read are the caller's to add to its request's secrets
// (internal/redact). Its errors say what is wrong, and leave what to do to
// the caller.
func ReadToken(path string) (Token, error) {
	b, err := safefile.ReadFile(path, MaxTokenFile)
	if err != nil {
		return Token{}, err
	}
	var t Token
	if err := json.Unmarshal(b, &t); err != nil {
		return Token{}, &failure.Error{Problem: path + " is not a token cache file", Cause: failure.Reason(err), Err: err}
	}
	if t.AccessToken == "" || t.ExpiresAt.IsZero() {
		return Token{}, &failure.Error{Problem: path + " is not a token cache file", Cause: "it has no accessToken or no expiresAt"}
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

// writeToken writes t to path, mode 0600, in a directory cacheDir makes
// ready: to a temporary file in the same directory, then renamed over path,
// so that a reader sees the old token or the new one, never part of one.
// The rename replaces whatever was at path, a FIFO or a link included,
// without following it.
func writeToken(path string, t Token) error {
	t.ExpiresAt = utcSecond(t.ExpiresAt)
	t.RegistrationExpiresAt = utcSecond(t.RegistrationExpiresAt)
	b, err := json.Marshal(t)
	if err != nil {
		return err
	}
	if err := cacheDir(filepath.Dir(path)); err != nil {
		return err
	}
	return atomicfile.Write(path, b)
}

// cacheDir makes dir, the token cache directory HOME/.aws/sso/cache, ready
// to hold a token, by the rules of internal/safefile: it creates what is
// missing of HOME/.aws, HOME/.aws/sso and dir, mode 0700, but never HOME
// itself, and refuses a relative HOME, which would put the token under the
// current directory. An existing dir must be a real directory of the
// user's that no one else may write; it is never changed. Its errors are
// one line that names the directory and what to do.
func cacheDir(dir string) error {
	if !filepath.IsAbs(dir) {
		return &failure.Error{Problem: "the token cache directory " + dir + " is not an absolute path", Cause: "HOME is relative", Fix: "set HOME to the absolute path of your home directory"}
	}
	awsDir := filepath.Dir(filepath.Dir(dir))
	if err := os.Mkdir(awsDir, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return &failure.Error{Problem: "cannot create " + awsDir, Cause: failure.Reason(err), Fix: "check that HOME is your home directory", Err: err}
	}
	err := safefile.MkdirTrusted(dir)
	var u *safefile.UntrustedError
	switch {
	case err == nil:
		return nil
	case !errors.As(err, &u):
		return &failure.Error{Problem: "cannot create the token cache directory " + dir, Cause: failure.Reason(err), Fix: "check the permissions of " + filepath.Dir(dir), Err: err}
	}
	fix := "remove it (sign-in makes a directory of your own there)"
	if fi, err := os.Lstat(dir); err == nil && fi.IsDir() && fi.Mode().Perm()&0o022 != 0 {
		fix = "run: chmod go-w " + dir + " (or remove it, if it is not yours)"
	}
	return &failure.Error{Problem: fmt.Sprintf("the token cache directory %s %s, so a token there would not be safe", u.Path, u.Reason), Fix: fix, Err: err}
}

// utcSecond is t in UTC, truncated to the second, so that it marshals as
// the AWS CLI writes times: 2006-01-02T15:04:05Z. The zero time stays zero.
func utcSecond(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.UTC().Truncate(time.Second)
}
