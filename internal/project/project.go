// Package project looks at the files of a project for package managers that
// need more than install to fetch its CodeCommit dependencies: Go modules,
// cargo, yarn 2+, any client with SSH URLs, and codecommit:// submodules. It reads
// manifests and lockfiles and asks the go command and git what they would
// do; it changes nothing. Each manager's outcome is a Finding, which doctor
// reports as a check of the manager's name.
package project

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/change"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/codecommit"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/failure"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/gitconfig"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/safefile"
)

// Names of the package managers, which are the names of their Findings.
const (
	Go         = "go"
	Cargo      = "cargo"
	Yarn       = "yarn"
	SSHDeps    = "ssh-deps"
	Submodules = "submodules"
)

// Managers returns the names of the package managers checked, in the order
// their Findings come.
func Managers() []string { return []string{Go, Cargo, Yarn, SSHDeps, Submodules} }

// Result is how a package manager would fare with the project's CodeCommit
// dependencies.
type Result int

const (
	// Absent: the project has no such dependencies for this manager.
	Absent Result = iota
	// Fine: the manager fetches them with git, which asks the helper.
	Fine
	// Broken: the manager would not fetch them; Err says why and the fix.
	Broken
	// Unknown: what the manager would do could not be found out; Err says
	// why.
	Unknown
)

// A Finding is what was found for one package manager.
type Finding struct {
	Manager string
	Result  Result
	// Detail says what is fine, or why nothing applies (Fine, Absent).
	Detail string
	// Err is a *failure.Error for Broken and Unknown: the problem, its
	// cause, and the fix.
	Err error
	// Changes are the fixes of the user's own tool configuration that
	// doctor --fix may make for a Broken finding; a fix in the project's
	// files is only in Err's Fix.
	Changes []change.Change
}

// Options say where the project is.
type Options struct {
	// Dir is the project's directory, "" for the current one.
	Dir string
	// Env is the environment of the go command and git, and where CARGO_*
	// and HOME are read; nil for this process's.
	Env []string
	// Program is the helper's command name, as the fixes spell it.
	Program string
	// Prepare, when set, is applied to each command before it starts
	// (git and go): doctor's bounds on what it runs.
	Prepare func(*exec.Cmd)
}

func (o Options) dir() string {
	if o.Dir == "" {
		return "."
	}
	return o.Dir
}

// getenv reads k from o.Env, else from this process's environment when
// o.Env is nil. The last value of a variable wins, as in exec.Cmd.
func (o Options) getenv(k string) string {
	if o.Env == nil {
		return os.Getenv(k)
	}
	for _, kv := range slices.Backward(o.Env) {
		if v, ok := strings.CutPrefix(kv, k+"="); ok {
			return v
		}
	}
	return ""
}

// lookupEnv is getenv that tells an empty variable from an unset one.
func (o Options) lookupEnv(k string) (string, bool) {
	if o.Env == nil {
		return os.LookupEnv(k)
	}
	for _, kv := range slices.Backward(o.Env) {
		if v, ok := strings.CutPrefix(kv, k+"="); ok {
			return v, true
		}
	}
	return "", false
}

func (o Options) git() gitconfig.Git {
	return gitconfig.Git{Dir: o.Dir, Env: o.Env, Prepare: o.Prepare}
}

func absent(manager, why string) []Finding {
	return []Finding{{Manager: manager, Result: Absent, Detail: why}}
}

// maxFile bounds what is read of a manifest or lockfile.
const maxFile = 8 << 20

// readFile reads a file of the project as the helper reads its own files
// (safefile), whoever owns it: opened without following a symbolic link or
// waiting for a FIFO's writer, judged by what was opened, never by a check
// of the path before, and read up to maxFile bytes. Anyone who can write a
// shared checkout can swap a file for a FIFO or a link to /dev/zero at any
// moment. A file that is not there is fs.ErrNotExist.
func readFile(dir, name string) ([]byte, error) {
	return safefile.ReadRegular(filepath.Join(dir, name), maxFile)
}

// readIf is readFile for the files a check reads besides its main one
// (workspace members, Go sources, lockfiles): one that cannot be read is
// passed over, as if absent.
func readIf(dir, name string) ([]byte, bool) {
	b, err := readFile(dir, name)
	return b, err == nil
}

// unreadable is manager's finding when its file name could not be read
// (readFile's err): absent when there is none, else unknown, and why.
func unreadable(manager, name string, err error) []Finding {
	if errors.Is(err, fs.ErrNotExist) {
		return absent(manager, "no "+name+" here")
	}
	cause := failure.Reason(err)
	var u *safefile.UntrustedError
	if errors.As(err, &u) {
		cause = u.Reason
	}
	return []Finding{{Manager: manager, Result: Unknown, Err: &failure.Error{
		Problem: "cannot read " + name, Cause: cause, Fix: fmt.Sprintf("make it a regular file of at most %d MiB", maxFile>>20), Err: err}}}
}

// listed is how many items list names before "and N more": a project can
// name thousands of URLs, and a finding stays one short line.
const listed = 2

// list joins the first items of names, and says how many more there are.
func list(names []string) string {
	if len(names) <= listed {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(names[:listed], ", "), len(names)-listed)
}

// codeCommitURLs returns the CodeCommit repository URLs that text names:
// https and SSH forms, with npm's and pip's "git+" prefix, Terraform's
// "git::", a "#ref", a "?ref=" query and pip's "@ref" taken off, each once,
// in the order text names them.
func codeCommitURLs(text string) []string {
	var urls []string
	seen := map[string]bool{}
	words := strings.FieldsFunc(text, func(r rune) bool { return strings.ContainsRune(" \t\r\n\"'`,=()[]{}<>", r) })
	for _, w := range words {
		if !strings.Contains(w, "git-codecommit") {
			continue
		}
		w = strings.TrimPrefix(strings.TrimPrefix(w, "git::"), "git+") // Terraform's, npm's and pip's
		w, _, _ = strings.Cut(w, "#")
		w, _, _ = strings.Cut(w, "?") // Terraform's ?ref=, cargo's ?branch=
		if slash := strings.LastIndexByte(w, '/'); slash >= 0 {
			if at := strings.IndexByte(w[slash:], '@'); at >= 0 {
				w = w[:slash+at] // pip's @ref
			}
		}
		host := ""
		if s, ok := gitconfig.ParseSSH(w); ok {
			host = s.Host
		} else if u, err := url.Parse(w); err == nil {
			host = u.Host
		}
		if _, ok := codecommit.Parse(host); ok && !seen[w] {
			seen[w] = true
			urls = append(urls, w)
		}
	}
	return urls
}

// stopped is the error of a command that ctx stopped before it finished.
func stopped(ctx context.Context, what string) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("%s did not finish in the time given", what)
	}
	return fmt.Errorf("%s was stopped", what)
}
