package project

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/change"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/failure"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/gitconfig"
)

// depFiles are the files, besides jsFiles, Cargo.toml and its workspace's,
// in which clients that fetch with git name git dependencies: pip's
// requirements and pyproject.toml, Bundler's Gemfile, Terraform's *.tf.
var depFiles = []string{"requirements.txt", "pyproject.toml", "Gemfile", "Gemfile.lock", "Cargo.lock"}

// dependencyFiles returns the names, relative to dir, of every file whose
// CodeCommit URLs a client may fetch with git.
func dependencyFiles(dir string) []string {
	cargo, _ := cargoManifests(dir)
	names := slices.Concat(jsFiles, depFiles, cargo)
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		for _, pattern := range []string{"requirements*.txt", "*.tf"} {
			if ok, _ := filepath.Match(pattern, e.Name()); ok {
				names = append(names, e.Name())
			}
		}
	}
	return slices.Compact(slices.Sorted(slices.Values(names)))
}

// CheckSSHDeps checks the CodeCommit SSH URLs the project's dependency
// files name: git must rewrite each to https (install --rewrite-ssh), which
// its url.<base>.insteadOf rules, literal prefixes, cannot do for a URL
// with a user name.
func CheckSSHDeps(ctx context.Context, o Options) []Finding {
	_, ssh, name, err := urlsIn(o.dir(), dependencyFiles(o.dir()))
	if err != nil {
		return unreadable(SSHDeps, name, err)
	}
	if len(ssh) == 0 {
		return absent(SSHDeps, "no CodeCommit dependency over SSH")
	}
	unrewritten, err := notRewritten(ctx, o, ssh)
	if err != nil {
		return cannotAsk(err)
	}
	var plain, named, bare []string // not rewritten: without a user name, with one, and that one without it
	for _, u := range unrewritten {
		s, _ := gitconfig.ParseSSH(u)
		if s.User == "" {
			plain = append(plain, u)
			continue
		}
		named = append(named, u)
		bare = append(bare, "ssh://"+s.Host+"/"+strings.TrimPrefix(s.Path, "/"))
	}
	if len(unrewritten) == 0 {
		return []Finding{{Manager: SSHDeps, Result: Fine, Detail: "git rewrites the project's SSH dependencies on CodeCommit to https"}}
	}
	f := Finding{Manager: SSHDeps, Result: Broken}
	if len(plain) == 0 {
		// git rewrites the URLs with a user name once it is gone when
		// install --rewrite-ssh has been run: only the user names are left.
		still, err := notRewritten(ctx, o, bare)
		if err != nil {
			return cannotAsk(err)
		}
		if len(still) == 0 {
			f.Err = &failure.Error{Problem: "the project depends on " + list(named) + " over SSH with a user name, which git's rewrite rules (literal prefixes) cannot match: " + o.Program + " signs only https",
				Fix: "remove the user name (NAME@) from those URLs"}
			return []Finding{f}
		}
	}
	fix := o.Program + " install --rewrite-ssh"
	if len(named) > 0 {
		fix += ", and remove the user name (NAME@) from the URLs that have one: rewrite rules cannot match it"
	}
	f.Err = &failure.Error{Problem: "the project depends on " + list(slices.Concat(plain, named)) + " over SSH, which git does not rewrite to https: " + o.Program + " signs only https", Fix: fix}
	f.Changes = []change.Change{{Kind: change.Install, RewriteSSH: true}}
	return []Finding{f}
}

// cannotAsk is CheckSSHDeps's finding when git could not be asked.
func cannotAsk(err error) []Finding {
	return []Finding{{Manager: SSHDeps, Result: Unknown, Err: &failure.Error{
		Problem: "cannot ask git whether it rewrites the project's SSH dependencies on CodeCommit to https", Cause: failure.Reason(err), Err: err}}}
}
