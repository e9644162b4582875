package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The JavaScript package managers fetch git dependencies by running git
// with their own environment, so the helper install configured answers for
// them. Every test here installs an application that depends on a library
// on CodeCommit, "outer", which itself depends on another, "inner", both by
// git+https URL; the application prints what they export.

// jsLibraries pushes inner and outer to the fake CodeCommit, and returns
// their commits. outer's package.json holds extra, if not empty, as more
// top-level fields.
func (w *world) jsLibraries(extra string) (inner, outer string) {
	w.t.Helper()
	return w.jsLibrariesVia(repoURL+"inner", extra)
}

// jsLibrariesVia is jsLibraries with outer depending on inner by innerURL.
func (w *world) jsLibrariesVia(innerURL, extra string) (inner, outer string) {
	w.t.Helper()
	inner = w.pushFiles("inner", map[string]string{
		"package.json": `{"name": "inner", "version": "1.0.0", "main": "index.js"}`,
		"index.js":     "module.exports = 'inner from CodeCommit';\n",
	})
	if extra != "" {
		extra = ", " + extra
	}
	outer = w.pushFiles("outer", map[string]string{
		"package.json": `{"name": "outer", "version": "1.0.0", "main": "index.js", "dependencies": {"inner": "git+` + innerURL + `"}` + extra + `}`,
		"index.js":     "module.exports = 'outer and ' + require('inner');\n",
	})
	return inner, outer
}

// jsApp writes an application that depends on outer under dir and returns
// dir.
func (w *world) jsApp(dir string) string {
	w.t.Helper()
	app := filepath.Join(w.home, dir)
	writeFile(w.t, filepath.Join(app, "package.json"),
		`{"name": "app", "version": "1.0.0", "private": true, "dependencies": {"outer": "git+`+repoURL+`outer"}}`)
	return app
}

// checkApp runs node in app and checks that outer and inner were installed.
func (w *world) checkApp(app string) {
	w.t.Helper()
	out, stderr, code := w.run(app, "", "node", "-e", "console.log(require('outer'))")
	if code != 0 || out != "outer and inner from CodeCommit\n" {
		w.t.Fatalf("node in %s: exit %d, printed %q\n%s", app, code, out, stderr)
	}
}

// mustRun runs a client and fails the test if it fails.
func (w *world) mustRun(dir, name string, args ...string) string {
	w.t.Helper()
	stdout, stderr, code := w.run(dir, "", name, args...)
	if code != 0 {
		w.t.Fatalf("%s %s: exit %d\nstdout:\n%s\nstderr:\n%s", name, strings.Join(args, " "), code, stdout, stderr)
	}
	return stdout
}

// TestNpmTransitiveGitDependencies installs, with npm, a git dependency
// that has a git dependency of its own and a prepare script, which npm runs
// in its own clone of the dependency, then reinstalls from the lockfile
// with npm ci. It is the one npm test of both URL forms: the application
// depends on outer by its git+https URL, outer on inner by its git+ssh
// URL, which install --rewrite-ssh makes git fetch over HTTPS (ssh itself
// would fail the test), and the lockfile keeps each URL as written.
func TestNpmTransitiveGitDependencies(t *testing.T) {
	t.Parallel()
	requireTool(t, "npm")
	w, key := installedWorld(t, "--rewrite-ssh")
	w.noSSH()
	innerURL := "ssh://" + host + "/v1/repos/inner"
	innerHead, outerHead := w.jsLibrariesVia(innerURL, `"scripts": {"prepare": "node -e \"require('fs').writeFileSync('prepared', 'yes')\""}`)
	app := w.jsApp("app")
	npm := []string{"--no-audit", "--no-fund", "--registry=http://127.0.0.1:9/", "--cache=" + filepath.Join(w.home, "npm-cache")}
	w.setenv("NPM_CONFIG_UPDATE_NOTIFIER=false")

	p := w.startPhase("npm install")
	w.mustRun(app, "npm", append([]string{"install"}, npm...)...)
	// npm resolves a git dependency with git ls-remote, then clones it
	// twice (for its manifest, then for its files): three gets a
	// dependency. To run outer's prepare script, npm installs outer's own
	// dependencies in a scratch clone, which resolves inner a second time:
	// nine gets at most; two (ls-remote and clone) per dependency at least.
	p.checkGets(4, 9)
	w.checkApp(app)
	if got := readFile(t, filepath.Join(app, "node_modules", "outer", "prepared")); got != "yes" {
		t.Errorf("outer's prepare script left %q", got)
	}
	var lock struct {
		Packages map[string]struct{ Resolved string } `json:"packages"`
	}
	if b := readFile(t, filepath.Join(app, "package-lock.json")); json.Unmarshal([]byte(b), &lock) != nil {
		t.Fatalf("package-lock.json is not JSON:\n%s", b)
	}
	for dep, want := range map[string]string{"outer": "git+" + repoURL + "outer#" + outerHead, "inner": "git+" + innerURL + "#" + innerHead} {
		if got := lock.Packages["node_modules/"+dep].Resolved; got != want {
			t.Errorf("the lockfile resolves %s to %q, want %q", dep, got, want)
		}
	}

	if err := os.RemoveAll(filepath.Join(app, "node_modules")); err != nil {
		t.Fatal(err)
	}
	p = w.startPhase("npm ci")
	w.mustRun(app, "npm", append([]string{"ci"}, npm...)...)
	// The lockfile names the commits, yet npm still runs git ls-remote for
	// each; it clones less: the same bounds.
	p.checkGets(4, 9)
	w.checkApp(app)
	w.assertSignedBy(is(key.AccessKeyID))
}

