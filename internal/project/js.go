package project

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/change"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/codecommit"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/failure"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/gitconfig"
)

// jsFiles are the files of a JavaScript project that name its git
// dependencies.
var jsFiles = []string{"package.json", "package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml"}

// CheckJavaScript checks the CodeCommit git dependencies of a JavaScript
// project with yarn 2+ (a .yarnrc.yml, or "packageManager": "yarn@2…" or
// later in package.json): git+https ones are downloaded as tarballs without
// credentials, or refused before that when approvedGitRepositories does not
// list them (Yarn). Its SSH ones are CheckSSHDeps's.
func CheckJavaScript(o Options) []Finding {
	https, ssh, name, err := urlsIn(o.dir(), jsFiles)
	if err != nil {
		// What the file names is unknown: CheckSSHDeps's finding says
		// why, and yarn's check does not run.
		return absent(Yarn, "not checked: cannot read "+name)
	}
	return checkYarn(o, https, ssh)
}

// urlsIn returns the CodeCommit URLs the files names of dir name, https and
// SSH apart, sorted, each once; or the name of the first file that is there
// but cannot be read, and readFile's error.
func urlsIn(dir string, names []string) (https, ssh []string, bad string, err error) {
	for _, name := range names {
		b, err := readFile(dir, name)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, nil, name, err
		}
		for _, u := range codeCommitURLs(string(b)) {
			if strings.HasPrefix(u, "https://") {
				https = append(https, u)
			} else {
				ssh = append(ssh, u)
			}
		}
	}
	return slices.Compact(slices.Sorted(slices.Values(https))), slices.Compact(slices.Sorted(slices.Values(ssh))), "", nil
}

// yarnBerry says how the project in dir is a yarn 2+ project, or "".
func yarnBerry(dir string) string {
	if _, err := os.Lstat(filepath.Join(dir, ".yarnrc.yml")); err == nil {
		return ".yarnrc.yml"
	}
	b, err := readFile(dir, "package.json")
	if err != nil {
		return ""
	}
	var pkg struct {
		PackageManager string `json:"packageManager"`
	}
	if json.Unmarshal(b, &pkg) != nil {
		return ""
	}
	v, ok := strings.CutPrefix(pkg.PackageManager, "yarn@")
	major, _, _ := strings.Cut(v, ".")
	if n, err := strconv.Atoi(major); ok && err == nil && n >= 2 {
		return `"packageManager": "` + pkg.PackageManager + `"`
	}
	return ""
}

func checkYarn(o Options, https, ssh []string) []Finding {
	why := yarnBerry(o.dir())
	switch {
	case why == "":
		return absent(Yarn, "not a yarn 2+ project (no .yarnrc.yml, no packageManager yarn@2 or later)")
	case len(https) == 0 && len(ssh) == 0:
		return absent(Yarn, "no CodeCommit git dependency")
	case len(https) == 0:
		if un := unapproved(o.dir(), ssh); len(un) > 0 {
			return []Finding{{Manager: Yarn, Result: Broken, Err: &failure.Error{
				Problem: "yarn 2+ refuses " + list(un) + " before it runs git (YN0080): approvedGitRepositories in .yarnrc.yml does not list it",
				Fix:     "add to .yarnrc.yml: " + approvedLine}}}
		}
		return []Finding{{Manager: Yarn, Result: Fine, Detail: "approvedGitRepositories lets yarn 2+ fetch " + list(ssh) + " with git"}}
	}
	return []Finding{{Manager: Yarn, Result: Broken, Err: &failure.Error{
		Problem: "this yarn 2+ project (" + why + ") depends on " + list(https) + " over https: yarn asks git for the commit, then downloads the code itself, without credentials, and gets 401",
		Fix:     "write them as git+ssh://" + codecommit.ExampleHost + "/v1/repos/NAME, add to .yarnrc.yml: " + approvedLine + ", and run: " + o.Program + " install --rewrite-ssh"},
		Changes: []change.Change{{Kind: change.Install, RewriteSSH: true}}}}
}

// approvedLine is the .yarnrc.yml setting that lets yarn 2+ fetch
// CodeCommit SSH URLs.
const approvedLine = `approvedGitRepositories: ["ssh://git-codecommit.*.amazonaws.com/v1/repos/*"]`

// unapproved returns the URLs of urls that no pattern of
// approvedGitRepositories in dir's .yarnrc.yml matches. The patterns are
// globs; yarn matches them against the URL without its "git+".
func unapproved(dir string, urls []string) []string {
	b, _ := readFile(dir, ".yarnrc.yml")
	var patterns []string
	in := false
	for line := range strings.SplitSeq(string(b), "\n") {
		t := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(t, "approvedGitRepositories:"):
			in = true
			t = strings.TrimSpace(strings.TrimPrefix(t, "approvedGitRepositories:"))
			for p := range strings.SplitSeq(strings.Trim(t, "[]"), ",") {
				if p = strings.Trim(strings.TrimSpace(p), `"'`); p != "" {
					patterns = append(patterns, p)
				}
			}
		case in && strings.HasPrefix(t, "-"):
			patterns = append(patterns, strings.Trim(strings.TrimSpace(strings.TrimPrefix(t, "-")), `"'`))
		case t != "" && !strings.HasPrefix(t, "#"):
			in = false
		}
	}
	var un []string
	for _, u := range urls {
		if !slices.ContainsFunc(patterns, func(p string) bool {
			ok, _ := path.Match(p, strings.TrimPrefix(u, "git+"))
			return ok
		}) {
			un = append(un, u)
		}
	}
	return un
}

// notRewritten returns the URLs of urls that git would not fetch over
// https, asking git once per group of URLs it rewrites alike rather than
// once per URL: git rewrites a URL by the longest url.<base>.insteadOf
// prefix it starts with, so URLs with the same longest prefix (or none)
// rewrite alike, and one of each group stands for the rest.
func notRewritten(ctx context.Context, o Options, urls []string) ([]string, error) {
	out, err := o.git().Run(ctx, "config", "-z", "--get-regexp", `^url\..*\.insteadof$`)
	switch {
	case ctx.Err() != nil:
		return nil, stopped(ctx, "git config")
	case err != nil && !errors.Is(err, gitconfig.ErrNotFound):
		return nil, err
	}
	var prefixes []string
	for entry := range strings.SplitSeq(out, "\x00") {
		if _, prefix, ok := strings.Cut(entry, "\n"); ok && prefix != "" {
			prefixes = append(prefixes, prefix)
		}
	}
	https := map[string]bool{} // longest prefix ("" for none) → git rewrites its URLs to https
	var unrewritten []string
	for _, u := range urls {
		longest := ""
		for _, p := range prefixes {
			if len(p) > len(longest) && strings.HasPrefix(u, p) {
				longest = p
			}
		}
		rewritten, asked := https[longest]
		if !asked {
			got, err := o.git().Run(ctx, "ls-remote", "--get-url", "--", u)
			switch {
			case ctx.Err() != nil:
				return nil, stopped(ctx, "git ls-remote --get-url")
			case err != nil:
				return nil, err
			}
			rewritten = strings.HasPrefix(strings.TrimSpace(got), "https://")
			https[longest] = rewritten
		}
		if !rewritten {
			unrewritten = append(unrewritten, u)
		}
	}
	return unrewritten, nil
}
