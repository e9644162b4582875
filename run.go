package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/git-credential-codecommit/git-credential-codecommit/helper"
	"github.com/git-credential-codecommit/git-credential-codecommit/install"
	"github.com/git-credential-codecommit/git-credential-codecommit/remote"
)

const usage = `usage: git-credential-codecommit [flags] <operation>

A git credential helper for AWS CodeCommit over HTTPS. Set it up once:

  git-credential-codecommit install

Operations git runs (the credential helper protocol):
  get         print a username and SigV4 password for the request on stdin
  store       do nothing: passwords are signed afresh every time
  erase       do nothing: nothing is ever stored
  capability  print the capabilities git 2.46+ asks helpers for

Flags of git's operations:
  --profile NAME       use this AWS profile (default: AWS_PROFILE, then "default")
  --region REGION      region for AWS calls, and for signing when the host names none
  --ignore-host-check  sign for any https host, not only CodeCommit's
  --no-cache           do not share role credentials between runs
                       (or GIT_CREDENTIAL_CODECOMMIT_NO_CACHE=1)
  --debug              explain the signing on stderr (or GIT_CREDENTIAL_CODECOMMIT_DEBUG=1)

Set-up and diagnosis:
  install [--global | --system | --local | --file PATH] [--profile NAME] [--region R] [--url URL]
              make git use this helper for CodeCommit: a section per CodeCommit
              host form (or for the URL prefix --url) that cuts off other
              helpers, runs this binary with --profile/--region, and sets
              useHttpPath; running it again changes nothing
  install --rewrite-ssh [--region R]...
              also rewrite CodeCommit SSH URLs (ssh://, git+ssh://, host:path)
              to HTTPS, for the regions given or every region
  install --remote-helper[=DIR]
              also link git-remote-codecommit to this binary, beside it or in
              DIR, for git-remote-codecommit's codecommit://[PROFILE@]REPO and
              codecommit::REGION://[PROFILE@]REPO URLs
  uninstall [same flags]
              remove what install wrote with the same flags, and nothing else
  doctor [--online] [--json] [--profile NAME] [--region R] [URL or remote]
              check that a clone of URL would work, and say how to fix what
              would not; --online also asks STS who the credentials are and
              compares the clock with AWS's
  login [--profile NAME] [--sso-session NAME] [--no-browser]
              sign in to IAM Identity Center (SSO) for the profile's
              session, or for [sso-session NAME]: approve the code it
              prints on the page it opens; the token goes where the AWS
              CLI and SDKs read it
  logout [--profile NAME] [--sso-session NAME]
              remove that session's token and the role credentials cached
              from it

Other:
  version, --version  print the version, commit, date, Go version and
                      whether FIPS 140-3 mode is on
  help, --help        print this help

Credentials come from the standard AWS chain: environment, profiles, IAM
Identity Center (SSO), assume-role, web identity, container credentials and
EC2 instance metadata.
`

// run is the whole program with its surroundings passed in: the name it was
// started by, the arguments, the standard streams, and the environment.
func run(name string, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	c := cli{stdin: stdin, stdout: stdout, stderr: stderr, getenv: getenv, now: time.Now, self: selfPath}
	base := strings.TrimSuffix(filepath.Base(name), ".exe")
	if base != "git-remote-codecommit" {
		return c.run(args)
	}
	if len(args) > 0 && args[0] == remote.CredentialHelperFlag {
		return c.run(args[1:])
	}
	self, err := c.self()
	if err != nil {
		return c.fail(err, 1)
	}
	return remote.Main(context.Background(), args, self, stdin, stdout, stderr)
}

type cli struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	now            func() time.Time
	self           func() (string, error) // the path install writes into git's configuration
}

// selfPath is the path this program was started by, made absolute. Symlinks
// are kept: a package manager's stable link outlives the versioned file it
// points to.
func selfPath() (string, error) {
	p := os.Args[0]
	if !strings.ContainsRune(p, os.PathSeparator) && !strings.ContainsRune(p, '/') {
		var err error
		if p, err = exec.LookPath(p); err != nil {
			return "", fmt.Errorf("cannot find this program's path: %v", err)
		}
	}
	p, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	if strings.Contains(p, string(os.PathSeparator)+"go-build") {
		return "", fmt.Errorf("this program runs from go run's temporary directory (%s), which will be gone; install it first (go install .) and run that copy", filepath.Dir(p))
	}
	return p, nil
}

