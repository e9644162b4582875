package doctor

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/git-credential-codecommit/git-credential-codecommit/helper"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/change"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/gitconfig"
)

// helperKind is what doctor knows of a credential helper.
type helperKind int

const (
	otherHelper   helperKind = iota
	ourHelper                // git-credential-codecommit, whatever its file is called
	awsCLIHelper             // aws codecommit credential-helper
	storingHelper            // a helper that stores passwords: store, cache, keychains
)

// storingHelpers are the names of the credential helpers that keep the
// passwords git gives them.
var storingHelpers = []string{"store", "cache", "osxkeychain", "manager", "manager-core", "wincred", "libsecret", "gnome-keyring"}

// credHelper is one credential helper git asked.
type credHelper struct {
	command string   // the command git ran, without " get"
	name    string   // "codecommit", "store", …, or the program's base name
	program string   // the program's path or name as configured
	args    []string // the words after the program
	kind    helperKind
	exit    int // the exit status of its get
}

// classifyHelper tells which helper a command git ran (without " get") is,
// from the command alone. Git runs a helper configured by name as
// "git credential-NAME ARGS", and one configured by path or with "!"
// through the shell as written. identify then looks at how it ran.
func classifyHelper(command string) credHelper {
	h := credHelper{command: command}
	words := shellWords(command)
	if len(words) == 0 {
		return h
	}
	isGitHelper := false // the program is git-credential-NAME
	if len(words) >= 2 && words[0] == "git" && strings.HasPrefix(words[1], "credential-") {
		h.name, h.args, isGitHelper = strings.TrimPrefix(words[1], "credential-"), words[2:], true
		h.program = "git-" + words[1]
	} else {
		base := strings.TrimSuffix(words[0][strings.LastIndexAny(words[0], `/\`)+1:], ".exe")
		h.name, h.program, h.args = base, words[0], words[1:]
		if n, ok := strings.CutPrefix(base, "git-credential-"); ok {
			h.name, isGitHelper = n, true
		}
	}
	switch {
	case isGitHelper && h.name == "codecommit":
		h.kind = ourHelper
	case isGitHelper && slices.Contains(storingHelpers, h.name):
		h.kind = storingHelper
	case h.name == "aws" && slices.Contains(h.args, "codecommit") && slices.Contains(h.args, "credential-helper"):
		h.kind = awsCLIHelper
	}
	return h
}

// identify recognises this program among the helpers git ran, whatever
// its file is called (git-credential-codecommit-v2, a release archive's
// name, …): its get answers the probe with helper.ProbeExit, and a helper
// configured by absolute path may be this very executable.
func identify(h credHelper) credHelper {
	switch {
	case h.exit == helper.ProbeExit:
		h.kind = ourHelper
	case h.kind != ourHelper && filepath.IsAbs(h.program) && sameFile(h.program, selfExecutable()):
		h.kind = ourHelper
	}
	return h
}

// selfExecutable is the path of the running program, or "".
func selfExecutable() string {
	p, err := os.Executable()
	if err != nil {
		return ""
	}
	return p
}

// sameFile reports whether a and b name the same existing file. Unlike
// install's, which must tell a missing file from a failure before it
// replaces one, any failure here just means no: the probe's exit status
// identifies this program anyway.
func sameFile(a, b string) bool {
	if a == "" || b == "" {
		return false
	}
	fa, err1 := os.Stat(a)
	fb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(fa, fb)
}

// shellWords splits a command line into words the way the POSIX shell
// does, for the single and double quotes and backslashes git's helper lines
// use. Shell syntax beyond that stays in the words.
func shellWords(s string) []string {
	var (
		words  []string
		w      strings.Builder
		inWord bool
	)
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == ' ' || c == '\t' || c == '\n':
			if inWord {
				words, inWord = append(words, w.String()), false
				w.Reset()
			}
			continue
		case c == '\'':
			end := strings.IndexByte(s[i+1:], '\'')
			if end < 0 {
				end = len(s) - i - 1
			}
			w.WriteString(s[i+1 : i+1+end])
			i += end + 1
		case c == '"':
			for i++; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' && i+1 < len(s) && strings.IndexByte("$`\"\\\n", s[i+1]) >= 0 {
					i++
				}
				w.WriteByte(s[i])
			}
		case c == '\\' && i+1 < len(s):
			i++
			w.WriteByte(s[i])
		default:
			w.WriteByte(c)
		}
		inWord = true
	}
	if inWord {
		words = append(words, w.String())
	}
	return words
}

// showOrigin is the command that finds where credential helpers are set.
const showOrigin = `git config --show-origin --get-regexp '^credential\..*helper$'`

