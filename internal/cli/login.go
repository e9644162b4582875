package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/login"
)

var cmdLogin = &command{
	group:     "Set-up and diagnosis",
	name:      "login",
	usageLine: "[--profile NAME] [--sso-session NAME] [--no-browser] [--use-device-code] [--start-url URL --sso-region R [--account-id ID] [--role-name NAME]] [--console [--remote] [--region REGION]]",
	short:     "sign in to IAM Identity Center (SSO), creating the profile with --start-url, or with console credentials",
	long: `Login signs in to IAM Identity Center (SSO) for the profile's session, or for
[sso-session NAME]: it opens a page in the browser, where you approve, and
the browser comes back to this program on 127.0.0.1. With --use-device-code
(chosen by itself in an SSH session with no display), you approve a code on
a page you may open on any device. The token goes where the AWS CLI and SDKs
read it (~/.aws/sso/cache). It writes only to stderr.

With --start-url and --sso-region it creates the profile, as "aws configure
sso" does: it signs in, picks the account and role (--account-id,
--role-name; the only one, or yours from a list at a terminal), and writes
[sso-session NAME] (NAME defaults to the profile's) and the profile to
~/.aws/config, changing nothing else there.

With --console, login signs in with the credentials you use for the AWS
console, as "aws login" (AWS CLI 2.32+) does: the browser comes back to a
listener on 127.0.0.1, or, with --remote or in an SSH session without a
display, you paste the code the page shows. The session's token goes to
~/.aws/login/cache, and the profile gets login_session (and region, when it
has none); a profile that does not exist is created.`,
	setup: func(c *cli, fs *flag.FlagSet) func([]string) int {
		o := c.loginFlags(fs)
		fs.BoolVar(&o.NoBrowser, "no-browser", false, "print the page, and do not open it")
		fs.BoolVar(&o.UseDeviceCode, "use-device-code", false, "approve a code on a page you may open on any device")
		fs.StringVar(&o.Create.StartURL, "start-url", "", "create the profile: the AWS access portal `URL`")
		fs.StringVar(&o.Create.Region, "sso-region", "", "create the profile: IAM Identity Center's `REGION`")
		fs.StringVar(&o.Create.AccountID, "account-id", "", "create the profile: the account `ID` it uses")
		fs.StringVar(&o.Create.RoleName, "role-name", "", "create the profile: the role (permission set) `NAME` it uses")
		o.Create.Stdin, o.Create.Interactive = c.stdin, terminal(c.stdin)
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

// terminal reports whether r is a terminal (a character device).
func terminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
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
