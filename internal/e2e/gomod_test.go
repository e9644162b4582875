package e2e

import (
	"net/http"
	"net/http/httptest"
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
// go runs git ls-remote and git fetch, which ask the helper. The module
// proxy and checksum database are a loopback fake that knows no module, as
// the public ones know no CodeCommit module: GOPRIVATE keeps go from asking
// them. doctor fails a new project without it, before its first go get,
// and doctor --fix sets it.
func TestGoModules(t *testing.T) {
	t.Parallel()
	goBin := requireTool(t, "go")
	w, key := installedWorld(t)
	// Like proxy.golang.org and sum.golang.org for a module they cannot
	// fetch: 404 for everything.
	public := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(public.Close)
	// The module cache is read-only unless -modcacherw, which would keep
	// the test's temporary directory from being removed. The build cache is
	// the machine's, so that the standard library is not built again.
	w.setenv("GOPROXY="+public.URL+",direct", "GOSUMDB=sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ze6UMaoa9+2mSe8L "+public.URL,
		"GOFLAGS=-modcacherw", "GOTOOLCHAIN=local", "GOTELEMETRY=off",
		"GOPATH="+filepath.Join(w.home, "go"), "GOMODCACHE="+filepath.Join(w.home, "gomodcache"), "GOCACHE="+os.Getenv("GOCACHE"),
		// go's own HTTP client reads these, not git's configuration: any
		// request it made itself would reach the fake, not AWS, and show
		// up there as a 401 without a get.
		"HTTPS_PROXY="+w.cc.ProxyURL, "SSL_CERT_FILE="+w.cc.CAFile)
	lib := map[string]string{
		"go.mod":   "module " + goModule + "\n\ngo 1.21\n",
		"greet.go": "package greet\n\n// Hello greets.\nfunc Hello() string { return \"hello from CodeCommit\" }\n",
	}
	w.pushFiles("gomod", lib)
	src := filepath.Join(w.home, "src", "gomod")
	w.gitIn(src, "tag", "v1.0.0")
	w.gitIn(src, "push", "--quiet", "origin", "v1.0.0")

	// A new project: main.go imports the module, go.mod requires nothing.
	app := filepath.Join(w.home, "app")
	writeFile(t, filepath.Join(app, "main.go"), "package main\n\nimport (\n\t\"fmt\"\n\n\tgreet \""+goModule+"\"\n)\n\nfunc main() { fmt.Println(greet.Hello()) }\n")
	w.mustRun(app, goBin, "mod", "init", "example.com/app")
	w.doctorFails(app, "go")
	// (In a module cache of its own, which keeps the git fetch it makes
	// before the checksum database refuses.)
	w.setenv("GOMODCACHE=" + filepath.Join(w.home, "gomodcache-refused"))
	if _, stderr, code := w.run(app, "", goBin, "get", goModule+"@v1.0.0"); code == 0 || !strings.Contains(stderr, "verifying module") {
		t.Errorf("go get without GOPRIVATE: exit %d\n%s", code, stderr)
	}
	w.setenv("GOMODCACHE=" + filepath.Join(w.home, "gomodcache"))
	w.doctorFix(app, []string{"go env -w GOPRIVATE=git-codecommit.*.amazonaws.com"}, filepath.Join(w.home, ".config", "go", "env"))

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

	// Without GOPRIVATE, a project whose go.sum pins the module builds
	// (the proxy cannot fetch it, and go falls back to git), and only go
	// get of another version fails: doctor says just that.
	w.mustRun(app, goBin, "env", "-u", "GOPRIVATE")
	w.setenv("GOMODCACHE=" + filepath.Join(w.home, "gomodcache2"))
	w.commitFiles(src, map[string]string{"greet.go": strings.Replace(lib["greet.go"], "hello", "hi", 1)})
	w.gitIn(src, "tag", "v1.1.0")
	w.gitIn(src, "push", "--quiet", "origin", "v1.1.0")
	report := w.doctorFails(app, "go")
	if !strings.Contains(report, "go build and go mod download of the versions go.sum pins work") || !strings.Contains(report, "but go get of another version fails") {
		t.Errorf("doctor on a project go.sum pins:\n%s", report)
	}
	w.mustRun(app, goBin, "build", "-o", "app", ".")
	if _, stderr, code := w.run(app, "", goBin, "get", goModule+"@v1.1.0"); code == 0 || !strings.Contains(stderr, "verifying module") {
		t.Errorf("go get of another version without GOPRIVATE: exit %d\n%s", code, stderr)
	}
	w.doctorFix(app, []string{"go env -w GOPRIVATE=git-codecommit.*.amazonaws.com"}, filepath.Join(w.home, ".config", "go", "env"))

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
