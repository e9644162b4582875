package e2e

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestPipGitDependency installs a Python package from CodeCommit with pip,
// by a git+https URL and by one pinned to a commit in a requirements file.
// pip clones with git, which asks the helper. Offline: no package index
// (--no-index), and the build backend, setuptools, is the one installed
// with the interpreter (--no-build-isolation), so nothing comes from PyPI.
func TestPipGitDependency(t *testing.T) {
	t.Parallel()
	requireTool(t, "python3")
	w, key := installedWorld(t)
	python := w.pythonWithBuildTools()
	t.Logf("python3: %s", python)
	head := w.pushFiles("pylib", map[string]string{
		"pyproject.toml": `[build-system]
requires = ["setuptools"]
build-backend = "setuptools.build_meta"

[project]
name = "pylib"
version = "1.0.0"
`,
		"pylib/__init__.py": "GREETING = 'hello from CodeCommit'\n",
	})
	w.setenv("TMPDIR="+t.TempDir(), "PIP_DISABLE_PIP_VERSION_CHECK=1", "PIP_NO_CACHE_DIR=1", "PIP_NO_INPUT=1")
	pip := func(target string, args ...string) {
		t.Helper()
		// --target installs outside the interpreter's own directories,
		// which a distribution's python (PEP 668) would refuse otherwise.
		w.mustRun("", python, append([]string{"-m", "pip", "install", "--no-index", "--no-build-isolation", "--target", target}, args...)...)
		w.setenv("PYTHONPATH=" + target)
		if out := w.mustRun("", python, "-c", "import pylib; print(pylib.GREETING)"); out != "hello from CodeCommit\n" {
			t.Errorf("python printed %q", out)
		}
	}

	p := w.startPhase("pip install git+https")
	pip(filepath.Join(w.home, "site-a"), "git+"+repoURL+"pylib")
	// pip clones with --filter=blob:none: one get, and one more for the
	// blobs of the checkout where the server honours the filter.
	p.checkGets(1, 2)

	requirements := w.write("requirements.txt", "pylib @ git+"+repoURL+"pylib@"+head+"\n")
	p = w.startPhase("pip install -r requirements.txt (a commit)")
	pip(filepath.Join(w.home, "site-b"), "-r", requirements)
	// The clone, then a fetch of the commit, which pip cannot tell is on a
	// branch.
	p.checkGets(1, 3)

	// An SSH requirement: doctor fails it and so does pip, until doctor
	// --fix runs install --rewrite-ssh. With an SSH key id as user name,
	// which no rewrite rule can match, the fix is to drop the name.
	w.noSSH()
	project := filepath.Join(w.home, "project")
	sshReq := func(user string) string {
		return filepath.Join(project, writeRequirements(t, project, "pylib @ git+ssh://"+user+host+"/v1/repos/pylib@"+head+"\n"))
	}
	failsSSH := func(requirements string) {
		t.Helper()
		if _, stderr, code := w.run("", "", python, "-m", "pip", "install", "--no-index", "--no-build-isolation", "--target", t.TempDir(), "-r", requirements); code == 0 || !strings.Contains(stderr, "ssh must not run") {
			t.Errorf("pip install of an SSH requirement git does not rewrite: exit %d\n%s", code, stderr)
		}
	}
	req := sshReq("")
	w.doctorFails(project, "ssh-deps")
	failsSSH(req)
	w.doctorFix(project, []string{"git-credential-codecommit install --rewrite-ssh"}, w.gitConfig())
	p = w.startPhase("pip install -r requirements.txt (git+ssh, rewritten)")
	pip(filepath.Join(w.home, "site-c"), "-r", req)
	p.checkGets(1, 3)
	req = sshReq("APKAEIBAERJR2EXAMPLE@")
	if report := w.doctorFails(project, "ssh-deps"); !strings.Contains(report, "fix: remove the user name (NAME@) from those URLs\n") {
		t.Errorf("doctor's fix for a user name, after install --rewrite-ssh:\n%s", report)
	}
	failsSSH(req)
	w.assertSignedBy(is(key.AccessKeyID))
}

// writeRequirements writes requirements.txt in dir, and returns its name.
func writeRequirements(t *testing.T, dir, body string) string {
	writeFile(t, filepath.Join(dir, "requirements.txt"), body)
	return "requirements.txt"
}

// pythonWithBuildTools returns the interpreter of the first python3 on PATH
// that has pip, setuptools and wheel (which setuptools before 70.1 builds
// wheels with), as Debian's python3-pip, python3-setuptools and
// python3-wheel provide. Another python3 may come first (pyenv's, say)
// without wheel. It returns the interpreter itself (sys.executable), so
// that the test's many runs skip a shim such as pyenv's, a bash script
// that costs about 0.2 s of CPU each time.
func (w *world) pythonWithBuildTools() string {
	w.t.Helper()
	var tried []string
	for _, dir := range filepath.SplitList(os.Getenv("PATH")) {
		python := filepath.Join(dir, "python3")
		if fi, err := os.Stat(python); err != nil || fi.IsDir() || slices.Contains(tried, python) {
			continue
		}
		tried = append(tried, python)
		out, _, code := w.run("", "", python, "-c", "import setuptools, wheel, pip, sys; print(sys.executable)")
		if exe := strings.TrimSpace(out); code == 0 && filepath.IsAbs(exe) {
			return exe
		}
	}
	if os.Getenv("CI") == "true" {
		w.t.Fatalf("no python3 on PATH has pip, setuptools and wheel (tried %q); .ci/run installs python3-pip, python3-setuptools and python3-wheel", tried)
	}
	w.t.Skipf("no python3 on PATH has pip, setuptools and wheel (tried %q)", tried)
	return ""
}
