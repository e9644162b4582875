// Package change describes, as data, the fixes doctor --fix may make: each
// touches only the user's own tool configuration (git's global file, go's
// environment file, cargo's config file in CARGO_HOME), never a project's
// files. Doctor's checks attach them to their findings; the command layer
// prints each, asks, and applies it: Install through the install package,
// the others here (Apply).
package change

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/gitconfig"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/safefile"
)

// Kind is what a Change does.
type Kind int

const (
	// Install runs the helper's install, with RewriteSSH and RemoteHelper.
	Install Kind = iota + 1
	// GoPrivate runs go env -w GOPRIVATE=Value, Value holding the patterns
	// already there.
	GoPrivate
	// CargoCLI adds CargoLine to the cargo config file File.
	CargoCLI
	// GitGlobal runs git config --global Key Value.
	GitGlobal
)

// CargoLine is the line that makes cargo fetch git dependencies with git,
// in the one-line form that is valid TOML wherever it goes before a table.
const CargoLine = "net.git-fetch-with-cli = true"

// A Change is one fix of the user's tool configuration.
type Change struct {
	Kind         Kind
	RewriteSSH   bool   // Install: also install --rewrite-ssh
	RemoteHelper bool   // Install: also install --remote-helper
	Profile      string // Install: --profile, as the helper has it now
	Region       string // Install: --region, likewise
	Key, Value   string // GoPrivate (Value) and GitGlobal (both)
	File         string // CargoCLI: the cargo config file cargo reads
}

// String is the command or edit, as a user would run or make it; program
// is the helper's command name.
func (c Change) String(program string) string {
	switch c.Kind {
	case Install:
		s := program + " install"
		if c.Profile != "" {
			s += " --profile " + c.Profile
		}
		if c.Region != "" {
			s += " --region " + c.Region
		}
		if c.RewriteSSH {
			s += " --rewrite-ssh"
		}
		if c.RemoteHelper {
			s += " --remote-helper"
		}
		return s
	case GoPrivate:
		return "go env -w GOPRIVATE=" + c.Value
	case CargoCLI:
		return "add to " + c.File + ": " + CargoLine
	case GitGlobal:
		return "git config --global " + c.Key + " " + c.Value
	}
	return ""
}

// Merge returns cs with their Install changes made one, that installs what
// each asked, first, and the others each once, in order.
func Merge(cs []Change) []Change {
	var (
		out []Change
		in  Change // the merged install, when in.Kind is Install
	)
	for _, c := range cs {
		switch {
		case c.Kind == Install:
			in.Kind = Install
			in.RewriteSSH = in.RewriteSSH || c.RewriteSSH
			in.RemoteHelper = in.RemoteHelper || c.RemoteHelper
		case !slices.Contains(out, c):
			out = append(out, c)
		}
	}
	if in.Kind == Install {
		out = append([]Change{in}, out...)
	}
	return out
}

// Apply makes c, unless it is an Install (the caller's), in dir with the
// environment env (nil for this process's). It reports whether it changed
// anything: a change already made is left alone.
func (c Change) Apply(ctx context.Context, dir string, env []string) (bool, error) {
	switch c.Kind {
	case GoPrivate:
		cmd := exec.CommandContext(ctx, "go", "env", "GOPRIVATE")
		cmd.Dir, cmd.Env = dir, goEnv(env)
		out, err := cmd.Output()
		if err != nil {
			return false, fmt.Errorf("go env GOPRIVATE: %w", err)
		}
		if strings.TrimSpace(string(out)) == c.Value {
			return false, nil
		}
		cmd = exec.CommandContext(ctx, "go", "env", "-w", "GOPRIVATE="+c.Value)
		cmd.Dir, cmd.Env = dir, goEnv(env)
		if out, err := cmd.CombinedOutput(); err != nil {
			return false, fmt.Errorf("go env -w: %v: %s", err, bytes.TrimSpace(out))
		}
		return true, nil
	case GitGlobal:
		g := gitconfig.Git{Dir: dir, Env: env}
		if v, err := g.Run(ctx, "config", "--global", "--get", c.Key); err == nil && strings.TrimSpace(v) == c.Value {
			return false, nil
		}
		_, err := g.Run(ctx, "config", "--global", c.Key, c.Value)
		return err == nil, err
	case CargoCLI:
		return addCargoLine(c.File)
	}
	return false, fmt.Errorf("change %d is not for Apply", c.Kind)
}

// goEnv is env with GOTOOLCHAIN=local, so that go env never fetches a
// toolchain a project's go.mod asks for.
func goEnv(env []string) []string {
	if env == nil {
		env = os.Environ()
	}
	return append(slices.Clone(env), "GOTOOLCHAIN=local")
}

// addCargoLine puts CargoLine in the cargo config file f: a new file holds
// just it; in an existing one, it goes under a [net] table when there is
// one, else first, where a key is at the top level whatever tables follow.
// A file that sets the key already, either way, is left alone: a false
// there is the user's to change.
func addCargoLine(f string) (bool, error) {
	b, err := os.ReadFile(f)
	if errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
			return false, err
		}
		return true, safefile.WriteFile(f, []byte(CargoLine+"\n"))
	}
	if err != nil {
		return false, err
	}
	text := string(b)
	lines := strings.SplitAfter(text, "\n")
	at, line := 0, CargoLine+"\n"
	for i, l := range lines {
		k, _, _ := strings.Cut(l, "=")
		k = strings.TrimSpace(k)
		switch {
		case k == "net.git-fetch-with-cli" || k == "git-fetch-with-cli" || k == "net" && strings.Contains(l, "{"):
			return false, fmt.Errorf("%s sets net.git-fetch-with-cli already, or has an inline net table: set it to true there", f)
		case strings.TrimSpace(l) == "[net]":
			at, line = i+1, "git-fetch-with-cli = true\n"
		}
	}
	out := strings.Join(slices.Insert(lines, at, line), "")
	fi, err := os.Stat(f)
	if err != nil {
		return false, err
	}
	if err := safefile.WriteFile(f, []byte(out)); err != nil {
		return false, err
	}
	return true, os.Chmod(f, fi.Mode().Perm())
}
