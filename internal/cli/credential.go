package cli

import (
	"flag"
	"fmt"
	"strings"

	"github.com/git-credential-codecommit/git-credential-codecommit/helper"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/codecommit"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/failure"
)

// The operations git runs: https://git-scm.com/docs/gitcredentials#_custom_helpers.
// Their flags are the helper's own, which may also come before the
// operation, as with the AWS CLI's "credential-helper get": git appends the
// operation to the configured command.

var cmdGet = &command{
	group:     "Commands git runs (the credential helper protocol)",
	name:      "get",
	usageLine: "[flags] < request",
	short:     "print a username and SigV4 password for the request on stdin",
	long: `Get reads git's credential request on stdin and, for a CodeCommit host over
https, prints a username and a password signed with SigV4 from the AWS
credentials the standard chain finds. For other hosts, and for plain http, it
prints nothing, so that git asks its next helper. Git runs it; to see what it
does, run:

  printf 'url=` + codecommit.ExampleURL + `\n' | git-credential-codecommit --debug get`,
	setup: func(c *cli, fs *flag.FlagSet) func([]string) int {
		c.getter.DefineFlags(fs)
		return c.get
	},
}

var cmdStore = &command{
	group: "Commands git runs (the credential helper protocol)",
	name:  "store",
	short: "do nothing: passwords are signed afresh every time",
	long: `Store does nothing: every get signs a new password, so there is nothing to
keep. Git sends a request on stdin; it is not read.`,
	setup: credentialNoOp,
}

var cmdErase = &command{
	group: "Commands git runs (the credential helper protocol)",
	name:  "erase",
	short: "do nothing: nothing is ever stored",
	long:  `Erase does nothing: nothing is ever stored.`,
	setup: credentialNoOp,
}

var cmdCapability = &command{
	group: "Commands git runs (the credential helper protocol)",
	name:  "capability",
	short: "print the capabilities git 2.46+ asks helpers for",
	long: `Capability prints the credential format version this helper speaks, and none
of the optional capabilities (authtype, state): a username and password is
all CodeCommit takes. See https://git-scm.com/docs/git-credential#CAPA-IOFMT.`,
	setup: func(c *cli, fs *flag.FlagSet) func([]string) int {
		c.getter.DefineFlags(fs)
		return func([]string) int {
			fmt.Fprintln(c.stdout, "version 0")
			return 0
		}
	},
}

// credentialNoOp is the set-up of store and erase, which take the helper's
// flags (git passes them) and do nothing.
func credentialNoOp(c *cli, fs *flag.FlagSet) func([]string) int {
	c.getter.DefineFlags(fs)
	return func([]string) int { return 0 }
}

// get answers git's get.
func (c *cli) get([]string) int {
	if helper.Probed() {
		// doctor is tracing which helpers git runs: answer nothing, so that
		// git goes on to the next, touch no credentials, and say who we are.
		helper.ReadRequest(c.stdin)
		return helper.ProbeExit
	}
	g := c.getter
	g.Stderr, g.Now = c.stderr, c.now
	g.Debug = g.Debug || envTrue(helper.DebugEnv)
	g.NoCache = g.NoCache || envTrue(helper.NoCacheEnv)
	req, err := helper.ReadRequest(c.stdin)
	if err != nil {
		// Git writes requests right, but may pass on a URL as it was given.
		fix := "send git's credential format: see git help credential"
		if strings.Contains(err.Error(), "url=") {
			fix = "check the repository's URL"
		}
		return c.fail(&failure.Error{Problem: err.Error(), Fix: fix}, 1)
	}
	if err := g.Get(c.ctx, req, c.stdout); err != nil {
		return c.fail(err, 1)
	}
	return 0
}