func (c cli) run(args []string) int {
	fs := flag.NewFlagSet("git-credential-codecommit", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	var (
		g       = helper.Getter{Stderr: c.stderr, Now: c.now}
		showVer bool
	)
	fs.StringVar(&g.Profile, "profile", "", "")
	fs.StringVar(&g.Region, "region", "", "")
	fs.BoolVar(&g.IgnoreHostCheck, "ignore-host-check", false, "")
	fs.BoolVar(&g.NoCache, "no-cache", false, "")
	fs.BoolVar(&g.Debug, "debug", false, "")
	fs.BoolVar(&showVer, "version", false, "")

	err := fs.Parse(args)
	op, rest := fs.Arg(0), fs.Args()
	if len(rest) > 0 {
		rest = rest[1:]
	}
	switch {
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprint(c.stdout, usage)
		return 0
	case err != nil:
		return c.usageError(err)
	case op == "install" || op == "uninstall":
		return c.install(op, g.Profile, g.Region, rest)
	case op == "doctor":
		return c.doctor(g.Profile, g.Region, rest)
	case op == "login" || op == "logout":
		return c.login(op, g.Profile, rest)
	}
	// Flags may also follow a credential operation, as with the AWS CLI's
	// "credential-helper get": git appends the operation to the configured
	// command.
	if err := fs.Parse(rest); err != nil {
		return c.usageError(err)
	}
	if c.envTrue("GIT_CREDENTIAL_CODECOMMIT_DEBUG") {
		g.Debug = true
	}
	if c.envTrue("GIT_CREDENTIAL_CODECOMMIT_NO_CACHE") {
		g.NoCache = true
	}
	if showVer {
		op = "version"
	}

	switch op {
	case "get":
		if c.getenv(install.ProbeEnv) != "" {
			// doctor is tracing which helpers git runs: answer nothing, so
			// that git goes on to the next, and touch no credentials.
			helper.ReadRequest(c.stdin)
			return 0
		}
		if err := g.Serve(context.Background(), c.stdin, c.stdout); err != nil {
			return c.fail(err, 1)
		}
	case "store", "erase":
		// Nothing is stored: every get signs afresh. Git sends a request on
		// stdin; it is not read, and exiting without reading is fine for git.
	case "capability":
		// https://git-scm.com/docs/git-credential#CAPA-IOFMT: we speak the
		// format, and support none of the optional capabilities (authtype,
		// state): a username and password is all CodeCommit takes.
		fmt.Fprintln(c.stdout, "version 0")
	case "version":
		fmt.Fprint(c.stdout, versionReport())
	case "help":
		fmt.Fprint(c.stdout, usage)
	case "":
		fmt.Fprint(c.stderr, usage)
		return 2
	default:
		// Unknown operations are no-ops: git may add new ones, and a helper
		// must not fail on them.
	}
	return 0
}

// install runs install or uninstall with the flags that follow it.
func (c cli) install(op, profile, region string, args []string) int {
	fs := flag.NewFlagSet(op, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	o := install.Options{Profile: profile}
	if region != "" {
		o.Regions = []string{region}
	}
	var global, system, local bool
	fs.BoolVar(&global, "global", false, "")
	fs.BoolVar(&system, "system", false, "")
	fs.BoolVar(&local, "local", false, "")
	fs.StringVar(&o.File, "file", "", "")
	fs.StringVar(&o.Profile, "profile", o.Profile, "")
	fs.Func("region", "", func(r string) error { o.Regions = append(o.Regions, r); return nil })
	fs.StringVar(&o.URL, "url", "", "")
	fs.BoolVar(&o.RewriteSSH, "rewrite-ssh", false, "")
	fs.Var(&dirFlag{on: &o.RemoteHelper, dir: &o.RemoteHelperDir}, "remote-helper", "")
	if err := fs.Parse(args); err != nil {
		return c.usageError(err)
	}
	if fs.NArg() > 0 {
		return c.usageError(fmt.Errorf("%s takes no arguments, got %q", op, fs.Arg(0)))
	}
	scopes := map[string]bool{"--global": global, "--system": system, "--local": local, "--file": o.File != ""}
	for s, on := range scopes {
		if on {
			if o.Scope != "" {
				return c.usageError(errors.New("give one of --global, --system, --local and --file"))
			}
			o.Scope = s
		}
	}
	if o.RemoteHelperDir != "" {
		dir, err := filepath.Abs(o.RemoteHelperDir)
		if err != nil {
			return c.fail(err, 1)
		}
		o.RemoteHelperDir = dir
	}
	var err error
	if o.Binary, err = c.self(); err == nil {
		if op == "install" {
			err = install.Install(context.Background(), o, c.stdout)
		} else {
			err = install.Uninstall(context.Background(), o, c.stdout)
		}
	}
	if err != nil {
		return c.fail(err, 1)
	}
	return 0
}

// doctor runs doctor with the flags and URL that follow it.
func (c cli) doctor(profile, region string, args []string) int {
	fs := flag.NewFlagSet("doctor", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	o := install.DoctorOptions{Profile: profile, Region: region}
	var asJSON bool
	fs.StringVar(&o.Profile, "profile", o.Profile, "")
	fs.StringVar(&o.Region, "region", o.Region, "")
	fs.BoolVar(&o.Online, "online", false, "")
	fs.BoolVar(&asJSON, "json", false, "")
	url, err := parse(fs, args)
	if err != nil {
		return c.usageError(err)
	}
	o.URL = url
	r := install.Doctor(context.Background(), o)
	if asJSON {
		enc := json.NewEncoder(c.stdout)
		enc.SetIndent("", "  ")
		enc.Encode(r)
	} else {
		r.WriteText(c.stdout)
	}
	if !r.OK {
		return 1
	}
	return 0
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

// parse reads flags, one argument, and flags after the argument.
func parse(fs *flag.FlagSet, args []string) (arg string, err error) {
	if err := fs.Parse(args); err != nil {
		return "", err
	}
	if fs.NArg() == 0 {
		return "", nil
	}
	arg = fs.Arg(0)
	if err := fs.Parse(fs.Args()[1:]); err != nil {
		return "", err
	}
	if fs.NArg() > 0 {
		return "", fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return arg, nil
}

// envTrue reports whether the environment variable name is set to a true
// value ("1", "true", ...).
func (c cli) envTrue(name string) bool {
	v, err := strconv.ParseBool(c.getenv(name))
	return err == nil && v
}

func (c cli) usageError(err error) int {
	return c.fail(fmt.Errorf("%v; see git-credential-codecommit --help", err), 2)
}

func (c cli) fail(err error, code int) int {
	fmt.Fprintf(c.stderr, "git-credential-codecommit: %v\n", err)
	return code
}
