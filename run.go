package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/git-credential-codecommit/git-credential-codecommit/helper"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3".
var version string

const usage = `usage: git-credential-codecommit [flags] <operation>

A git credential helper for AWS CodeCommit over HTTPS. Git runs it; you
configure it once:

  git config --global credential.https://git-codecommit.*.amazonaws.com.helper ''
  git config --global --add credential.https://git-codecommit.*.amazonaws.com.helper codecommit
  git config --global credential.https://git-codecommit.*.amazonaws.com.useHttpPath true

Operations (git's credential helper protocol):
  get         print a username and SigV4 password for the request on stdin
  store       do nothing: passwords are signed afresh every time
  erase       do nothing: nothing is ever stored
  capability  print the capabilities git 2.46+ asks helpers for

Other operations:
  version     print the version
  help        print this help

Flags:
  --profile NAME       use this AWS profile (default: AWS_PROFILE, then "default")
  --region REGION      sign for REGION when the host names none
  --ignore-host-check  sign for any https host, not only CodeCommit's
  --debug              explain the signing on stderr (or GIT_CREDENTIAL_CODECOMMIT_DEBUG=1)
  --version            print the version
  --help               print this help

Credentials come from the standard AWS chain: environment, profiles, IAM
Identity Center (SSO), assume-role, web identity, container credentials and
EC2 instance metadata.
`

// run is the whole program with its surroundings passed in: arguments
// without the program name, the standard streams, and the environment.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	return cli{stdin: stdin, stdout: stdout, stderr: stderr, getenv: getenv, now: time.Now}.run(args)
}

type cli struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	now            func() time.Time
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
	fs.BoolVar(&g.Debug, "debug", false, "")
	fs.BoolVar(&showVer, "version", false, "")

	// Flags may come before the operation (git appends it to the configured
	// command) or after it, as with the AWS CLI's "credential-helper get".
	op, err := parse(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(c.stdout, usage)
		return 0
	}
	if err != nil {
		return c.fail(fmt.Errorf("%v; see git-credential-codecommit --help", err), 2)
	}
	if v, err := strconv.ParseBool(c.getenv("GIT_CREDENTIAL_CODECOMMIT_DEBUG")); err == nil && v {
		g.Debug = true
	}
	if showVer {
		op = "version"
	}

	switch op {
	case "get":
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
		fmt.Fprintln(c.stdout, "git-credential-codecommit", buildVersion())
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

// parse reads flags, the operation, and flags after the operation.
func parse(fs *flag.FlagSet, args []string) (op string, err error) {
	if err := fs.Parse(args); err != nil {
		return "", err
	}
	if fs.NArg() == 0 {
		return "", nil
	}
	op = fs.Arg(0)
	if err := fs.Parse(fs.Args()[1:]); err != nil {
		return "", err
	}
	return op, nil
}

func (c cli) fail(err error, code int) int {
	fmt.Fprintf(c.stderr, "git-credential-codecommit: %v\n", err)
	return code
}

func buildVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}
