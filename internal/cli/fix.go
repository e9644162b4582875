package cli

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strings"

	"github.com/git-credential-codecommit/git-credential-codecommit/install"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/change"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/doctor"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/failure"
)

// fix is doctor --fix after the report r of a run with o: it prints the
// changes to the user's tool configuration that fix r's failures, asks
// (unless yes), makes them, says what changed, and runs doctor again for
// its verdict, which is the exit status. Failures with no such change are
// left to the user, as the report names them.
func (c *cli) fix(o doctor.Options, r doctor.Report, yes bool) int {
	cs := r.Changes()
	if len(cs) == 0 {
		fmt.Fprintf(c.stdout, "doctor --fix: nothing of your tool configuration to change; the fixes above are yours to make\n")
		return 1
	}
	fmt.Fprintf(c.stdout, "doctor --fix will:\n")
	for _, ch := range cs {
		fmt.Fprintf(c.stdout, "  %s\n", ch.String(name))
	}
	if !yes {
		if !isTerminal(c.stdin) {
			fmt.Fprintf(c.stdout, "nothing changed: not on a terminal to ask; run doctor --fix --yes to make these changes\n")
			return 1
		}
		fmt.Fprintf(c.stdout, "make these changes? [y/N] ")
		answer, _ := bufio.NewReader(c.stdin).ReadString('\n')
		if a := strings.ToLower(strings.TrimSpace(answer)); a != "y" && a != "yes" {
			fmt.Fprintf(c.stdout, "nothing changed\n")
			return 1
		}
	}
	for _, ch := range cs {
		changed, err := c.apply(o, ch)
		if err != nil {
			return c.fail(&failure.Error{Problem: "doctor --fix could not make the change " + ch.String(name), Cause: failure.Reason(err),
				Fix: "make it yourself, then run doctor again", Err: err}, 1)
		}
		if ch.Kind == change.Install {
			continue // install said what it wrote
		}
		if changed {
			fmt.Fprintf(c.stdout, "changed: %s\n", ch.String(name))
		} else {
			fmt.Fprintf(c.stdout, "already so: %s\n", ch.String(name))
		}
	}
	again := doctor.Doctor(c.ctx, o)
	var text bytes.Buffer
	again.WriteText(&text)
	lines := strings.Split(strings.TrimSpace(text.String()), "\n")
	fmt.Fprintf(c.stdout, "after the changes, %s\n", lines[len(lines)-1])
	if !again.OK {
		return 1
	}
	return 0
}

// apply makes ch: install through the install package, the rest through
// ch itself, in o's directory and environment.
func (c *cli) apply(o doctor.Options, ch change.Change) (bool, error) {
	if ch.Kind != change.Install {
		return ch.Apply(c.ctx, o.Dir, o.Env)
	}
	self, err := c.self()
	if err != nil {
		return false, err
	}
	io := install.Options{Binary: self, Profile: ch.Profile, RewriteSSH: ch.RewriteSSH, RemoteHelper: ch.RemoteHelper, Dir: o.Dir, Env: o.Env}
	if ch.Region != "" {
		io.Regions = []string{ch.Region}
	}
	return true, install.Install(c.ctx, io, c.stdout)
}

// isTerminal reports whether r is a terminal, to ask on.
func isTerminal(r any) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
