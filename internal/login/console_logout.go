package login

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/credcache"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/failure"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/logintoken"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/redact"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/safetext"
)

// logoutConsole signs profile out of its console sign-in session, when
// the SDK takes its credentials from one (consoleSessionOf): it removes the
// session's token file and the credentials this program cached from it,
// as "aws logout" does for the file. done is false for other profiles.
// The credentials stay valid at AWS until they expire (15 minutes at most).
func logoutConsole(ctx context.Context, profile string, out io.Writer) (done bool, err error) {
	name, session, err := consoleSessionOf(ctx, profile)
	if err != nil || session == "" {
		return false, nil // FindSession reports what is wrong, or what else the profile is
	}
	secrets := redact.FromContext(ctx)
	path, err := logintoken.Path(session)
	if err != nil {
		return true, err
	}
	switch err := os.Remove(path); {
	case err == nil:
		safetext.Fprintf(out, secrets, "Removed the console sign-in token of profile %q (%s): %s\n", name, session, path)
	case errors.Is(err, fs.ErrNotExist):
		safetext.Fprintf(out, secrets, "No console sign-in token of profile %q to remove: %s does not exist.\n", name, path)
	default:
		return true, &failure.Error{Problem: fmt.Sprintf("cannot remove the console sign-in token of profile %q", name), Cause: failure.Reason(err), Fix: "check the permissions of " + filepath.Dir(path), Err: err}
	}
	c, err := credcache.Open(nil)
	if err != nil {
		return true, nil // no cache directory: nothing was cached
	}
	n, err := c.ForgetLoginSession(session)
	if n > 0 {
		safetext.Fprintf(out, secrets, "Removed the cached credentials (%s), which stay valid at AWS until they expire.\n", files(n))
	}
	if err != nil {
		return true, &failure.Error{Problem: fmt.Sprintf("signed out of profile %q, but cannot remove cached credentials", name), Cause: failure.OneLine(err), Fix: "remove the file yourself", Err: err}
	}
	return true, nil
}
