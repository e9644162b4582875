package cli

import (
	"flag"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/git-credential-codecommit/git-credential-codecommit/install"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/failure"
)

var cmdInstall = &command{
	group:     "Set-up and diagnosis",
	name:      "install",
	usageLine: "[--global | --system | --local | --file PATH] [--profile NAME] [--region R] [--url URL] [--rewrite-ssh] [--remote-helper[=DIR]]",
	short:     "make git use this helper for CodeCommit",
	long: `Install makes git use this helper for CodeCommit: a credential section for
every CodeCommit host form (or for the URL prefix --url), which cuts off the
helpers configured before it, runs this binary with --profile and --region,
and sets useHttpPath. It changes git's configuration only by running git
config. Running it again changes nothing; uninstall with the same flags
removes exactly what it wrote.

--rewrite-ssh also rewrites CodeCommit SSH URLs (ssh://, git+ssh:// and
host:path) to https, for the regions given with --region (repeat it) or for
every region. --remote-helper links git-remote-codecommit to this binary,
beside it or in DIR, for codecommit://[PROFILE@]REPO and
codecommit::REGION://[PROFILE@]REPO URLs.`,
	setup: func(c *cli, fs *flag.FlagSet) func([]string) int { return c.installFlags(fs, false) },
}

var cmdUninstall = &command{
	group:     "Set-up and diagnosis",
	name:      "uninstall",
	usageLine: "[same flags as install]",
	short:     "remove what install wrote with the same flags, and nothing else",
	long: `Uninstall removes what install wrote with the same flags: its credential
sections (whatever profile they name), its SSH rewrite rules (for the regions
given, or every region), and with --remote-helper the git-remote-codecommit
link. It leaves every entry it did not write.`,
	setup: func(c *cli, fs *flag.FlagSet) func([]string) int { return c.installFlags(fs, true) },
}

// installCmd is the command line of install, or of uninstall.
type installCmd struct {
	op                    string // "install" or "uninstall"
	o                     install.Options
	global, system, local bool
}

// installFlags defines install's flags, which uninstall shares, and
// returns what runs the command. The helper's --profile and --region,
// given before the command, are the defaults of the command's own: given
// again after it, they replace them.
func (c *cli) installFlags(fs *flag.FlagSet, uninstall bool) func([]string) int {
	ic := &installCmd{op: "install", o: install.Options{Profile: c.getter.Profile}}
	if uninstall {
		ic.op = "uninstall"
	}
	if c.getter.Region != "" {
		ic.o.Regions = []string{c.getter.Region}
	}
	o := &ic.o
	fs.BoolVar(&ic.global, "global", false, "write the user's git configuration (the default)")
	fs.BoolVar(&ic.system, "system", false, "write the system's git configuration")
	fs.BoolVar(&ic.local, "local", false, "write the repository's git configuration")
	fs.StringVar(&o.File, "file", "", "write the git configuration file `PATH`")
	fs.StringVar(&o.Profile, "profile", o.Profile, "the AWS profile `NAME` the helper uses")
	fs.Var(&listFlag{list: &o.Regions}, "region", "the `REGION` for AWS calls (with --rewrite-ssh: a region to rewrite; repeat it)")
	fs.StringVar(&o.URL, "url", "", "a CodeCommit `URL` prefix to configure instead of every CodeCommit host")
	fs.BoolVar(&o.RewriteSSH, "rewrite-ssh", false, "also rewrite CodeCommit SSH URLs to https")
	fs.Var(&dirFlag{on: &o.RemoteHelper, dir: &o.RemoteHelperDir}, "remote-helper", "also link git-remote-codecommit to this binary, beside it or in `DIR`")
	return func(args []string) int { return c.runInstall(ic, args) }
}

// runInstall runs install or uninstall with the command line ic, and the
// arguments args left after its flags.
func (c *cli) runInstall(ic *installCmd, args []string) int {
	o := ic.o
	if len(args) > 0 {
		return c.usageError(fmt.Errorf("%s takes no arguments, got %q", ic.op, args[0]), ic.op+" -h")
	}
	n := 0
	for _, s := range []struct {
		on    bool
		scope install.Scope
	}{{ic.global, install.Global}, {ic.system, install.System}, {ic.local, install.Local}, {o.File != "", install.Path}} {
		if s.on {
			o.Scope = s.scope
			n++
		}
	}
	if n > 1 {
		return c.usageError(fmt.Errorf("give one of --global, --system, --local and --file"), ic.op+" -h")
	}
	if o.RemoteHelperDir != "" {
		dir, err := filepath.Abs(o.RemoteHelperDir)
		if err != nil {
			return c.fail(&failure.Error{Problem: "cannot find the directory " + o.RemoteHelperDir, Cause: failure.Reason(err), Fix: "give --remote-helper an absolute path", Err: err}, 1)
		}
		o.RemoteHelperDir = dir
	}
	var err error
	if o.Binary, err = c.self(); err == nil {
		if ic.op == "uninstall" {
			err = install.Uninstall(c.ctx, o, c.stdout)
		} else {
			err = install.Install(c.ctx, o, c.stdout)
		}
	}
	if err != nil {
		return c.fail(err, 1)
	}
	return 0
}

// listFlag is a flag that may be repeated, each value added to list. The
// first value given replaces what list held before, its default.
type listFlag struct {
	list  *[]string
	given bool
}

func (f *listFlag) String() string {
	if f.list == nil {
		return ""
	}
	return strings.Join(*f.list, ",")
}

func (f *listFlag) Set(s string) error {
	if !f.given {
		*f.list, f.given = nil, true
	}
	*f.list = append(*f.list, s)
	return nil
}

// dirFlag is a flag that may be given alone (--remote-helper) or with a
// directory (--remote-helper=DIR).
type dirFlag struct {
	on  *bool
	dir *string
}

func (f *dirFlag) IsBoolFlag() bool { return true }

func (f *dirFlag) String() string {
	if f.dir == nil {
		return ""
	}
	return *f.dir
}

func (f *dirFlag) Set(s string) error {
	*f.on = true
	if s != "true" {
		*f.dir = s
	}
	return nil
}
