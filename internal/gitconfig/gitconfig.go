// Package gitconfig runs git: git config on one configuration file, git's
// version, and the spelling of a credential helper's command line in git's
// configuration. Configuration is only ever changed by running git config,
// never by editing files.
package gitconfig

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/failure"
)

// Git runs git in Dir with Env (nil: this process's environment).
// Prepare, when set, is applied to each command before it starts: a
// caller's bounds on what it runs (doctor's process groups).
type Git struct {
	Dir     string
	Env     []string
	Prepare func(*exec.Cmd)
}

// ErrNotFound is what git config's exit status 1 (get: no such key) and 5
// (unset: no such key or value) mean.
var ErrNotFound = errors.New("not found")

// Run runs git with args and returns its standard output. A failure is a
// *failure.Error: what git wrote to stderr, with the whole command for
// --debug.
func (g Git) Run(ctx context.Context, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir, cmd.Env = g.Dir, g.Env
	if g.Prepare != nil {
		g.Prepare(cmd)
	}
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		if (exit.ExitCode() == 1 || exit.ExitCode() == 5) && args[0] == "config" && errOut.Len() == 0 {
			return "", ErrNotFound
		}
		said := strings.Join(strings.Fields(errOut.String()), " ")
		return "", &failure.Error{
			Problem: "git " + args[0] + " failed",
			Cause:   strings.TrimPrefix(strings.TrimPrefix(said, "error: "), "fatal: "),
			Fix:     "fix what git says, then try again",
			Err:     fmt.Errorf("git %s: %s", strings.Join(args, " "), said),
		}
	}
	if err != nil {
		return "", &failure.Error{Problem: "cannot run git", Cause: failure.OneLine(err), Fix: "install git, or put it on PATH", Err: err}
	}
	return out.String(), nil
}

// Get returns the value of key as git config --get reads it where g runs,
// or ErrNotFound.
func (g Git) Get(ctx context.Context, key string) (string, error) {
	out, err := g.Run(ctx, "config", "--get", key)
	return strings.TrimSpace(out), err
}

// Version is a git version, major and minor, in one number that compares
// as versions do: see V.
type Version int

// minors is how many minor versions a major one spans in a Version.
const minors = 1000

// V is the git version major.minor.
func V(major, minor int) Version { return Version(major*minors + minor) }

// The git versions this program cares about.
const (
	// Wildcards is the first git whose credential.<url> sections take the
	// one-label wildcards install writes (https://git-codecommit.*.…).
	Wildcards Version = 2*minors + 26
	// PasswordExpiry is the first git that reads password_expiry_utc, so
	// that storing helpers forget passwords when they expire.
	PasswordExpiry Version = 2*minors + 40
)

func (v Version) String() string { return fmt.Sprintf("%d.%d", v/minors, v%minors) }

// AtLeast reports whether v is min or newer.
func (v Version) AtLeast(min Version) bool { return v >= min }

// Version returns git's version, and the line git printed for it.
func (g Git) Version(ctx context.Context) (Version, string, error) {
	out, err := g.Run(ctx, "version")
	if err != nil {
		return 0, "", err
	}
	line := strings.TrimSpace(out)
	rest, ok := strings.CutPrefix(line, "git version ")
	parts := strings.SplitN(rest, ".", 3)
	if !ok || len(parts) < 2 {
		return 0, line, unreadableVersion(line)
	}
	major, err1 := strconv.Atoi(parts[0])
	minor, err2 := strconv.Atoi(strings.TrimRightFunc(parts[1], func(r rune) bool { return r < '0' || r > '9' }))
	if err1 != nil || err2 != nil || minor >= minors {
		return 0, line, unreadableVersion(line)
	}
	return V(major, minor), line, nil
}

// unreadableVersion is the error for a version line that says no version.
func unreadableVersion(line string) error {
	return &failure.Error{Problem: fmt.Sprintf("cannot read git's version from %q", line), Fix: "check which git is first on PATH"}
}

// Scope chooses a configuration file as git config's options do.
type Scope int

const (
	Global Scope = iota // --global, the user's file
	System              // --system
	Local               // --local, the repository's
	Path                // --file PATH
)

// File is one git configuration file.
type File struct {
	Git
	Scope Scope
	Path  string // for the Path scope
}

// Args are git config's options that name f.
func (f File) Args() []string {
	switch f.Scope {
	case System:
		return []string{"--system"}
	case Local:
		return []string{"--local"}
	case Path:
		return []string{"--file", f.Path}
	}
	return []string{"--global"}
}

// Config runs git config on f.
func (f File) Config(ctx context.Context, args ...string) (string, error) {
	return f.Run(ctx, slices.Concat([]string{"config"}, f.Args(), args)...)
}

// Entry is one key and value of a section, in file order.
type Entry struct{ Key, Value string }

// Snapshot is entries of a configuration file in file order, each Key the
// whole key as git reports it (section and name in lower case), read with
// one git config so that a caller asking about many sections runs git once.
type Snapshot []Entry

// Read returns the entries of f in the sections named sections (for
// example "credential", "url"), and nil when there are none.
func (f File) Read(ctx context.Context, sections ...string) (Snapshot, error) {
	quoted := make([]string, len(sections))
	for i, s := range sections {
		quoted[i] = regexp.QuoteMeta(s)
	}
	out, err := f.Config(ctx, "-z", "--get-regexp", `^(`+strings.Join(quoted, "|")+`)\.`)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var s Snapshot
	for rec := range strings.SplitSeq(strings.TrimSuffix(out, "\x00"), "\x00") {
		k, v, _ := strings.Cut(rec, "\n")
		s = append(s, Entry{k, v})
	}
	return s, nil
}

// Section returns the entries of section name (for example
// "credential.https://git-codecommit.*.amazonaws.com/") in s, in file order,
// with keys relative to the section, and nil when there are none.
func (s Snapshot) Section(name string) []Entry {
	var es []Entry
	for _, e := range s {
		k, ok := strings.CutPrefix(e.Key, name+".")
		if ok && k != "" && !strings.Contains(k, ".") {
			es = append(es, Entry{k, e.Value})
		}
	}
	return es
}

// Add appends entries to section name; key spells each key in the file.
func (f File) Add(ctx context.Context, name string, entries []Entry, key func(string) string) error {
	for _, e := range entries {
		if _, err := f.Config(ctx, "--add", name+"."+key(e.Key), e.Value); err != nil {
			return err
		}
	}
	return nil
}
