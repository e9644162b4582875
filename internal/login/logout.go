package login

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/awsclicache"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/credcache"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/failure"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/redact"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/safetext"
)

// Logout signs out of the session of o.Profile, or of o.Session: it removes
// the session's token cache file, which the AWS CLI and SDKs share, and the
// role credentials cached from IAM Identity Center, and says on o.Stderr
// what it removed. Nothing to remove is no error.
//
// Role credentials stay valid at AWS after the token is gone, for up to
// their session duration, and git would go on using them from a cache; the
// AWS CLI's "aws sso logout" removes its cached SSO role credentials for the
// same reason. Logout removes:
//   - this program's cached role credentials from this session (the cache
//     tags them with it);
//   - the AWS CLI's cached SSO role credentials, which this program reads,
//     as "aws sso logout" does (the AWS CLI does not record their session).
//
// It also removes the temporary token files a sign-in killed while writing
// left (see sweep). The token itself is not revoked at IAM Identity Center.
// A profile signed in with console credentials (login_session) is signed
// out of that session instead (logoutConsole).
func Logout(ctx context.Context, o Options) error {
	ctx, _ = redact.Ensure(ctx)
	out := o.Stderr
	if out == nil {
		out = io.Discard
	}
	if o.Session == "" {
		if done, err := logoutConsole(ctx, o.Profile, out); done {
			return err
		}
	}
	s, err := FindSession(ctx, o.Profile, o.Session)
	if err != nil {
		return err
	}
	path, err := s.CacheFile()
	if err != nil {
		return err
	}
	switch err := os.Remove(path); {
	case err == nil:
		safetext.Fprintf(out, redact.FromContext(ctx), "Removed the token of %s: %s\n", s, path)
	case errors.Is(err, fs.ErrNotExist):
		safetext.Fprintf(out, redact.FromContext(ctx), "No token of %s to remove: %s does not exist.\n", s, path)
	default:
		return &failure.Error{Problem: fmt.Sprintf("cannot remove the token of %s", s), Cause: failure.Reason(err), Fix: "check the permissions of " + filepath.Dir(path), Err: err}
	}
	if n := sweep(filepath.Dir(path), time.Now()); n > 0 {
		safetext.Fprintf(out, redact.FromContext(ctx), "Removed %s left by an interrupted sign-in.\n", temporaryFiles(n))
	}
	n, err := forgetRoleCredentials(s)
	if n > 0 {
		safetext.Fprintf(out, redact.FromContext(ctx), "Removed the cached role credentials (%s), which would stay valid at AWS until they expire.\n", files(n))
	}
	if err != nil {
		return &failure.Error{Problem: fmt.Sprintf("signed out of %s, but cannot remove cached role credentials", s), Cause: failure.OneLine(err), Fix: "remove the file yourself", Err: err}
	}
	return nil
}

// forgetRoleCredentials removes the role credentials this program cached
// from session s, and the AWS CLI's cached SSO role credentials, and returns
// how many files it removed.
func forgetRoleCredentials(s Session) (int, error) {
	id := s.Name
	if id == "" {
		id = s.StartURL // a legacy profile's session is known by its start URL
	}
	var n int
	if c, err := credcache.Open(nil); err == nil { // no cache directory: nothing was cached
		if n, err = c.ForgetSSOSession(id); err != nil {
			return n, err
		}
	}
	if home, err := os.UserHomeDir(); err == nil {
		k, err := awsclicache.ForgetSSO(home)
		if n += k; err != nil {
			return n, err
		}
	}
	return n, nil
}

// files says how many files n is.
func files(n int) string {
	if n == 1 {
		return "1 file"
	}
	return fmt.Sprintf("%d files", n)
}
