package doctor

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/awsconfig"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/awscreds"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/logintoken"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/redact"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/safefile"
)

// checkLoginSession reports, for a profile signed in with console
// credentials (login_session, login --console), the session's token file:
// missing, refused by the trust rules, or when its credentials expire and
// whether the SDK could renew them. It is skipped for other profiles.
func (d *doctor) checkLoginSession(ctx context.Context) []Check {
	if d.credsOK && d.creds.Source == config.CredentialsSourceName {
		return []Check{skip("login", "the credentials come from keys in the environment, not from a console sign-in")}
	}
	cfg, err := awsconfig.Load(ctx, d.flags.Profile)
	if err != nil {
		return []Check{skip("login", "the AWS configuration does not load")}
	}
	session := awsconfig.LoginSession(&cfg.Shared, cfg.Sources(d.flags.Profile != ""))
	if session == "" {
		return []Check{skip("login", "the profile does not use a console sign-in (login_session)")}
	}
	path, err := logintoken.Path(session)
	if err != nil {
		return []Check{skip("login", "no home directory for the session's token")}
	}
	return []Check{loginTokenCheck(ctx, cfg.Profile, session, path, d.credsOK, d.o.Now())}
}

// loginTokenCheck checks the token file path of the console sign-in
// session of profile at now; credsOK says whether the credentials check
// got credentials (then the SDK used or renewed the token).
func loginTokenCheck(ctx context.Context, profile, session, path string, credsOK bool, now time.Time) Check {
	fix := awscreds.ConsoleLoginCommand(profile)
	err := safefile.CheckDir(filepath.Dir(path))
	var t logintoken.Token
	if err == nil {
		t, err = logintoken.Read(path)
	}
	redact.FromContext(ctx).Add(t.Secrets()...)
	at := t.AccessToken.ExpiresAt.UTC().Format(time.RFC3339)
	left := t.AccessToken.ExpiresAt.Sub(now)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fail("login", fmt.Sprintf("no token of the console sign-in session %s: no %s", session, path), fix)
	case errors.Is(err, safefile.ErrUntrusted):
		return fail("login", "the console sign-in token "+err.Error(), "remove it, then run "+fix)
	case err != nil:
		return fail("login", fmt.Sprintf("the token of the console sign-in session %s cannot be used (%s)", session, err), fix)
	case left > 0:
		return ok("login", fmt.Sprintf("the session %s has credentials until %s, in %s; the AWS SDK renews them with its refresh token", session, at, roundDuration(left)))
	case credsOK:
		return ok("login", fmt.Sprintf("the session %s's credentials expired at %s; the AWS SDK renews them when next used", session, at))
	}
	return fail("login", fmt.Sprintf("the session %s has ended: its credentials expired at %s, and its refresh token did not renew them", session, at), fix)
}
