package cli

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/doctor"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/failure"
)

var cmdDoctor = &command{
	group:     "Set-up and diagnosis",
	name:      "doctor",
	usageLine: "[--online] [--json] [--local] [--fix [--yes]] [--profile NAME] [--region R] [URL or remote]",
	short:     "check that a clone would work, and say how to fix what would not",
	long: `Doctor checks that a clone of URL (or of the remote of that name, or of a
repository in the configured region) would work with the configuration git
and the AWS SDK find: the URL, the credential helpers git asks and in which
order, useHttpPath, the AWS credentials, the IAM Identity Center token and
the region, and the project's package managers. It changes nothing unless
--fix, and names the fix for each problem. It exits 1 when a clone would
fail, or a package manager would.

It never runs credential helpers that the repository's own .git/config
names unless --local is given: it lists them instead.

--fix then makes the fixes that touch only your own tool configuration:
install (--rewrite-ssh, --remote-helper), go env -w GOPRIVATE=…, cargo's
net.git-fetch-with-cli in $CARGO_HOME/config.toml, and git config --global
protocol.codecommit.allow always. It prints each change first and asks, on
a terminal, unless --yes; it never edits the project's files, whose fixes it
leaves to you as the report names them.`,
	setup: func(c *cli, fs *flag.FlagSet) func([]string) int {
		o := doctor.Options{Profile: c.getter.Profile, Region: c.getter.Region, FIPSModule: fipsModuleVersion()}
		fs.StringVar(&o.Profile, "profile", o.Profile, "check with the AWS profile `NAME` instead of the helper's")
		fs.StringVar(&o.Region, "region", o.Region, "check with `REGION` instead of the helper's")
		fs.BoolVar(&o.Online, "online", false, "also ask STS who the credentials are, and compare the clock with AWS's")
		fs.BoolVar(&o.Local, "local", false, "also run the credential helpers the repository's own configuration names")
		asJSON := fs.Bool("json", false, "print the report as JSON")
		fix := fs.Bool("fix", false, "then make the fixes of your own tool configuration, after asking")
		yes := fs.Bool("yes", false, "with --fix, make them without asking")
		return func(args []string) int {
			// The URL may come before flags, as in "doctor URL --online".
			if len(args) > 0 {
				o.URL = args[0]
				if err := fs.Parse(args[1:]); err != nil {
					return c.usageError(err, "doctor -h")
				}
				if fs.NArg() > 0 {
					return c.usageError(fmt.Errorf("unexpected argument %q", fs.Arg(0)), "doctor -h")
				}
			}
			if *asJSON && *fix {
				return c.usageError(errors.New("--fix and --json do not go together"), "doctor -h")
			}
			if *yes && !*fix {
				return c.usageError(errors.New("--yes goes with --fix"), "doctor -h")
			}
			// Stopped, doctor stops what it runs (git, the helpers git
			// started, go) and reports what it had found: those commands
			// run in process groups of their own, which a terminal's ^C does
			// not reach.
			ctx, stop := signal.NotifyContext(c.ctx, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
			defer stop()
			r := doctor.Doctor(ctx, o)
			var err error
			if *asJSON {
				enc := json.NewEncoder(c.stdout)
				enc.SetIndent("", "  ")
				err = enc.Encode(r)
			} else {
				err = r.WriteText(c.stdout)
			}
			if err != nil {
				return c.fail(&failure.Error{Problem: "cannot write the report", Cause: failure.Reason(err), Fix: "check where stdout goes", Err: err}, 1)
			}
			if *fix && !r.OK {
				return c.fix(o, r, *yes)
			}
			if !r.OK {
				return 1
			}
			return 0
		}
	},
}
