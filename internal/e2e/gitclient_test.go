package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestGitSubmodules clones, with --recurse-submodules, a superproject with
// two submodules on CodeCommit: one by absolute URL, one by a URL relative
// to the superproject's (../lib-rel). Then it moves both submodules on and
// updates the clone from their remotes.
func TestGitSubmodules(t *testing.T) {
	t.Parallel()
	w, key := installedWorld(t)
	w.pushFiles("lib-abs", map[string]string{"abs.txt": "absolute\n"})
	w.pushFiles("lib-rel", map[string]string{"rel.txt": "relative\n"})
	w.pushFiles("super", map[string]string{"README": "super\n"})
	src := filepath.Join(w.home, "src", "super")
	w.gitIn(src, "submodule", "add", "--quiet", repoURL+"lib-abs", "abs")
	w.gitIn(src, "submodule", "add", "--quiet", "../lib-rel", "rel")
	w.commitFiles(src, nil)
	if got := w.gitIn(src, "config", "--file", ".gitmodules", "submodule.rel.url"); got != "../lib-rel\n" {
		t.Fatalf(".gitmodules keeps the URL %q, want the relative one", got)
	}

	clone := filepath.Join(w.home, "clone")
	p := w.startPhase("git clone --recurse-submodules")
	w.git("clone", "--quiet", "--recurse-submodules", repoURL+"super", clone)
	// A clone of the superproject and one of each submodule: a get each.
	p.checkGets(3, 3)
	for name, want := range map[string]string{"abs/abs.txt": "absolute\n", "rel/rel.txt": "relative\n"} {
		if got := readFile(t, filepath.Join(clone, name)); got != want {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
	}
	if got := w.gitIn(filepath.Join(clone, "rel"), "remote", "get-url", "origin"); got != repoURL+"lib-rel\n" {
		t.Errorf("the relative submodule's remote is %q", got)
	}

	// New commits in both libraries; the clone follows their main branches.
	for _, lib := range []string{"lib-abs", "lib-rel"} {
		w.commitFiles(filepath.Join(w.home, "src", lib), map[string]string{"NEWS": "second in " + lib + "\n"})
	}
	p = w.startPhase("git submodule update --remote")
	w.gitIn(clone, "submodule", "update", "--quiet", "--remote")
	// One fetch per submodule.
	p.checkGets(2, 2)
	for _, name := range []string{"abs", "rel"} {
		if _, err := os.Stat(filepath.Join(clone, name, "NEWS")); err != nil {
			t.Errorf("submodule %s was not updated: %v", name, err)
		}
	}
	w.assertSignedBy(is(key.AccessKeyID))
}

// TestGitShallowClone clones one commit of a three-commit history with
// --depth 1, then deepens it by fetching the rest.
func TestGitShallowClone(t *testing.T) {
	t.Parallel()
	w, key := installedWorld(t)
	w.pushFiles("history", map[string]string{"v": "1\n"})
	src := filepath.Join(w.home, "src", "history")
	w.commitFiles(src, map[string]string{"v": "2\n"})
	head := w.commitFiles(src, map[string]string{"v": "3\n"})

	clone := filepath.Join(w.home, "shallow")
	p := w.startPhase("git clone --depth 1")
	w.git("clone", "--quiet", "--depth", "1", repoURL+"history", clone)
	p.checkGets(1, 1)
	if got := w.gitIn(clone, "rev-parse", "--is-shallow-repository", "HEAD"); got != "true\n"+head+"\n" {
		t.Errorf("after the shallow clone: %q", got)
	}
	if n := w.gitIn(clone, "rev-list", "--count", "HEAD"); n != "1\n" {
		t.Errorf("the shallow clone has %s commits", strings.TrimSpace(n))
	}

	p = w.startPhase("git fetch --unshallow")
	w.gitIn(clone, "fetch", "--quiet", "--unshallow")
	p.checkGets(1, 1)
	if n := w.gitIn(clone, "rev-list", "--count", "HEAD"); n != "3\n" {
		t.Errorf("after --unshallow the clone has %s commits", strings.TrimSpace(n))
	}
	w.assertSignedBy(is(key.AccessKeyID))
}

// TestGitPartialClone clones with --filter=blob:none, so that git fetches
// the blobs of older commits only when a checkout needs them, each time in
// a fetch of its own that asks the helper again.
func TestGitPartialClone(t *testing.T) {
	t.Parallel()
	w, key := installedWorld(t)
	w.pushFiles("blobs", map[string]string{"data": "old\n"})
	src := filepath.Join(w.home, "src", "blobs")
	first := strings.TrimSpace(w.gitIn(src, "rev-parse", "HEAD"))
	w.commitFiles(src, map[string]string{"data": "new\n"})
	// The fake serves what git http-backend serves; filters need the
	// server's consent, which CodeCommit's documentation does not mention.
	w.gitIn(w.cc.RepoDir("blobs"), "config", "uploadpack.allowFilter", "true")

	clone := filepath.Join(w.home, "partial")
	p := w.startPhase("git clone --filter=blob:none")
	w.git("clone", "--quiet", "--filter=blob:none", repoURL+"blobs", clone)
	// The clone fetches commits and trees; the checkout that ends it
	// fetches the blobs it needs in a second git process, with a get of its
	// own.
	p.checkGets(2, 2)
	if got := w.gitIn(clone, "config", "remote.origin.partialclonefilter"); got != "blob:none\n" {
		t.Errorf("the clone is not partial: filter %q", got)
	}
	missing := func() int {
		out := w.gitIn(clone, "rev-list", "--objects", "--all", "--missing=print")
		return strings.Count(out, "\n?")
	}
	if n := missing(); n != 1 {
		t.Errorf("%d blobs missing after the partial clone, want the old one", n)
	}

	p = w.startPhase("git checkout of an old commit")
	w.gitIn(clone, "checkout", "--quiet", first)
	p.checkGets(1, 1)
	if got := readFile(t, filepath.Join(clone, "data")); got != "old\n" {
		t.Errorf("data is %q after the checkout", got)
	}
	if n := missing(); n != 0 {
		t.Errorf("%d blobs still missing", n)
	}
	w.assertSignedBy(is(key.AccessKeyID))
}

// TestGitCodecommitSubmodule clones a superproject whose submodule has a
// codecommit:// URL, through the git-remote-codecommit that install
// --remote-helper linked. Git refuses that transport for submodules unless
// protocol.codecommit.allow says always: its default for a protocol it does
// not know is "user", which submodule clones do not satisfy.
func TestGitCodecommitSubmodule(t *testing.T) {
	t.Parallel()
	bin := t.TempDir()
	w, key := installedWorld(t, "--remote-helper="+bin)
	w.setenv("PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH"))
	w.write(".aws/config", "[default]\nregion = us-east-1\n")
	w.pushFiles("cc-lib", map[string]string{"lib.txt": "from codecommit://\n"})
	w.pushFiles("cc-super", map[string]string{"README": "super\n"})
	src := filepath.Join(w.home, "src", "cc-super")
	// git submodule add clones the submodule itself: it too needs the
	// protocol allowed.
	w.gitIn(src, "-c", "protocol.codecommit.allow=always", "submodule", "add", "--quiet", "codecommit://cc-lib", "lib")
	w.commitFiles(src, nil)

	refused := filepath.Join(w.home, "refused")
	_, stderr, code := w.run("", "", "git", "clone", "--quiet", "--recurse-submodules", repoURL+"cc-super", refused)
	if code == 0 || !strings.Contains(stderr, "transport 'codecommit' not allowed") {
		t.Fatalf("without protocol.codecommit.allow: exit %d\n%s", code, stderr)
	}
	// In that clone, doctor fails the submodule, as git submodule update
	// does, until doctor --fix allows the transport.
	w.doctorFails(refused, "submodules")
	if _, stderr, code := w.run(refused, "", "git", "submodule", "update", "--init", "--quiet"); code == 0 || !strings.Contains(stderr, "transport 'codecommit' not allowed") {
		t.Fatalf("git submodule update without protocol.codecommit.allow: exit %d\n%s", code, stderr)
	}
	w.doctorFix(refused, []string{"git config --global protocol.codecommit.allow always"}, w.gitConfig())
	w.gitIn(refused, "submodule", "update", "--init", "--quiet")
	// The submodule's remote is codecommit://. Where git finds no
	// git-remote-codecommit, doctor fails it and so does git fetch.
	lib := filepath.Join(refused, "lib")
	w.setenv("PATH=" + os.Getenv("PATH"))
	w.doctorFailsFor(lib, []string{"origin"}, "url")
	if _, stderr, code := w.run(lib, "", "git", "fetch", "--quiet", "origin"); code == 0 || !strings.Contains(stderr, "remote-codecommit") {
		t.Errorf("git fetch without git-remote-codecommit: exit %d\n%s", code, stderr)
	}
	w.setenv("PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH"))
	// Where it does, doctor checks the remote as such, by its name and as
	// a URL in both forms.
	for _, remote := range []string{"origin", "codecommit://cc-lib", "codecommit::us-east-1://cc-lib"} {
		if out := w.doctorPasses(lib, remote); !strings.Contains(out, "ok    url         codecommit") {
			t.Errorf("doctor %s:\n%s", remote, out)
		}
	}
	w.assertSignedBy(is(key.AccessKeyID))

	clone := filepath.Join(w.home, "clone")
	p := w.startPhase("git clone --recurse-submodules (codecommit://)")
	w.git("clone", "--quiet", "--recurse-submodules", repoURL+"cc-super", clone)
	// The superproject's clone, and the submodule's through the remote
	// helper, which runs git remote-https with the credential helper.
	p.checkGets(2, 2)
	if got := readFile(t, filepath.Join(clone, "lib", "lib.txt")); got != "from codecommit://\n" {
		t.Errorf("lib/lib.txt: %q", got)
	}
	if got := w.gitIn(filepath.Join(clone, "lib"), "remote", "get-url", "origin"); got != "codecommit://cc-lib\n" {
		t.Errorf("the submodule's remote is %q", got)
	}
	w.assertSignedBy(is(key.AccessKeyID))
}
