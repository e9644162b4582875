package cli

import (
	"errors"
	"flag"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/login"
)

// consoleFlags are login's flags for a console sign-in (login --console).
type consoleFlags struct {
	console, remote bool
	region          string
}

// defineConsoleFlags defines them on fs.
func (c *cli) defineConsoleFlags(fs *flag.FlagSet) *consoleFlags {
	f := &consoleFlags{region: c.getter.Region}
	fs.BoolVar(&f.console, "console", false, "sign in with your AWS console credentials (AWS Sign-In, as aws login), creating the profile if needed")
	fs.BoolVar(&f.remote, "remote", false, "with --console: sign in on another device, and paste the code it shows")
	fs.StringVar(&f.region, "region", f.region, "with --console: the `REGION` of AWS Sign-In, written into a profile that has none")
	return f
}

// wrap returns what runs login: a console sign-in with --console, else
// run.
func (f *consoleFlags) wrap(c *cli, o *login.Options, run func([]string) int) func([]string) int {
	return func(args []string) int {
		if !f.console {
			if f.remote || f.region != c.getter.Region {
				return c.usageError(errors.New("--remote and --region go with --console"), "login -h")
			}
			return run(args)
		}
		if len(args) > 0 || o.Session != "" {
			return c.usageError(errors.New("login --console takes a profile, not an argument or an sso-session"), "login -h")
		}
		err := login.Console(c.ctx, login.ConsoleOptions{Profile: o.Profile, Region: f.region, Remote: f.remote, NoBrowser: o.NoBrowser, Stdin: c.stdin, Stderr: c.stderr})
		if err != nil {
			return c.fail(err, 1)
		}
		return 0
	}
}
