package project

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/mod/modfile"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/change"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/codecommit"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/failure"
)

// goEnvVars are the go command's settings that decide how it fetches a
// module.
var goEnvVars = []string{"GOPRIVATE", "GONOPROXY", "GONOSUMDB", "GOPROXY", "GOSUMDB"}

// CheckGo checks that go fetches the CodeCommit modules go.mod requires,
// or the project's Go files import, with git, directly: GOPRIVATE (or
// GONOPROXY and GONOSUMDB) covers them, and their paths end in ".git",
// without which go first asks the host for ?go-get=1 with its own HTTP
// client, without credentials.
func CheckGo(ctx context.Context, o Options) []Finding {
	b, err := readFile(o.dir(), "go.mod")
	if err != nil {
		return unreadable(Go, "go.mod", err)
	}
	ours := codeCommitModules(b)
	for _, p := range importedModules(o.dir()) {
		if !slices.ContainsFunc(ours, func(r string) bool { return r == p || strings.HasPrefix(p, r+"/") }) {
			ours = append(ours, p)
		}
	}
	if len(ours) == 0 {
		return absent(Go, "neither go.mod nor the Go files here name a module on a CodeCommit host")
	}
	ge, err := goEnv(ctx, o)
	if err != nil {
		return []Finding{{Manager: Go, Result: Unknown, Err: &failure.Error{
			Problem: "the project needs CodeCommit modules, but go env does not run here", Cause: failure.OneLine(err), Err: err}}}
	}
	var fs []Finding
	if f, ok := goPrivate(ge, ours, goSum(o.dir())); ok {
		if o.getenv("GOPRIVATE") != "" {
			// The environment's beats go env -w's file.
			e := failure.As(f.Err)
			e.Fix = "export " + strings.TrimPrefix(e.Fix, "go env -w ")
			f.Changes = nil
		}
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
			Problem: fmt.Sprintf("the project needs %s, whose path does not end in .git: go then asks the host with its own HTTP client (?go-get=1), without credentials, and gets 401", list(plain)),
			Fix:     "name the module with .git after the repository, in its own go.mod and in require lines: " + codecommit.ExampleHost + "/v1/repos/NAME.git"}})
	}
	if len(fs) == 0 {
		fs = append(fs, Finding{Manager: Go, Result: Fine, Detail: fmt.Sprintf("go fetches %s directly with git, which asks this helper", list(ours))})
	}
	return fs
}

// maxGoFiles and maxEntries bound the Go files whose imports are read, and
// the directory entries looked at to find them.
const maxGoFiles, maxEntries = 500, 20000

// importedModules returns the modules on a CodeCommit host that the Go
// files of the module in dir import, each once: the import path up to its
// element ending in ".git", or the whole path when none does. Directories
// go skips (testdata, vendor, names starting with "." or "_") and those of
// other modules are left out.
func importedModules(dir string) []string {
	var mods []string
	n, entries := 0, 0
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if entries++; err != nil || n >= maxGoFiles || entries > maxEntries {
			return filepath.SkipAll
		}
		name := d.Name()
		if d.IsDir() {
			if p != dir && (name == "testdata" || name == "vendor" || name == "node_modules" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
				return filepath.SkipDir
			}
			if _, err := os.Lstat(filepath.Join(p, "go.mod")); p != dir && err == nil {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") || !d.Type().IsRegular() {
			return nil
		}
		n++
		src, ok := readIf(filepath.Dir(p), name)
		if !ok {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), p, src, parser.ImportsOnly)
		if err != nil {
			return nil
		}
		for _, imp := range f.Imports {
			ip, err := strconv.Unquote(imp.Path.Value)
			host, _, _ := strings.Cut(ip, "/")
			if _, ok := codecommit.Parse(host); err != nil || !ok {
				continue
			}
			elems := strings.Split(ip, "/")
			if i := slices.IndexFunc(elems, func(e string) bool { return strings.HasSuffix(e, ".git") }); i >= 0 {
				ip = strings.Join(elems[:i+1], "/")
			}
			if !slices.Contains(mods, ip) {
				mods = append(mods, ip)
			}
		}
		return nil
	})
	return mods
}

// goSum returns the module paths go.sum in dir has hashes of.
func goSum(dir string) []string {
	b, _ := readFile(dir, "go.sum")
	var mods []string
	for line := range strings.SplitSeq(string(b), "\n") {
		if m, _, ok := strings.Cut(line, " "); ok && !slices.Contains(mods, m) {
			mods = append(mods, m)
		}
	}
	return mods
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
// names the GOPRIVATE that would, the patterns already there kept. When
// go.sum pins every such module (summed) and GOPROXY falls back to direct,
// it says which commands still work: the proxy cannot fetch the module and
// go falls back to git, and go.sum spares the checksum database.
func goPrivate(ge map[string]string, ours, summed []string) (Finding, bool) {
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
		checked := !matchesGoPatterns(or("GONOSUMDB", "GOPRIVATE"), p) && ge["GOSUMDB"] != "off"
		if proxied || checked {
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
	c := change.Change{Kind: change.GoPrivate, Value: strings.Join(patterns, ",")}
	problem := fmt.Sprintf("the project needs %s, which GOPRIVATE does not cover: go get and go mod tidy would ask the public module proxy and checksum database for it, which know nothing of CodeCommit, and fail", list(uncovered))
	pinned := !slices.ContainsFunc(uncovered, func(p string) bool { return !slices.Contains(summed, p) })
	if proxy := ge["GOPROXY"]; pinned && (strings.HasSuffix(proxy, ",direct") || strings.HasSuffix(proxy, "|direct")) {
		problem = fmt.Sprintf("the project needs %s, which GOPRIVATE does not cover: go build and go mod download of the versions go.sum pins work (the module proxy cannot fetch them and go falls back to git), but go get of another version fails at the public checksum database, and the proxy learns the module path", list(uncovered))
	}
	return Finding{Manager: Go, Result: Broken, Err: &failure.Error{Problem: problem, Fix: c.String("")}, Changes: []change.Change{c}}, true
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
