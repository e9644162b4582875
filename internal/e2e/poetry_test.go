package e2e

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestPoetryGitDependency locks a Poetry project (Debian's Poetry 1.3)
// with a git dependency on CodeCommit, in both of Poetry's git modes:
//
//   - by default Poetry fetches with Dulwich, its own git client, which
//     reads git's http.proxy and CA but not its credential helpers: its
//     anonymous request gets 401, and Poetry then runs git clone, which
//     asks the helper;
//   - with experimental.system-git-client (here
//     POETRY_EXPERIMENTAL_SYSTEM_GIT_CLIENT=true), Poetry runs git at once.
//
// poetry install is not run: it builds the dependency with pip in an
// isolated build environment (pip --isolated --use-pep517), which must
// download the build backend from a package index, and there is none here.
func TestPoetryGitDependency(t *testing.T) {
	t.Parallel()
	poetry := requireTool(t, "poetry")
	w, key := installedWorld(t)
	head := w.pushFiles("pylib", map[string]string{
		"pyproject.toml": `[tool.poetry]
name = "pylib"
version = "1.0.0"
description = "A library on CodeCommit"
authors = ["E2E <e2e@example.com>"]

[tool.poetry.dependencies]
python = "^3.7"

[build-system]
requires = ["poetry-core"]
build-backend = "poetry.core.masonry.api"
`,
		"pylib/__init__.py": "GREETING = 'hello from CodeCommit'\n",
	})
	// Poetry's cache and virtual environments in the world; no keyring,
	// which would look for a desktop session.
	w.setenv("TMPDIR="+t.TempDir(), "POETRY_CACHE_DIR="+filepath.Join(w.home, "poetry-cache"), "POETRY_VIRTUALENVS_IN_PROJECT=true",
		"PYTHON_KEYRING_BACKEND=keyring.backends.null.Keyring")
	lock := func(mode string) *phase {
		t.Helper()
		app := filepath.Join(w.home, "app-"+mode)
		writeFile(t, filepath.Join(app, "pyproject.toml"), `[tool.poetry]
name = "app"
version = "0.1.0"
description = ""
authors = ["E2E <e2e@example.com>"]

[tool.poetry.dependencies]
python = "^3.7"
pylib = { git = "`+repoURL+`pylib" }
`)
		p := w.startPhase("poetry lock, " + mode)
		w.mustRun(app, poetry, "lock", "--no-interaction")
		if got := readFile(t, filepath.Join(app, "poetry.lock")); !strings.Contains(got, `resolved_reference = "`+head+`"`) {
			t.Errorf("%s: poetry.lock does not pin pylib to %s:\n%s", mode, head, got)
		}
		return p
	}

	p := lock("dulwich")
	gets, callers := p.helperRuns("get")
	anonymous, _ := p.challenges()
	t.Logf("poetry lock, dulwich: %d gets, %d requests answered 401; gets for: %q", gets, anonymous, callers)
	// Dulwich's request, then git's: one get, for git clone.
	if gets != 1 || anonymous != 2 || !strings.Contains(callers[0], "git clone") {
		t.Errorf("poetry lock with Dulwich: %d gets (%q) and %d requests answered 401; want one get, for git clone, and two 401s (Dulwich's and git's)", gets, callers, anonymous)
	}

	w.setenv("POETRY_EXPERIMENTAL_SYSTEM_GIT_CLIENT=true")
	p = lock("system-git")
	// One git clone.
	p.checkGets(1, 1)
	w.assertSignedBy(is(key.AccessKeyID))
}
