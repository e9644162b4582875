package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// berryRelease is yarn 4's single-file release, which .ci/run installs
// from the npm package @yarnpkg/cli-dist under its own prefix, since its
// "yarn" command would clash with yarn 1's.
const berryRelease = "/usr/local/lib/yarn-berry/lib/node_modules/@yarnpkg/cli-dist/bin/yarn.js"

// TestYarnBerryGitDependencies installs a CodeCommit dependency with yarn 4
// (berry), run as most projects run it: yarn 1 on PATH hands over to the
// release that .yarnrc.yml's yarnPath names.
//
// With a git+https URL, yarn resolves the commit with git ls-remote
// (through the helper), then fetches
// https://…/v1/repos/NAME#commit=… with its own HTTP client, without
// credentials: CodeCommit answers 401, which looks like a failure of the
// helper. The same dependency as git+ssh, rewritten to HTTPS by install
// --rewrite-ssh, is cloned by git and installs. Yarn 4 also refuses any git
// repository that approvedGitRepositories does not list.
func TestYarnBerryGitDependencies(t *testing.T) {
	t.Parallel()
	requireTool(t, "yarn")
	if _, err := os.Stat(berryRelease); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("yarn 4 is not installed, but .ci/run installs it: %v", err)
		}
		t.Skipf("yarn 4 is not installed (.ci/run installs it): %v", err)
	}
	w, key := installedWorld(t, "--rewrite-ssh")
	w.noSSH()
	// yarn clones into TMPDIR.
	w.setenv("TMPDIR=" + t.TempDir())
	w.pushFiles("inner", map[string]string{
		"package.json": `{"name": "inner", "version": "1.0.0", "main": "index.js"}`,
		"index.js":     "module.exports = 'inner from CodeCommit';\n",
	})
	release := readFile(t, berryRelease)
	const approved = `approvedGitRepositories:
  - "https://git-codecommit.*.amazonaws.com/v1/repos/*"
  - "ssh://git-codecommit.*.amazonaws.com/v1/repos/*"
`
	app := func(name, dep, settings string) string {
		dir := filepath.Join(w.home, name)
		writeFile(t, filepath.Join(dir, "package.json"), `{"name": "app", "version": "1.0.0", "private": true, "dependencies": {"inner": "`+dep+`"}}`)
		writeFile(t, filepath.Join(dir, ".yarn", "releases", "yarn-berry.cjs"), release)
		// Offline (no registry, no telemetry), a cache in the project, and
		// node_modules rather than Plug'n'Play, so that plain node finds the
		// package. yarn's own HTTP client reads neither git's http.proxy
		// nor its CA: it gets the fake's here, so that the request it makes
		// without credentials reaches the fake and not AWS.
		writeFile(t, filepath.Join(dir, ".yarnrc.yml"), `yarnPath: .yarn/releases/yarn-berry.cjs
enableTelemetry: false
enableGlobalCache: false
npmRegistryServer: "http://127.0.0.1:9"
nodeLinker: node-modules
httpsProxy: "`+w.cc.ProxyURL+`"
httpsCaFilePath: "`+w.cc.CAFile+`"
`+settings)
		return dir
	}

	dir := app("https", "git+"+repoURL+"inner", approved)
	p := w.startPhase("yarn 4 install, git+https")
	stdout, stderr, code := w.run(dir, "", "yarn", "install")
	if code == 0 || !strings.Contains(stdout, "Response Code: 401 (Unauthorized)") || !strings.Contains(stdout, "Request URL: "+repoURL+"inner#commit=") {
		t.Fatalf("yarn 4 install of a git+https dependency: exit %d\n%s%s", code, stdout, stderr)
	}
	if gets, callers := p.helperRuns("get"); gets != 1 || !strings.Contains(callers[0], "ls-remote") {
		t.Errorf("yarn 4 git+https: %d gets, want 1, for its git ls-remote: %q", gets, callers)
	}
	// The fake saw the download: a GET of the repository's URL itself, with
	// no credentials.
	downloaded := false
	for _, v := range w.cc.Verdicts()[p.from:] {
		if v.Method == "GET" && v.Path == "/v1/repos/inner" && v.Status == 401 && v.AccessKeyID == "" {
			downloaded = true
		}
	}
	if !downloaded {
		t.Errorf("the fake saw no anonymous GET of /v1/repos/inner: %+v", w.cc.Verdicts()[p.from:])
	}

	// A yarn 4 project that says so only in package.json: doctor fails
	// it, and yarn refuses the dependency. Run as corepack would, with the
	// settings above from the environment.
	w.setenv("YARN_ENABLE_TELEMETRY=false", "YARN_ENABLE_GLOBAL_CACHE=false", "YARN_NPM_REGISTRY_SERVER=http://127.0.0.1:9",
		"YARN_NODE_LINKER=node-modules", "YARN_HTTPS_PROXY="+w.cc.ProxyURL, "YARN_HTTPS_CA_FILE_PATH="+w.cc.CAFile)
	dir = filepath.Join(w.home, "pm")
	manifest := func(dep string) string {
		return `{"name": "app", "version": "1.0.0", "private": true, "packageManager": "yarn@4.18.1", "dependencies": {"inner": "` + dep + `"}}`
	}
	writeFile(t, filepath.Join(dir, "package.json"), manifest("git+"+repoURL+"inner"))
	w.doctorFails(dir, "yarn")
	if stdout, _, code := w.run(dir, "", "node", berryRelease, "install"); code == 0 || !strings.Contains(stdout, "approvedGitRepositories") && !strings.Contains(stdout, "401") {
		t.Errorf("yarn 4 install of a git+https dependency, no .yarnrc.yml: exit %d\n%s", code, stdout)
	}
	// The lines doctor names, in the project's files, which doctor --fix
	// leaves to the user: git+ssh, and approvedGitRepositories.
	const approvedLine = `approvedGitRepositories: ["ssh://git-codecommit.*.amazonaws.com/v1/repos/*"]`
	writeFile(t, filepath.Join(dir, "package.json"), manifest("git+ssh://"+host+"/v1/repos/inner"))
	if report := w.doctorFails(dir, "yarn"); !strings.Contains(report, "fix: add to .yarnrc.yml: "+approvedLine+"\n") {
		t.Errorf("doctor's fix for approvedGitRepositories:\n%s", report)
	}
	writeFile(t, filepath.Join(dir, ".yarnrc.yml"), approvedLine+"\n")
	w.doctorPasses(dir)
	p = w.startPhase("yarn 4 install, git+ssh rewritten")
	w.mustRun(dir, "node", berryRelease, "install")
	// git ls-remote, then git clone.
	p.checkGets(2, 2)
	if out := w.mustRun(dir, "node", "-e", "console.log(require('inner'))"); out != "inner from CodeCommit\n" {
		t.Errorf("node printed %q", out)
	}
	lock := readFile(t, filepath.Join(dir, "yarn.lock"))
	if !strings.Contains(lock, "git+ssh://"+host+"/v1/repos/inner#commit=") {
		t.Errorf("yarn.lock does not pin the git+ssh URL to a commit:\n%s", lock)
	}

	// Without approvedGitRepositories, yarn refuses before it runs git.
	dir = app("unapproved", "git+ssh://"+host+"/v1/repos/inner", "")
	p = w.startPhase("yarn 4 install, no approvedGitRepositories")
	stdout, stderr, code = w.run(dir, "", "yarn", "install")
	if code == 0 || !strings.Contains(stdout, "doesn't match any of the patterns in 'approvedGitRepositories'") {
		t.Errorf("yarn 4 install without approvedGitRepositories: exit %d\n%s%s", code, stdout, stderr)
	}
	if gets, _ := p.helperRuns("get"); gets != 0 {
		t.Errorf("yarn 4 without approvedGitRepositories: %d gets", gets)
	}
	w.assertSignedBy(is(key.AccessKeyID))
}