// TestYarn1GitDependencies installs the application with yarn 1 (classic),
// then again from its lockfile with --frozen-lockfile.
func TestYarn1GitDependencies(t *testing.T) {
	t.Parallel()
	yarn := requireTool(t, "yarn")
	w, key := installedWorld(t)
	if v := strings.TrimSpace(w.mustRun("", yarn, "--version")); !strings.HasPrefix(v, "1.") {
		t.Fatalf("yarn on PATH is %s; this test is for yarn 1 (.ci/run installs yarn@1.22.22)", v)
	}
	w.jsLibraries("")
	app := w.jsApp("app")
	// Offline: no registry, no update check, a private cache.
	writeFile(t, filepath.Join(app, ".yarnrc"), "registry \"http://127.0.0.1:9/\"\ndisable-self-update-check true\n")
	yarnArgs := []string{"--non-interactive", "--no-progress"}

	p := w.startPhase("yarn 1 install")
	w.mustRun(app, yarn, append([]string{"install", "--cache-folder", filepath.Join(w.home, "yarn-cache")}, yarnArgs...)...)
	// Per git dependency, yarn 1 runs up to six git commands that reach
	// the server: ls-remote --tags --heads twice, ls-remote --symref,
	// clone, and two fetches.
	p.checkGets(4, 12)
	w.checkApp(app)
	lock := readFile(t, filepath.Join(app, "yarn.lock"))
	if !strings.Contains(lock, `resolved "git+`+repoURL+`inner#`) {
		t.Errorf("yarn.lock does not pin inner to a commit:\n%s", lock)
	}

	// From the lockfile, with an empty cache, as on a build machine.
	if err := os.RemoveAll(filepath.Join(app, "node_modules")); err != nil {
		t.Fatal(err)
	}
	p = w.startPhase("yarn 1 install --frozen-lockfile")
	w.mustRun(app, yarn, append([]string{"install", "--frozen-lockfile", "--cache-folder", filepath.Join(w.home, "yarn-cache-2")}, yarnArgs...)...)
	// The lockfile names the commits: ls-remote and one clone per
	// dependency.
	p.checkGets(2, 4)
	w.checkApp(app)
	w.assertSignedBy(is(key.AccessKeyID))
}