// checkHelpers runs the probe for the URL the url check found, checks the
// helpers git asks, and notes the helper's flags.
func (d *doctor) checkHelpers(ctx context.Context) []Check {
	if why := d.noProbe(); why != "" {
		return []Check{skip("helper", why)}
	}
	p, err := runProbe(ctx, d.o, d.target)
	d.probe, d.probed = p, err == nil
	checks, flags := checkHelpers(p, err, d.target, d.version)
	d.flags = flags
	d.mu.Lock()
	d.installFlags = flags
	d.mu.Unlock()
	return checks
}

// withInstall is c, whose fix is install, with that as its change.
func withInstall(c Check) Check {
	c.Changes = []change.Change{{Kind: change.Install}}
	return c
}

// noProbe says why the probe cannot run, or "".
func (d *doctor) noProbe() string {
	switch {
	case d.remote:
		return "git-remote-codecommit gives git this helper for codecommit:// URLs itself"
	case !d.gitOK:
		return "git does not run"
	case d.target == "":
		return "no CodeCommit URL to check"
	}
	return ""
}

// checkHelpers checks, from the probe p (or the error that stopped it),
// that git asks this helper first for rawURL, and warns of helpers asked
// after it. It returns the helper's flags as its command line sets them.
func checkHelpers(p probe, err error, rawURL string, git gitconfig.Version) ([]Check, helper.Getter) {
	if err != nil {
		return []Check{fail("helper", fmt.Sprintf("cannot see which credential helpers git asks for %s: %v", rawURL, err),
			"check that git credential fill runs here")}, helper.Getter{}
	}
	chain := describeChain(p)
	i := slices.IndexFunc(p.helpers, func(h credHelper) bool { return h.kind == ourHelper })
	var c Check
	switch {
	case i < 0:
		detail := fmt.Sprintf("git does not ask %s for %s; %s", ourName, rawURL, chain)
		if slices.ContainsFunc(p.helpers, func(h credHelper) bool { return h.kind == awsCLIHelper }) {
			detail += "; the AWS CLI's helper it asks takes about half a second a call, and " + ourName + " replaces it"
		}
		return []Check{withInstall(fail("helper", detail, ourName+" install"))}, helper.Getter{}
	case i > 0:
		c = withInstall(fail("helper", fmt.Sprintf("git asks %s before %s for %s: %s; %s", commands(p.helpers[:i]), ourName, rawURL, beforeReason(p.helpers[:i]), chain),
			ourName+` install (its empty "helper =" cuts off the helpers configured before it)`))
	case p.helpers[0].exit != 0 && p.helpers[0].exit != helper.ProbeExit:
		c = withInstall(fail("helper", fmt.Sprintf("git asks %s first for %s, but %q exited with status %d: git cannot run it as configured; %s", ourName, rawURL, p.helpers[0].command, p.helpers[0].exit, chain),
			ourName+" install (it writes this binary's absolute path)"))
	default:
		c = ok("helper", fmt.Sprintf("git asks %s first for %s; %s", ourName, rawURL, chain))
	}
	checks := append([]Check{c}, checkHelpersAfter(p.helpers[i+1:], p.answered, git)...)
	g, _, _ := helper.ParseArgs(p.helpers[i].args)
	return checks, g
}

// checkHelpersAfter warns of helpers git asks after this one that store
// passwords or are the AWS CLI's. answered says the last of them answered
// with a password. A storing helper matters more before git 2.40, which
// does not tell it when a password expires.
func checkHelpersAfter(after []credHelper, answered bool, git gitconfig.Version) []Check {
	var checks []Check
	for j, h := range after {
		switch h.kind {
		case storingHelper:
			detail := fmt.Sprintf("%s, asked after %s, will store CodeCommit passwords", h.command, ourName)
			fix := "remove it for CodeCommit hosts; find where it is set with: " + showOrigin
			switch {
			case h.name == "store":
				detail += " and keep them after they expire: should " + ourName + " give no password, git sends the stored one and CodeCommit answers 403"
			case !git.AtLeast(gitconfig.PasswordExpiry):
				detail += fmt.Sprintf(" and keep them after they expire, since git %s does not pass on password_expiry_utc (git %s+ does): should %s give no password, git sends the stored one and CodeCommit answers 403", git, gitconfig.PasswordExpiry, ourName)
				fix += "; or upgrade git to " + gitconfig.PasswordExpiry.String() + " or newer"
			}
			if answered && j == len(after)-1 {
				detail += "; it holds one for this URL now"
			}
			checks = append(checks, warn("helper", detail, fix))
		case awsCLIHelper:
			checks = append(checks, warn("helper", fmt.Sprintf("the AWS CLI's helper (%s) is asked after %s; it runs only when %s gives no password, takes about half a second a call, and %s replaces it", h.command, ourName, ourName, ourName),
				"remove it; find where it is set with: "+showOrigin))
		}
	}
	return checks
}

