// Package cli is git-credential-codecommit's command line: a table of
// commands in the style of the go command's, each with its usage line, short
// and long help, its own flags and a run function, one file per command.
// "CMD -h" prints a command's help; flags before the command are the
// credential helper's, which every command that needs AWS credentials takes
// as defaults.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/git-credential-codecommit/git-credential-codecommit/helper"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/failure"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/redact"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/remotehelper"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/safetext"
)

// name is the program's name in messages and help.
const name = "git-credential-codecommit"

// command is one command of the table.
type command struct {
	group     string // the heading it is listed under in the help
	name      string
	usageLine string // the arguments after the name, for the usage line
	short     string // a line for the command list
	long      string // what -h prints after the usage line
	// setup defines the command's flags on fs and returns the function that
	// runs it with the arguments left after them.
	setup func(c *cli, fs *flag.FlagSet) func(args []string) int
}

// commands is the table, in the order of the help. It is filled in by
// init so that the help command can list it.
var commands []*command

func init() {
	commands = []*command{cmdGet, cmdStore, cmdErase, cmdCapability,
		cmdInstall, cmdUninstall, cmdDoctor, cmdLogin, cmdLogout, cmdVersion, cmdHelp}
}

// lookup returns the command called name, or nil.
func lookup(name string) *command {
	for _, c := range commands {
		if c.name == name {
			return c
		}
	}
	return nil
}

// Build is what the build stamped into the binary.
type Build struct {
	Version, Commit, Date string
}

// Main is the whole program: args are os.Args, with the name the program
// was started by first. It returns the exit status.
func Main(b Build, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	c := newCLI(b, stdin, stdout, stderr)
	c.self = func() (string, error) { return selfPath(args[0]) }
	if !startedAsRemoteHelper(runtime.GOOS, args[0]) {
		return c.run(args[1:])
	}
	if len(args) > 1 && args[1] == remotehelper.CredentialHelperFlag {
		return c.run(args[2:])
	}
	self, err := c.self()
	if err == nil {
		var code int
		if code, err = remotehelper.Main(c.ctx, args[1:], self, stdin, stdout, stderr); err == nil {
			return code
		}
	}
	return c.failAs(remotehelper.Name, err, 1)
}

// newCLI is one run of the program. A run is one request: the secrets it
// learns are redacted from everything it prints, and go with it
// (internal/redact).
func newCLI(b Build, stdin io.Reader, stdout, stderr io.Writer) *cli {
	secrets := new(redact.Set)
	return &cli{build: b, stdin: stdin, stdout: stdout, stderr: stderr, now: time.Now, self: func() (string, error) { return selfPath(os.Args[0]) },
		ctx: redact.NewContext(context.Background(), secrets), secrets: secrets}
}

// startedAsRemoteHelper reports whether the program was started, on goos,
// by the name git gives the remote helper of codecommit:// URLs: the link
// install --remote-helper makes.
func startedAsRemoteHelper(goos, arg0 string) bool {
	base := arg0[strings.LastIndex(arg0, "/")+1:]
	if goos == "windows" {
		base = base[strings.LastIndexAny(base, `\:`)+1:]
		base = strings.TrimSuffix(strings.ToLower(base), ".exe")
	}
	return base == "git-remote-codecommit"
}

// cli is one run of the program, with its surroundings.
type cli struct {
	build          Build
	stdin          io.Reader
	stdout, stderr io.Writer
	now            func() time.Time
	self           func() (string, error) // the path install writes into git's configuration
	getter         helper.Getter          // the helper's flags given before the command
	ctx            context.Context        // carries secrets
	secrets        *redact.Set            // what the run learnt, redacted from its output
}

// run parses the helper's flags, the command and its flags, and runs it.
// An unknown command does nothing: git may add operations, and a helper
// must not fail on them.
func (c *cli) run(args []string) int {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	c.getter.DefineFlags(fs)
	showVersion := fs.Bool("version", false, "print the version")
	err := fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		c.usage(c.stdout)
		return 0
	case err != nil:
		return c.usageError(err, "--help")
	case *showVersion:
		return c.printVersion()
	case fs.NArg() == 0:
		return c.usageError(errors.New("no command given"), "--help")
	}
	cmd := lookup(fs.Arg(0))
	if cmd == nil {
		return 0
	}
	cfs := flag.NewFlagSet(cmd.name, flag.ContinueOnError)
	cfs.SetOutput(io.Discard)
	runCmd := cmd.setup(c, cfs)
	err = cfs.Parse(fs.Args()[1:])
	switch {
	case errors.Is(err, flag.ErrHelp):
		c.commandHelp(cmd, cfs)
		return 0
	case err != nil:
		return c.usageError(err, cmd.name+" -h")
	}
	return runCmd(cfs.Args())
}

