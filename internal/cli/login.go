package cli

import (
	"context"
	"flag"
	"fmt"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/login"
)

var cmdLogin = &command{
	group:     "Set-up and diagnosis",
	name:      "login",
	usageLine: "[--profile NAME] [--sso-session NAME] [--no-browser] [--console [--remote] [--region REGION]]",
	short:     "sign in to IAM Identity Center (SSO), or with console credentials",
	long: `Login signs in to IAM Identity Center (SSO) for the profile's session, or for
[sso-session NAME]: it prints a page and a code, opens the page in the
browser, and waits for you to approve. The token goes where the AWS CLI and
SDKs read it (~/.aws/sso/cache). It writes only to stderr.

With --console, login signs in with the credentials you use for the AWS
console, as "aws login" (AWS CLI 2.32+) does: the browser comes back to a
listener on 127.0.0.1, or, with --remote or in an SSH session without a
display, you paste the code the page shows. The session's token goes to
~/.aws/login/cache, and the profile gets login_session (and region, when it
has none); a profile that does not exist is created.`,
	setup: func(c *cli, fs *flag.FlagSet) func([]string) int {
		o := c.loginFlags(fs)
		fs.BoolVar(&o.NoBrowser, "no-browser", false, "print the page, and do not open it")
		return c.defineConsoleFlags(fs).wrap(c, o, c.runLogin("login", o, login.Login))
	},
}

var cmdLogout = &command{
	group:     "Set-up and diagnosis",
	name:      "logout",
	usageLine: "[--profile NAME] [--sso-session NAME]",
	short:     "remove a session's token and the credentials cached from it",
	long: `Logout removes the IAM Identity Center token of the profile's session, or of
[sso-session NAME], and the role credentials cached from it (this program's
and the AWS CLI's), which would stay valid at AWS until they expire. The
token is not revoked at IAM Identity Center. For a profile with
login_session (login --console), it removes that session's token file and
the credentials this program cached from it.`,
	setup: func(c *cli, fs *flag.FlagSet) func([]string) int {
		return c.runLogin("logout", c.loginFlags(fs), login.Logout)
	},
}

// loginFlags defines the flags login and logout share.
func (c *cli) loginFlags(fs *flag.FlagSet) *login.Options {
	o := &login.Options{Profile: c.getter.Profile, Stderr: c.stderr}
	fs.StringVar(&o.Profile, "profile", o.Profile, "the AWS profile `NAME` whose IAM Identity Center session to use")
	fs.StringVar(&o.Session, "sso-session", "", "the [sso-session `NAME`] to use, instead of a profile's")
	return o
}

// runLogin returns what runs login or logout. Both write only to stderr:
// what they say is for the person at the terminal, and stdout stays empty.
func (c *cli) runLogin(op string, o *login.Options, f func(context.Context, login.Options) error) func([]string) int {
	return func(args []string) int {
		if len(args) > 0 {
			return c.usageError(fmt.Errorf("%s takes no arguments, got %q", op, args[0]), op+" -h")
		}
		if err := f(c.ctx, *o); err != nil {
			return c.fail(err, 1)
		}
		return 0
	}
}
