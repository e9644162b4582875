package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestNpmInstallGitDependency installs a git+https CodeCommit dependency
// with real npm, on "EC2" (instance metadata credentials), then reinstalls
// it from the lockfile with npm ci. npm runs git, git runs the helper.
func TestNpmInstallGitDependency(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("npm"); err != nil {
		t.Fatal("npm is not installed; .ci/run installs Node.js and npm")
	}
	w := newWorld(t)
	imds := w.startIMDS()

	// Publish the library to the fake CodeCommit.
	head := w.publishPackage(repoURL+"lib", "lib", "lib", "hello from CodeCommit")

	// An application that depends on it.
	app := filepath.Join(w.home, "app")
	writeFile(t, filepath.Join(app, "package.json"),
		`{"name": "app", "version": "1.0.0", "private": true, "dependencies": {"lib": "git+`+repoURL+`lib"}}`)
	// Offline: no registry, a private cache, no update check.
	npm := []string{"--no-audit", "--no-fund", "--registry=http://127.0.0.1:9/", "--cache=" + filepath.Join(w.home, "npm-cache")}
	w.setenv("NPM_CONFIG_UPDATE_NOTIFIER=false")

	w.npm(app, append([]string{"install"}, npm...)...)
	w.checkInstalled(app)
	var lock struct {
		Packages map[string]struct{ Resolved string } `json:"packages"`
	}
	b, err := os.ReadFile(filepath.Join(app, "package-lock.json"))
	if err != nil || json.Unmarshal(b, &lock) != nil {
		t.Fatalf("package-lock.json: %v\n%s", err, b)
	}
	if got, want := lock.Packages["node_modules/lib"].Resolved, "git+"+repoURL+"lib#"+head; got != want {
		t.Errorf("the lockfile resolves lib to %q, want %q", got, want)
	}

	if err := os.RemoveAll(filepath.Join(app, "node_modules")); err != nil {
		t.Fatal(err)
	}
	w.npm(app, append([]string{"ci"}, npm...)...)
	w.checkInstalled(app)

	w.assertSignedBy(is(imds.Issued().AccessKeyID))
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

func (w *world) checkInstalled(app string) {
	w.t.Helper()
	out, stderr, code := w.run(app, "", "node", "-e", "console.log(require('lib'))")
	if code != 0 || out != "hello from CodeCommit\n" {
		w.t.Fatalf("node: exit %d, printed %q\n%s", code, out, stderr)
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
