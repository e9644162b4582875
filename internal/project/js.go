package project

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/codecommit"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/failure"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/gitconfig"
)

// jsFiles are the files of a JavaScript project that name its git
// dependencies.
var jsFiles = []string{"package.json", "package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml"}

// CheckJavaScript checks the CodeCommit git dependencies of a JavaScript
// project: with yarn 2+ (.yarnrc.yml), git+https ones are downloaded as
// tarballs without credentials (Yarn); SSH ones need install's rewrite
// rules (SSHDeps), which git is asked about.
func CheckJavaScript(ctx context.Context, o Options) []Finding {
	https, ssh, bad := jsDependencies(o.dir())
	if bad != nil {
		// What the file names is unknown: one warning says so, under
		// ssh-deps, and yarn's check does not run.
		return append(absent(Yarn, "not checked: "+failure.As(bad[0].Err).Finding()), bad...)
	}
	return append(checkYarn(o, https), checkSSHDeps(ctx, o, ssh)...)
}

// jsDependencies returns the CodeCommit URLs the JavaScript files name,
// https and SSH apart, sorted, each once; or, for a file that is there but
// cannot be read, an SSHDeps finding that says so.
func jsDependencies(dir string) (https, ssh []string, bad []Finding) {
	for _, name := range jsFiles {
		b, err := readFile(dir, name)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, nil, unreadable(SSHDeps, name, err)
		}
		for _, u := range codeCommitURLs(string(b)) {
			if strings.HasPrefix(u, "https://") {
				https = append(https, u)
			} else {
				ssh = append(ssh, u)
			}
		}
	}
	return slices.Compact(slices.Sorted(slices.Values(https))), slices.Compact(slices.Sorted(slices.Values(ssh))), nil
}

func checkYarn(o Options, https []string) []Finding {
	if _, err := os.Lstat(filepath.Join(o.dir(), ".yarnrc.yml")); err != nil {
		return absent(Yarn, "no .yarnrc.yml here (yarn 2 or later)")
	}
	if len(https) == 0 {
		return absent(Yarn, "no CodeCommit dependency over https")
	}
	return []Finding{{Manager: Yarn, Result: Broken, Err: &failure.Error{
		Problem: "this yarn 2+ project (.yarnrc.yml) depends on " + list(https) + " over https: yarn asks git for the commit, then downloads the code itself, without credentials, and gets 401",
		Fix:     "write them as git+ssh://" + codecommit.ExampleHost + "/v1/repos/NAME, list them in approvedGitRepositories, and run: " + o.Program + " install --rewrite-ssh"}}}
}

func checkSSHDeps(ctx context.Context, o Options, ssh []string) []Finding {
	if len(ssh) == 0 {
		return absent(SSHDeps, "no CodeCommit dependency over SSH")
	}
	unrewritten, err := notRewritten(ctx, o, ssh)
	if err != nil {
		return []Finding{{Manager: SSHDeps, Result: Unknown, Err: &failure.Error{
			Problem: "cannot ask git whether it rewrites the project's SSH dependencies on CodeCommit to https", Cause: failure.Reason(err), Err: err}}}
	}
	if len(unrewritten) == 0 {
		return []Finding{{Manager: SSHDeps, Result: Fine, Detail: "git rewrites the project's SSH dependencies on CodeCommit to https"}}
	}
	return []Finding{{Manager: SSHDeps, Result: Broken, Err: &failure.Error{
		Problem: "the project depends on " + list(unrewritten) + " over SSH, which git does not rewrite to https: " + o.Program + " signs only https",
		Fix:     o.Program + " install --rewrite-ssh (and no user name in the URLs: rewrite rules cannot match one)"}}}
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