// TestPnpmGitDependencies installs git dependencies with pnpm, which since
// version 11 refuses git dependencies of dependencies (its setting
// blockExoticSubdeps is true by default): a direct git dependency installs,
// outer (whose inner is a git dependency) fails until the application's
// pnpm-workspace.yaml sets blockExoticSubdeps to false, even when inner is
// also a direct dependency. Then it installs again from the lockfile.
func TestPnpmGitDependencies(t *testing.T) {
	t.Parallel()
	pnpm := requireTool(t, "pnpm")
	w, key := installedWorld(t)
	w.jsLibraries("")
	// pnpm clones into TMPDIR.
	w.setenv("TMPDIR=" + t.TempDir())
	install := func(app string, args ...string) (stderr string, code int) {
		t.Helper()
		// Offline, with a store and a cache of its own for each call: a
		// later flag wins.
		store := filepath.Join(w.home, "pnpm", strconv.Itoa(len(w.cc.Verdicts())))
		flags := []string{"install", "--registry=http://127.0.0.1:9/", "--reporter=append-only",
			"--store-dir=" + filepath.Join(store, "store"), "--config.cache-dir=" + filepath.Join(store, "cache")}
		_, stderr, code = w.run(app, "", pnpm, append(flags, args...)...)
		return stderr, code
	}
	newApp := func(name, deps, workspace string) string {
		t.Helper()
		app := filepath.Join(w.home, name)
		writeFile(t, filepath.Join(app, "package.json"), `{"name": "app", "version": "1.0.0", "private": true, "dependencies": {`+deps+`}}`)
		if workspace != "" {
			writeFile(t, filepath.Join(app, "pnpm-workspace.yaml"), workspace)
		}
		return app
	}
	inner := `"inner": "git+` + repoURL + `inner"`
	outer := `"outer": "git+` + repoURL + `outer"`

	app := newApp("direct", inner, "")
	p := w.startPhase("pnpm install, a direct git dependency")
	if stderr, code := install(app); code != 0 {
		t.Fatalf("pnpm install: exit %d\n%s", code, stderr)
	}
	// git ls-remote, then git clone.
	p.checkGets(2, 2)
	if out := w.mustRun(app, "node", "-e", "console.log(require('inner'))"); out != "inner from CodeCommit\n" {
		t.Errorf("node printed %q", out)
	}

	app = newApp("blocked", inner+", "+outer, "")
	p = w.startPhase("pnpm install, a git dependency of a git dependency, blocked")
	stderr, code := install(app)
	if code == 0 || !strings.Contains(stderr, "ERR_PNPM_EXOTIC_SUBDEP") || !strings.Contains(stderr, `Exotic dependency "inner"`) {
		t.Fatalf("pnpm install with the default blockExoticSubdeps: exit %d\n%s", code, stderr)
	}
	// pnpm resolves inner twice (as a dependency of the application and
	// of outer) and fetches both before it refuses: three ls-remote and two
	// clones.
	p.checkGets(2, 5)

	app = newApp("allowed", outer, "blockExoticSubdeps: false\n")
	p = w.startPhase("pnpm install, blockExoticSubdeps: false")
	if stderr, code := install(app); code != 0 {
		t.Fatalf("pnpm install: exit %d\n%s", code, stderr)
	}
	p.checkGets(4, 4)
	w.checkApp(app)
	lock := readFile(t, filepath.Join(app, "pnpm-lock.yaml"))
	if !strings.Contains(lock, "repo: "+repoURL+"inner") || !strings.Contains(lock, "commit: ") {
		t.Errorf("pnpm-lock.yaml does not pin inner to a commit:\n%s", lock)
	}

	// From the lockfile, with an empty store.
	if err := os.RemoveAll(filepath.Join(app, "node_modules")); err != nil {
		t.Fatal(err)
	}
	p = w.startPhase("pnpm install --frozen-lockfile")
	if stderr, code := install(app, "--frozen-lockfile"); code != 0 {
		t.Fatalf("pnpm install --frozen-lockfile: exit %d\n%s", code, stderr)
	}
	// A clone for each dependency; a ls-remote too at most.
	p.checkGets(2, 4)
	w.checkApp(app)
	w.assertSignedBy(is(key.AccessKeyID))
}

// publishPackage creates repo on the fake CodeCommit and pushes to it,
// through cloneURL, an npm package called name whose module is the string
// greeting. It returns the commit pushed.
func (w *world) publishPackage(cloneURL, repo, name, greeting string) string {
	w.t.Helper()
	if err := w.cc.CreateRepo(repo); err != nil {
		w.t.Fatal(err)
	}
	src := filepath.Join(w.home, "src", repo)
	w.git("clone", cloneURL, src)
	writeFile(w.t, filepath.Join(src, "package.json"), `{"name": "`+name+`", "version": "1.0.0", "main": "index.js"}`)
	writeFile(w.t, filepath.Join(src, "index.js"), "module.exports = '"+greeting+"';\n")
	w.gitIn(src, "add", ".")
	w.gitIn(src, "commit", "-m", name+" 1.0.0")
	w.gitIn(src, "push", "origin", "HEAD:main")
	return strings.TrimSpace(w.gitIn(src, "rev-parse", "HEAD"))
}

func (w *world) npm(dir string, args ...string) {
	w.t.Helper()
	_, stderr, code := w.run(dir, "", "npm", args...)
	if code != 0 {
		w.t.Fatalf("npm %s: exit %d\n%s", strings.Join(args, " "), code, stderr)
	}
}

func writeFile(t *testing.T, name, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}