// beforeReason says why helpers asked before this one break CodeCommit.
func beforeReason(before []credHelper) string {
	switch {
	case slices.ContainsFunc(before, func(h credHelper) bool { return h.kind == storingHelper }):
		return "a storing helper answers first with the password it stored, which expires after about 15 minutes, and CodeCommit answers an expired password with 403, which never makes git forget it"
	case slices.ContainsFunc(before, func(h credHelper) bool { return h.kind == awsCLIHelper }):
		return "the AWS CLI's helper answers first, taking about half a second a call; " + ourName + " replaces it"
	}
	return "a helper asked first answers with its own credentials, and " + ourName + " is never asked"
}

// describeChain lists the helpers git asks, in order.
func describeChain(p probe) string {
	if len(p.helpers) == 0 {
		return "git asks no credential helper for it"
	}
	s := "helpers git asks, in order: " + commands(p.helpers)
	if p.answered {
		s += fmt.Sprintf(" (%s answered with a password, so git asked no further)", p.helpers[len(p.helpers)-1].command)
	}
	return s
}

// commands joins the commands of helpers.
func commands(helpers []credHelper) string {
	cs := make([]string, len(helpers))
	for i, h := range helpers {
		cs[i] = h.command
	}
	return strings.Join(cs, ", ")
}

// checkLocalHelpers lists the credential helpers the repository in git's
// directory names in its own configuration, which the probe did not run
// unless Options.Local. A repository someone else made can name any
// command there, and doctor should not run it just for looking. This adds
// to the helper check, and is not a check of its own: where it does not
// apply, it reports nothing.
func (d *doctor) checkLocalHelpers(ctx context.Context) []Check {
	if d.o.Local || d.noProbe() != "" {
		return nil
	}
	out, err := d.git.Run(ctx, "config", "--local", "--includes", "--get-regexp", `^credential\..*helper$`)
	if ctx.Err() != nil {
		return []Check{d.unfinished(ctx, Warn, "helper", "git config --local --get-regexp '^credential\\..*helper$'")}
	}
	if err != nil || strings.TrimSpace(out) == "" {
		return nil // not in a repository, or none there
	}
	var helpers []string
	for line := range strings.SplitSeq(strings.TrimSpace(out), "\n") {
		key, value, _ := strings.Cut(line, " ")
		if value == "" {
			value = `""`
		}
		helpers = append(helpers, key+" = "+value)
	}
	return []Check{warn("helper", "this repository's own configuration names credential helpers, which git runs for it too and doctor did not: "+strings.Join(helpers, "; "),
		"check that you trust them, then run: "+ourName+" doctor --local")}
}

// checkUseHTTPPath checks useHttpPath for the URL the probe ran for.
func (d *doctor) checkUseHTTPPath(ctx context.Context) []Check {
	switch why := d.noProbe(); {
	case why != "":
		return []Check{skip("usehttppath", why)}
	case !d.probed:
		return []Check{skip("usehttppath", "git credential fill did not run (see the helper check)")}
	}
	c := checkUseHTTPPath(ctx, d.git, d.target, !d.probe.sentPath)
	if ctx.Err() != nil {
		c = d.unfinished(ctx, Fail, "usehttppath", "git config --get-urlmatch credential.useHttpPath "+d.target)
	}
	return []Check{c}
}

// checkUseHTTPPath checks that git sends the repository path, which the
// password signs. lastWinsFalse says git's credential code, unlike git
// config --get-urlmatch, found useHttpPath false: it takes the last value
// of every matching section, not the most specific one.
func checkUseHTTPPath(ctx context.Context, git gitconfig.Git, rawURL string, lastWinsFalse bool) Check {
	u, err := url.Parse(rawURL)
	if err != nil {
		return fail("usehttppath", fmt.Sprintf("%s is not a URL", rawURL), "")
	}
	fix := fmt.Sprintf("git config --global credential.https://%s.useHttpPath true (or: %s install)", u.Host, ourName)
	out, err := git.Run(ctx, "config", "--type=bool", "--get-urlmatch", "credential.useHttpPath", rawURL)
	switch {
	case err != nil && !errors.Is(err, gitconfig.ErrNotFound):
		return fail("usehttppath", fmt.Sprintf("cannot read credential.useHttpPath: %v", err), fix)
	case strings.TrimSpace(out) != "true":
		return withInstall(fail("usehttppath", fmt.Sprintf("credential.useHttpPath is not true for %s: git sends no repository path, and the password is a signature over it", rawURL), fix))
	case lastWinsFalse:
		return fail("usehttppath", "credential.useHttpPath is true in the most specific section, but git's credential code takes the last value of every matching section, and a later one is false: git sends no repository path, and the password is a signature over it",
			`remove the later false one; find it with: git config --show-origin --get-regexp '^credential\..*usehttppath$'`)
	}
	return ok("usehttppath", "credential.useHttpPath is true: git sends the repository path to sign")
}
