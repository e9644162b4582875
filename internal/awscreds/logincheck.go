package awscreds

import (
	"context"
	"errors"
	"io/fs"
	"path/filepath"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/awsconfig"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/logintoken"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/redact"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/safefile"
)

// checkLoginToken vets the console sign-in token file the SDK is about to
// read for cfg (a login_session chain), as checkSSOToken vets the IAM
// Identity Center one: the SDK's logincreds opens it with a plain open and
// reads it whole, and on a refresh writes it in place. Its secrets go to
// the request's (internal/redact, from ctx). A missing or incomplete file
// is left to the SDK, whose error explain turns into the line that says to
// sign in again.
func (o Options) checkLoginToken(ctx context.Context, cfg awsconfig.Config) error {
	session := awsconfig.LoginSession(&cfg.Shared, cfg.Sources(o.Profile != ""))
	if session == "" {
		return nil
	}
	path, err := logintoken.Path(session)
	if err != nil {
		return nil // no home directory: the SDK says so
	}
	var t logintoken.Token
	err = safefile.CheckDir(filepath.Dir(path))
	if err == nil {
		t, err = logintoken.Read(path)
	}
	redact.FromContext(ctx).Add(t.Secrets()...)
	if errors.Is(err, fs.ErrNotExist) || !errors.Is(err, safefile.ErrUntrusted) {
		return nil
	}
	var u *safefile.UntrustedError
	if errors.As(err, &u) && u.Path != path {
		return &Error{Problem: "the console sign-in token cache " + err.Error(), Fix: "make it a directory of yours that others cannot write (chmod go-w), then run: " + ConsoleLoginCommand(cfg.Profile), Err: err}
	}
	return &Error{Problem: "the console sign-in token " + err.Error(), Fix: "remove it, then run: " + ConsoleLoginCommand(cfg.Profile), Err: err}
}
