package login

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/failure"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/safefile"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/ssotoken"
)

// writeToken writes t to path, mode 0600, in a directory cacheDir makes
// ready: to a temporary file in the same directory, then renamed over path,
// so that a reader sees the old token or the new one, never part of one.
// The rename replaces whatever was at path, a FIFO or a link included,
// without following it.
func writeToken(path string, t ssotoken.Token) error {
	t.ExpiresAt = utcSecond(t.ExpiresAt)
	t.RegistrationExpiresAt = utcSecond(t.RegistrationExpiresAt)
	b, err := json.Marshal(t)
	if err != nil {
		return err
	}
	if err := cacheDir(filepath.Dir(path)); err != nil {
		return err
	}
	return safefile.WriteFile(path, b)
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
