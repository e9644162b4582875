package project

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path"
	"slices"
	"strings"

	"golang.org/x/mod/modfile"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/codecommit"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/failure"
)

// goEnvVars are the go command's settings that decide how it fetches a
// module.
var goEnvVars = []string{"GOPRIVATE", "GONOPROXY", "GONOSUMDB", "GOPROXY", "GOSUMDB"}

// CheckGo checks that go fetches the CodeCommit modules go.mod requires
// with git, directly: GOPRIVATE (or GONOPROXY and GONOSUMDB) covers them,
// and their paths end in ".git", without which go first asks the host for
// ?go-get=1 with its own HTTP client, without credentials.
func CheckGo(ctx context.Context, o Options) []Finding {
	b, err := readFile(o.dir(), "go.mod")
	if err != nil {
		return unreadable(Go, "go.mod", err)
	}
	ours := codeCommitModules(b)
	if len(ours) == 0 {
		return absent(Go, "go.mod requires no module on a CodeCommit host")
	}
	ge, err := goEnv(ctx, o)
	if err != nil {
		return []Finding{{Manager: Go, Result: Unknown, Err: &failure.Error{
			Problem: "go.mod requires CodeCommit modules, but go env does not run here", Cause: failure.OneLine(err), Err: err}}}
	}
	var fs []Finding
	if f, ok := goPrivate(ge, ours); ok {
		fs = append(fs, f)
	}
	var plain []string
	for _, p := range ours {
		if !slices.ContainsFunc(strings.Split(p, "/"), func(e string) bool { return strings.HasSuffix(e, ".git") }) {
			plain = append(plain, p)
		}
	}
	if len(plain) > 0 {
		fs = append(fs, Finding{Manager: Go, Result: Broken, Err: &failure.Error{
			Problem: fmt.Sprintf("go.mod requires %s, whose path does not end in .git: go then asks the host with its own HTTP client (?go-get=1), without credentials, and gets 401", list(plain)),
			Fix:     "name the module with .git after the repository, in its own go.mod and in require lines: " + codecommit.ExampleHost + "/v1/repos/NAME.git"}})
	}
	if len(fs) == 0 {
		fs = append(fs, Finding{Manager: Go, Result: Fine, Detail: fmt.Sprintf("go fetches %s directly with git, which asks this helper", list(ours))})
	}
	return fs
}

// codeCommitModules returns the paths of the modules on a CodeCommit host
// that go.mod requires. A go.mod the go command could not parse either
// requires nothing here.
func codeCommitModules(gomod []byte) []string {
	f, err := modfile.ParseLax("go.mod", gomod, nil)
	if err != nil {
		return nil
	}
	var ours []string
	for _, r := range f.Require {
		host, _, _ := strings.Cut(r.Mod.Path, "/")
		if _, ok := codecommit.Parse(host); ok {
			ours = append(ours, r.Mod.Path)
		}
	}
	return ours
}

// goEnv runs go env in the project for goEnvVars, with GOTOOLCHAIN=local:
// otherwise a go or toolchain line in the project's go.mod or go.work
// newer than the go installed makes it download that toolchain and run it,
// and a check changes nothing, let alone fetches and runs code.
func goEnv(ctx context.Context, o Options) (map[string]string, error) {
	cmd := exec.CommandContext(ctx, "go", append([]string{"env", "-json"}, goEnvVars...)...)
	cmd.Dir, cmd.Env = o.dir(), o.Env
	if cmd.Env == nil {
		cmd.Env = os.Environ()
	}
	cmd.Env = append(slices.Clip(cmd.Env), "GOTOOLCHAIN=local")
	if o.Prepare != nil {
		o.Prepare(cmd)
	}
	out, err := cmd.Output()
	var exit *exec.ExitError
	switch {
	case ctx.Err() != nil:
		return nil, stopped(ctx, "go env")
	case errors.As(err, &exit) && len(bytes.TrimSpace(exit.Stderr)) > 0:
		return nil, fmt.Errorf("%s", lastLine(exit.Stderr))
	case err != nil:
		return nil, err
	}
	var ge map[string]string
	return ge, json.Unmarshal(out, &ge)
}

// lastLine is the last line of a command's output that holds some text.
func lastLine(out []byte) string {
	lines := bytes.Split(bytes.TrimSpace(out), []byte("\n"))
	return string(lines[len(lines)-1])
}

// goPrivate fails when GONOPROXY and GONOSUMDB (else GOPRIVATE) do not
// cover the modules ours, unless GOPROXY is direct and GOSUMDB off, and
// names the GOPRIVATE that would, the patterns already there kept.
func goPrivate(ge map[string]string, ours []string) (Finding, bool) {
	or := func(k, fallback string) string {
		if ge[k] != "" {
			return ge[k]
		}
		return ge[fallback]
	}
	var uncovered []string
	for _, p := range ours {
		// GOPROXY=off fetches nothing but what GONOPROXY names.
		proxied := !matchesGoPatterns(or("GONOPROXY", "GOPRIVATE"), p) && ge["GOPROXY"] != "direct"
		summed := !matchesGoPatterns(or("GONOSUMDB", "GOPRIVATE"), p) && ge["GOSUMDB"] != "off"
		if proxied || summed {
			uncovered = append(uncovered, p)
		}
	}
	if len(uncovered) == 0 {
		return Finding{}, false
	}
	var patterns []string
	if ge["GOPRIVATE"] != "" {
		patterns = append(patterns, ge["GOPRIVATE"])
	}
	for _, p := range uncovered {
		if pat := goPattern(p); !slices.Contains(patterns, pat) {
			patterns = append(patterns, pat)
		}
	}
	return Finding{Manager: Go, Result: Broken, Err: &failure.Error{
		Problem: fmt.Sprintf("go.mod requires %s, which GOPRIVATE does not cover: go would ask the public module proxy and checksum database for it, which know nothing of CodeCommit", list(uncovered)),
		Fix:     "go env -w GOPRIVATE=" + strings.Join(patterns, ",")}}, true
}

// matchesGoPatterns reports whether module path p matches a comma-separated
// list of glob patterns the way the go command matches GOPRIVATE: a pattern
// matches a path whose leading elements it matches.
func matchesGoPatterns(patterns, p string) bool {
	elems := strings.Split(p, "/")
	for pat := range strings.SplitSeq(patterns, ",") {
		pat = strings.TrimSuffix(strings.TrimSpace(pat), "/")
		n := strings.Count(pat, "/") + 1
		if pat == "" || n > len(elems) {
			continue
		}
		if ok, _ := path.Match(pat, strings.Join(elems[:n], "/")); ok {
			return true
		}
	}
	return false
}

// goPattern is the GOPRIVATE pattern that covers module path p's CodeCommit
// host in every region: git-codecommit.*.amazonaws.com for
// git-codecommit.us-east-1.amazonaws.com/v1/repos/x.git.
func goPattern(p string) string {
	host, _, _ := strings.Cut(p, "/")
	e, _ := codecommit.Parse(host)
	return strings.Replace(host, "."+e.Region+".", ".*.", 1)
}
