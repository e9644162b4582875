package project

import (
	"encoding/json"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/change"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/codecommit"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/failure"
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
	https, ssh := urlsIn(o.dir(), jsFiles)
	return checkYarn(o, https, ssh)
}

// urlsIn returns the CodeCommit URLs the files names of dir name, https and
// SSH apart, sorted, each once.
func urlsIn(dir string, names []string) (https, ssh []string) {
	for _, name := range names {
		b, ok := readFile(dir, name)
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
	return slices.Compact(slices.Sorted(slices.Values(https))), slices.Compact(slices.Sorted(slices.Values(ssh)))
}

// yarnBerry says how the project in dir is a yarn 2+ project, or "".
func yarnBerry(dir string) string {
	if _, err := os.Lstat(filepath.Join(dir, ".yarnrc.yml")); err == nil {
		return ".yarnrc.yml"
	}
	b, ok := readFile(dir, "package.json")
	if !ok {
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
				Problem: "yarn 2+ refuses " + strings.Join(un, ", ") + " before it runs git (YN0080): approvedGitRepositories in .yarnrc.yml does not list it",
				Fix:     "add to .yarnrc.yml: " + approvedLine}}}
		}
		return []Finding{{Manager: Yarn, Result: Fine, Detail: "approvedGitRepositories lets yarn 2+ fetch " + strings.Join(ssh, ", ") + " with git"}}
	}
	return []Finding{{Manager: Yarn, Result: Broken, Err: &failure.Error{
		Problem: "this yarn 2+ project (" + why + ") depends on " + strings.Join(https, ", ") + " over https: yarn asks git for the commit, then downloads the code itself, without credentials, and gets 401",
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
