package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// goModule is the module path of the repository gomod on the fake
// CodeCommit. The ".git" qualifier tells go that the path is a git
// repository, so that it runs git at once instead of asking the server
// with its own HTTP client (GET …?go-get=1, no credentials) where the
// repository is.
const goModule = host + "/v1/repos/gomod.git"

// TestGoModules builds a program that requires a module on CodeCommit.
// go runs git ls-remote and git fetch, which ask the helper. GOPRIVATE
// keeps go from asking the public module proxy and checksum database about
// the module; here GOPROXY=off makes any module that is not private fail.
func TestGoModules(t *testing.T) {
	t.Parallel()
	goBin := requireTool(t, "go")
	w, key := installedWorld(t)
	// The module cache is read-only unless -modcacherw, which would keep
	// the test's temporary directory from being removed. The build cache is
	// the machine's, so that the standard library is not built again.
	w.setenv("GOPRIVATE=git-codecommit.*.amazonaws.com", "GOPROXY=off", "GOFLAGS=-modcacherw", "GOTOOLCHAIN=local",
		"GOPATH="+filepath.Join(w.home, "go"), "GOMODCACHE="+filepath.Join(w.home, "gomodcache"), "GOCACHE="+os.Getenv("GOCACHE"),
		// go's own HTTP client reads these, not git's configuration: any
		// request it made itself would reach the fake, not AWS, and show
		// up there as a 401 without a get.
		"HTTPS_PROXY="+w.cc.ProxyURL, "SSL_CERT_FILE="+w.cc.CAFile)
	w.pushFiles("gomod", map[string]string{
		"go.mod":   "module " + goModule + "\n\ngo 1.21\n",
		"greet.go": "package greet\n\n// Hello greets.\nfunc Hello() string { return \"hello from CodeCommit\" }\n",
	})
	src := filepath.Join(w.home, "src", "gomod")
	w.gitIn(src, "tag", "v1.0.0")
	w.gitIn(src, "push", "--quiet", "origin", "v1.0.0")

	app := filepath.Join(w.home, "app")
	writeFile(t, filepath.Join(app, "main.go"), "package main\n\nimport (\n\t\"fmt\"\n\n\tgreet \""+goModule+"\"\n)\n\nfunc main() { fmt.Println(greet.Hello()) }\n")
	w.mustRun(app, goBin, "mod", "init", "example.com/app")

	p := w.startPhase("go get")
	w.mustRun(app, goBin, "get", goModule+"@v1.0.0")
	// git ls-remote to find that https works, git ls-remote for the
	// tags, git fetch of the tag.
	p.checkGets(3, 3)
	p = w.startPhase("go build")
	w.mustRun(app, goBin, "build", "-o", "app", ".")
	if n, _ := p.helperRuns("get"); n != 0 {
		t.Errorf("go build, with the module in the cache, ran the helper %d times", n)
	}
	if out := w.mustRun(app, filepath.Join(app, "app")); out != "hello from CodeCommit\n" {
		t.Errorf("the program printed %q", out)
	}

	// Without the qualifier, go asks the server where the repository is
	// with its own HTTP client, without credentials, and CodeCommit answers
	// 401. The helper never runs.
	plain := host + "/v1/repos/gomod"
	p = w.startPhase("go get without .git")
	_, stderr, code := w.run(app, "", goBin, "get", plain+"@v1.0.0")
	if code == 0 || !strings.Contains(stderr, "reading https://"+plain+"?go-get=1: 401 Unauthorized") {
		t.Errorf("go get %s: exit %d\n%s", plain, code, stderr)
	}
	if n, _ := p.helperRuns("get"); n != 0 {
		t.Errorf("go get %s ran the helper %d times", plain, n)
	}
	w.assertSignedBy(is(key.AccessKeyID))
}
