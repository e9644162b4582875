package project

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/codecommit"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/failure"
)

// jsFiles are the files of a JavaScript project that name its git
// dependencies.
var jsFiles = []string{"package.json", "package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml"}

// CheckJavaScript checks the CodeCommit git dependencies of a JavaScript
// project: with yarn 2+ (.yarnrc.yml), git+https ones are downloaded as
// tarballs without credentials (Yarn); SSH ones need install's rewrite
// rules (SSHDeps), which git is asked about.
func CheckJavaScript(ctx context.Context, o Options) []Finding {
	https, ssh := jsDependencies(o.dir())
	return append(checkYarn(o, https), checkSSHDeps(ctx, o, ssh)...)
}

// jsDependencies returns the CodeCommit URLs the JavaScript files name,
// https and SSH apart, sorted, each once.
func jsDependencies(dir string) (https, ssh []string) {
	for _, name := range jsFiles {
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

func checkYarn(o Options, https []string) []Finding {
	if _, err := os.Lstat(filepath.Join(o.dir(), ".yarnrc.yml")); err != nil {
		return absent(Yarn, "no .yarnrc.yml here (yarn 2 or later)")
	}
	if len(https) == 0 {
		return absent(Yarn, "no CodeCommit dependency over https")
	}
	return []Finding{{Manager: Yarn, Result: Broken, Err: &failure.Error{
		Problem: "this yarn 2+ project (.yarnrc.yml) depends on " + strings.Join(https, ", ") + " over https: yarn asks git for the commit, then downloads the code itself, without credentials, and gets 401",
		Fix:     "write them as git+ssh://" + codecommit.ExampleHost + "/v1/repos/NAME, list them in approvedGitRepositories, and run: " + o.Program + " install --rewrite-ssh"}}}
}

func checkSSHDeps(ctx context.Context, o Options, ssh []string) []Finding {
	if len(ssh) == 0 {
		return absent(SSHDeps, "no CodeCommit dependency over SSH")
	}
	var unrewritten []string
	for _, u := range ssh {
		out, err := o.git().Run(ctx, "ls-remote", "--get-url", "--", u)
		if err != nil || !strings.HasPrefix(strings.TrimSpace(out), "https://") {
			unrewritten = append(unrewritten, u)
		}
	}
	if len(unrewritten) == 0 {
		return []Finding{{Manager: SSHDeps, Result: Fine, Detail: "git rewrites the project's SSH dependencies on CodeCommit to https"}}
	}
	return []Finding{{Manager: SSHDeps, Result: Broken, Err: &failure.Error{
		Problem: "the project depends on " + strings.Join(unrewritten, ", ") + " over SSH, which git does not rewrite to https: " + o.Program + " signs only https",
		Fix:     o.Program + " install --rewrite-ssh (and no user name in the URLs: rewrite rules cannot match one)"}}}
}
