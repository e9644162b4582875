package doctor

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/codecommit"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/gitconfig"
)

// The project checks look at the files of the project doctor runs in, for
// package managers that need more than install to fetch CodeCommit
// dependencies: Go modules, cargo, yarn 2+ and any JavaScript client with
// SSH URLs. Each finding fails with the exact fix; a project without such
// files gets no check.

// projectChecks are the names of the project checks: their failures stop
// a package manager, not a clone.
var projectChecks = []string{"go", "cargo", "yarn", "ssh-deps"}

// maxProjectFile bounds what is read of a manifest or lockfile.
const maxProjectFile = 8 << 20

// checkProject runs the project checks in dir ("" for the current one);
// env is the environment of the go command, nil for this process's.
func checkProject(ctx context.Context, git gitconfig.Git, dir string, env []string) []Check {
	if dir == "" {
		dir = "."
	}
	var checks []Check
	if b, ok := readProjectFile(dir, "go.mod"); ok {
		checks = append(checks, checkGoModules(ctx, dir, env, b)...)
	}
	if b, ok := readProjectFile(dir, "Cargo.toml"); ok {
		checks = append(checks, checkCargo(dir, env, b)...)
	}
	checks = append(checks, checkJavaScript(ctx, git, dir)...)
	return checks
}

// readProjectFile reads a file of the project, when it is there and a
// regular file of a sane size.
func readProjectFile(dir, name string) ([]byte, bool) {
	f := filepath.Join(dir, name)
	fi, err := os.Lstat(f)
	if err != nil || !fi.Mode().IsRegular() || fi.Size() > maxProjectFile {
		return nil, false
	}
	b, err := os.ReadFile(f)
	return b, err == nil
}

// codeCommitURLs returns the CodeCommit repository URLs that text names:
// https and SSH forms, with npm's "git+" prefix and "#ref" suffix taken
// off, each once.
func codeCommitURLs(text string) []string {
	var urls []string
	words := strings.FieldsFunc(text, func(r rune) bool { return strings.ContainsRune(" \t\r\n\"'`,=()[]{}<>", r) })
	for _, w := range words {
		if !strings.Contains(w, "git-codecommit") {
			continue
		}
		w, _, _ = strings.Cut(strings.TrimPrefix(w, "git+"), "#")
		host := ""
		if s, ok := parseSSH(w); ok {
			host = s.host
		} else if u, err := url.Parse(w); err == nil {
			host = u.Host
		}
		if _, ok := codecommit.Parse(host); ok && !slices.Contains(urls, w) {
			urls = append(urls, w)
		}
	}
	return urls
}