// usage writes the program's help: what it is, the commands, and the
// helper's flags.
func (c *cli) usage(w io.Writer) {
	fmt.Fprintf(w, `usage: %s [flags] <command> [flags]

A git credential helper for AWS CodeCommit over HTTPS. Set it up once:

  %[1]s install

%s:
`, name, commands[0].group)
	group := commands[0].group
	for _, cmd := range commands {
		if cmd.group != group {
			group = cmd.group
			fmt.Fprintf(w, "\n%s:\n", group)
		}
		fmt.Fprintf(w, "  %-11s %s\n", cmd.name, cmd.short)
	}
	fmt.Fprintf(w, "\nThe credential helper's flags, also taken before any command:\n")
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	new(helper.Getter).DefineFlags(fs)
	fs.SetOutput(w)
	fs.PrintDefaults()
	fmt.Fprintf(w, `
Run "%s <command> -h" for a command's flags. Credentials come from the
standard AWS chain: environment, profiles, IAM Identity Center (SSO),
assume-role, web identity, container credentials and EC2 instance metadata.
`, name)
}

// commandHelp writes cmd's help to stdout.
func (c *cli) commandHelp(cmd *command, fs *flag.FlagSet) {
	fmt.Fprintf(c.stdout, "usage: %s %s\n\n%s\n", name, strings.TrimSpace(cmd.name+" "+cmd.usageLine), strings.TrimSpace(cmd.long))
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	if n > 0 {
		fmt.Fprintf(c.stdout, "\nFlags:\n")
		fs.SetOutput(c.stdout)
		fs.PrintDefaults()
	}
}

// envTrue reports whether the environment variable name is set to a true
// value ("1", "true", ...).
func envTrue(name string) bool {
	v, err := strconv.ParseBool(os.Getenv(name))
	return err == nil && v
}

// usageError reports a command line that does not parse, and where to
// read how it should be.
func (c *cli) usageError(err error, help string) int {
	return c.fail(&failure.Error{Problem: err.Error(), Fix: "see " + name + " " + help}, 2)
}

// fail writes err as the program's one line on stderr and returns code.
func (c *cli) fail(err error, code int) int { return c.failAs(name, err, code) }

// failAs writes err as the one line on stderr of the program called prog,
// and returns code. Every error the program reports passes here, and only
// here is the line made: the text may quote a host, a URL, a profile name,
// a path or a message from AWS, so its secrets are redacted and its control
// characters escaped, which also keeps it on one line; and it is at most
// failure.MaxLine characters, with the fix whole and last (failure.Line).
// With --debug, the error it wraps comes first, whole, on a debug line.
func (c *cli) failAs(prog string, err error, code int) int {
	clean := func(s string) string { return safetext.Clean(c.secrets, s) }
	if e := failure.As(err); e != nil && e.Detail() != "" && (c.getter.Debug || envTrue(helper.DebugEnv)) {
		fmt.Fprintf(c.stderr, "%s: debug: in full: %s\n", prog, clean(e.Detail()))
	}
	fmt.Fprintln(c.stderr, failure.Line(prog+": ", err, clean))
	return code
}

// selfPath is the path this program was started by, arg0, made absolute.
// Symlinks are kept: a package manager's stable link outlives the versioned
// file it points to.
func selfPath(arg0 string) (string, error) {
	p := arg0
	if !strings.ContainsRune(p, os.PathSeparator) && !strings.ContainsRune(p, '/') {
		var err error
		if p, err = exec.LookPath(p); err != nil {
			return "", &failure.Error{Problem: "cannot find this program's path", Cause: failure.OneLine(err), Fix: "run it by its full path", Err: err}
		}
	}
	p, err := filepath.Abs(p)
	if err != nil {
		return "", &failure.Error{Problem: "cannot find this program's path", Cause: failure.OneLine(err), Fix: "run it by its full path", Err: err}
	}
	if strings.Contains(p, string(os.PathSeparator)+"go-build") {
		return "", &failure.Error{Problem: "this program runs from go run's temporary directory, which will be gone",
			Cause: filepath.Dir(p), Fix: "install it first (go install .) and run that copy"}
	}
	return p, nil
}