// goRequires returns the module paths a go.mod requires, in require lines
// and blocks.
func goRequires(gomod []byte) []string {
	var paths []string
	inBlock := false
	for line := range strings.SplitSeq(string(gomod), "\n") {
		line, _, _ = strings.Cut(line, "//")
		f := strings.Fields(line)
		switch {
		case len(f) == 0:
		case inBlock && f[0] == ")":
			inBlock = false
		case inBlock:
			paths = append(paths, strings.Trim(f[0], `"`))
		case f[0] == "require" && len(f) >= 2 && f[1] == "(":
			inBlock = true
		case f[0] == "require" && len(f) >= 3:
			paths = append(paths, strings.Trim(f[1], `"`))
		}
	}
	return paths
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

// checkGoModules checks that go fetches the CodeCommit modules go.mod
// requires with git, directly: GOPRIVATE (or GONOPROXY and GONOSUMDB)
// covers them, and their paths end in ".git", without which go first asks
// the host for ?go-get=1 with its own HTTP client, without credentials.
func checkGoModules(ctx context.Context, dir string, env []string, gomod []byte) []Check {
	var ours []string
	for _, p := range goRequires(gomod) {
		host, _, _ := strings.Cut(p, "/")
		if _, ok := codecommit.Parse(host); ok {
			ours = append(ours, p)
		}
	}
	if len(ours) == 0 {
		return nil
	}
	cmd := exec.CommandContext(ctx, "go", "env", "-json", "GOPRIVATE", "GONOPROXY", "GONOSUMDB", "GOPROXY", "GOSUMDB")
	cmd.Dir, cmd.Env = dir, env
	out, err := cmd.Output()
	var ge map[string]string
	if err == nil {
		err = json.Unmarshal(out, &ge)
	}
	if err != nil {
		return []Check{warn("go", fmt.Sprintf("go.mod requires CodeCommit modules, but go env does not run here (%v)", oneLine(err)), "")}
	}
	or := func(k, fallback string) string {
		if ge[k] != "" {
			return ge[k]
		}
		return ge[fallback]
	}
	var checks []Check
	var proxied, summed, plain []string
	for _, p := range ours {
		// GOPROXY=off fetches nothing but what GONOPROXY names.
		if !matchesGoPatterns(or("GONOPROXY", "GOPRIVATE"), p) && ge["GOPROXY"] != "direct" {
			proxied = append(proxied, p)
		}
		if !matchesGoPatterns(or("GONOSUMDB", "GOPRIVATE"), p) && ge["GOSUMDB"] != "off" {
			summed = append(summed, p)
		}
		if !slices.ContainsFunc(strings.Split(p, "/"), func(e string) bool { return strings.HasSuffix(e, ".git") }) {
			plain = append(plain, p)
		}
	}
	if len(proxied)+len(summed) > 0 {
		patterns := []string{}
		if ge["GOPRIVATE"] != "" {
			patterns = append(patterns, ge["GOPRIVATE"])
		}
		for _, p := range slices.Concat(proxied, summed) {
			if pat := goPattern(p); !slices.Contains(patterns, pat) {
				patterns = append(patterns, pat)
			}
		}
		fix := "go env -w GOPRIVATE=" + strings.Join(patterns, ",")
		checks = append(checks, fail("go", fmt.Sprintf("go.mod requires %s, which GOPRIVATE does not cover: go would ask the public module proxy and checksum database for it, which know nothing of CodeCommit", strings.Join(slices.Compact(append(proxied, summed...)), ", ")), fix))
	}
	if len(plain) > 0 {
		checks = append(checks, fail("go", fmt.Sprintf("go.mod requires %s, whose path does not end in .git: go then asks the host with its own HTTP client (?go-get=1), without credentials, and gets 401", strings.Join(plain, ", ")),
			"name the module with .git after the repository, in its own go.mod and in require lines: "+codecommit.ExampleHost+"/v1/repos/NAME.git"))
	}
	if len(checks) == 0 {
		checks = append(checks, ok("go", fmt.Sprintf("go fetches %s directly with git, which asks this helper", strings.Join(ours, ", "))))
	}
	return checks
}

// goPattern is the GOPRIVATE pattern that covers module path p's CodeCommit
// host in every region: git-codecommit.*.amazonaws.com for
// git-codecommit.us-east-1.amazonaws.com/v1/repos/x.git.
func goPattern(p string) string {
	host, _, _ := strings.Cut(p, "/")
	e, _ := codecommit.Parse(host)
	return strings.Replace(host, "."+e.Region+".", ".*.", 1)
}

// checkCargo checks that cargo fetches the CodeCommit git dependencies of
// Cargo.toml with git: its own git library asks no credential helper
// configured for a URL pattern, as install's are.
func checkCargo(dir string, env []string, manifest []byte) []Check {
	urls := codeCommitURLs(string(manifest))
	if len(urls) == 0 {
		return nil
	}
	if where, on := cargoFetchesWithCLI(dir, env); on {
		return []Check{ok("cargo", "cargo fetches "+strings.Join(urls, ", ")+" with git ("+where+")")}
	}
	return []Check{fail("cargo", "Cargo.toml depends on "+strings.Join(urls, ", ")+", but cargo fetches git dependencies with its own git library, which never runs this helper",
		"add to .cargo/config.toml: [net] git-fetch-with-cli = true (or export CARGO_NET_GIT_FETCH_WITH_CLI=true)")}
}

// cargoFetchesWithCLI reports whether cargo uses the git command line, and
// where that is set: CARGO_NET_GIT_FETCH_WITH_CLI, or net.git-fetch-with-cli
// in a cargo config file of dir, its parents, or CARGO_HOME.
func cargoFetchesWithCLI(dir string, env []string) (string, bool) {
	getenv := func(k string) string {
		if env == nil {
			return os.Getenv(k)
		}
		for _, kv := range slices.Backward(env) {
			if v, ok := strings.CutPrefix(kv, k+"="); ok {
				return v
			}
		}
		return ""
	}
	if v := getenv("CARGO_NET_GIT_FETCH_WITH_CLI"); v != "" {
		return "CARGO_NET_GIT_FETCH_WITH_CLI", v == "true"
	}
	var files []string
	if abs, err := filepath.Abs(dir); err == nil {
		for d := abs; ; d = filepath.Dir(d) {
			files = append(files, filepath.Join(d, ".cargo", "config.toml"), filepath.Join(d, ".cargo", "config"))
			if filepath.Dir(d) == d {
				break
			}
		}
	}
	home := getenv("CARGO_HOME")
	if home == "" {
		if h, err := os.UserHomeDir(); err == nil {
			home = filepath.Join(h, ".cargo")
		}
	}
	files = append(files, filepath.Join(home, "config.toml"), filepath.Join(home, "config"))
	for _, f := range files {
		// A cargo config file holds no secret, and cargo reads it whoever
		// owns it: a regular file of a sane size is enough.
		b, ok := readProjectFile(filepath.Dir(f), filepath.Base(f))
		if !ok {
			continue
		}
		if v, ok := tomlNetFetchWithCLI(string(b)); ok {
			return f, v
		}
	}
	return "", false
}

// tomlNetFetchWithCLI finds net.git-fetch-with-cli in a cargo config file:
// under [net], or dotted at the top.
func tomlNetFetchWithCLI(text string) (value, found bool) {
	section := ""
	for line := range strings.SplitSeq(text, "\n") {
		line, _, _ = strings.Cut(line, "#")
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "[") {
			section = strings.TrimSpace(strings.Trim(line, "[]"))
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if section == "net" && k == "git-fetch-with-cli" || section == "" && k == "net.git-fetch-with-cli" {
			return v == "true", true
		}
	}
	return false, false
}

// jsFiles are the files of a JavaScript project that name its git
// dependencies.
var jsFiles = []string{"package.json", "package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml"}

// checkJavaScript checks the CodeCommit git dependencies of a JavaScript
// project: with yarn 2+ (.yarnrc.yml), git+https ones are downloaded as
// tarballs without credentials; SSH ones need install's rewrite rules.
func checkJavaScript(ctx context.Context, git gitconfig.Git, dir string) []Check {
	var https, ssh []string
	for _, name := range jsFiles {
		b, ok := readProjectFile(dir, name)
		if !ok {
			continue
		}
		for _, u := range codeCommitURLs(string(b)) {
			if strings.HasPrefix(u, "https://") {
				https = append(https, u)
			} else {
				ssh = append(ssh, u)
			}
		}
	}
	https, ssh = slices.Compact(slices.Sorted(slices.Values(https))), slices.Compact(slices.Sorted(slices.Values(ssh)))
	var checks []Check
	if _, err := os.Lstat(filepath.Join(dir, ".yarnrc.yml")); err == nil && len(https) > 0 {
		checks = append(checks, fail("yarn", "this yarn 2+ project (.yarnrc.yml) depends on "+strings.Join(https, ", ")+" over https: yarn asks git for the commit, then downloads the code itself, without credentials, and gets 401",
			"write them as git+ssh://"+codecommit.ExampleHost+"/v1/repos/NAME, list them in approvedGitRepositories, and run: "+ourName+" install --rewrite-ssh"))
	}
	var unrewritten []string
	for _, u := range ssh {
		out, err := git.Run(ctx, "ls-remote", "--get-url", "--", u)
		if err != nil || !strings.HasPrefix(strings.TrimSpace(out), "https://") {
			unrewritten = append(unrewritten, u)
		}
	}
	switch {
	case len(unrewritten) > 0:
		checks = append(checks, fail("ssh-deps", "the project depends on "+strings.Join(unrewritten, ", ")+" over SSH, which git does not rewrite to https: "+ourName+" signs only https",
			ourName+" install --rewrite-ssh (and no user name in the URLs: rewrite rules cannot match one)"))
	case len(ssh) > 0:
		checks = append(checks, ok("ssh-deps", "git rewrites the project's SSH dependencies on CodeCommit to https"))
	}
	return checks
}
