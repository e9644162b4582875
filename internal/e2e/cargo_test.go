package e2e

import (
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"testing"
)

// TestCargoGitDependency builds a crate with a git dependency on
// CodeCommit. Cargo fetches git dependencies itself by default, and never
// runs the helper: through libgit2, whose credential lookup (git2's
// CredentialHelper) reads credential.helper and credential.<URL>.helper
// for the exact URL or scheme://host only, not install's wildcard
// sections; or, when an HTTP proxy is configured, as here, through its own
// curl transport, which cannot authenticate at all. With
// net.git-fetch-with-cli (CARGO_NET_GIT_FETCH_WITH_CLI=true) cargo runs
// git, which asks the helper. The dependency has no dependencies of its
// own, so no registry is needed.
func TestCargoGitDependency(t *testing.T) {
	t.Parallel()
	cargo := requireTool(t, "cargo")
	w, key := installedWorld(t)
	// rustup's cargo finds its toolchains under RUSTUP_HOME, by default
	// ~/.rustup of the user, whom the world's empty HOME hides.
	rustupHome := os.Getenv("RUSTUP_HOME")
	if rustupHome == "" {
		if u, err := user.Current(); err == nil {
			rustupHome = filepath.Join(u.HomeDir, ".rustup")
		}
	}
	if fi, err := os.Stat(rustupHome); err == nil && fi.IsDir() {
		w.setenv("RUSTUP_HOME=" + rustupHome)
	}
	w.setenv("CARGO_TERM_COLOR=never", "CARGO_TERM_PROGRESS_WHEN=never")
	w.pushFiles("rustlib", map[string]string{
		"Cargo.toml": "[package]\nname = \"rustlib\"\nversion = \"1.0.0\"\nedition = \"2021\"\n",
		"src/lib.rs": "pub fn hello() -> &'static str {\n    \"hello from CodeCommit\"\n}\n",
	})
	// A workspace whose member depends on the library: doctor reads the
	// members' manifests too.
	ws := filepath.Join(w.home, "ws")
	app := filepath.Join(ws, "app")
	writeFile(t, filepath.Join(ws, "Cargo.toml"), "[workspace]\nresolver = \"2\"\nmembers = [\n  \"app\",\n]\n")
	member := "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\nrustlib = { git = \"" + repoURL + "rustlib\" }\n"
	writeFile(t, filepath.Join(app, "Cargo.toml"), member)
	writeFile(t, filepath.Join(app, "src", "main.rs"), "fn main() {\n    println!(\"{}\", rustlib::hello());\n}\n")

	// Cargo takes the proxy from git's http.proxy, but not git's CA: its
	// own setting gives it the fake's, so that it fails at the 401, as it
	// would against CodeCommit, and not at the certificate. No retries:
	// cargo takes a 401 there for a passing network error. CARGO_HOME is
	// elsewhere, as Rust's container images set it.
	cargoHome := filepath.Join(w.home, "opt", "cargo")
	w.setenv("CARGO_HOME="+cargoHome, "CARGO_HTTP_CAINFO="+w.cc.CAFile, "CARGO_NET_RETRY=0")
	w.doctorFails(ws, "cargo")
	p := w.startPhase("cargo build, built-in git")
	_, stderr, code := w.run(ws, "", cargo, "build")
	if code == 0 || !strings.Contains(stderr, "got 401") {
		t.Errorf("cargo build without git-fetch-with-cli: exit %d\n%s", code, stderr)
	}
	if n, _ := p.helperRuns("get"); n != 0 {
		t.Errorf("cargo's built-in git ran the helper %d times", n)
	}

	// doctor --fix adds the one line, in the file cargo reads.
	config := filepath.Join(cargoHome, "config.toml")
	w.doctorFix(ws, []string{"add to " + config + ": net.git-fetch-with-cli = true"}, config)
	if got := readFile(t, config); got != "net.git-fetch-with-cli = true\n" {
		t.Errorf("%s holds %q", config, got)
	}
	p = w.startPhase("cargo build, git-fetch-with-cli")
	w.mustRun(ws, cargo, "build")
	// One git fetch into cargo's database; the checkout is local.
	p.checkGets(1, 1)
	if out := w.mustRun(ws, filepath.Join(ws, "target", "debug", "app")); out != "hello from CodeCommit\n" {
		t.Errorf("the program printed %q", out)
	}
	if lock := readFile(t, filepath.Join(ws, "Cargo.lock")); !strings.Contains(lock, `source = "git+`+repoURL+`rustlib#`) {
		t.Errorf("Cargo.lock does not pin rustlib to a commit:\n%s", lock)
	}

	// The inline-table spelling, which cargo reads as well, and an SSH
	// URL: doctor fails that, and so does cargo's git, until doctor --fix
	// runs install --rewrite-ssh.
	writeFile(t, config, "net = { git-fetch-with-cli = true }\n")
	w.noSSH()
	writeFile(t, filepath.Join(app, "Cargo.toml"), strings.Replace(member, "https://", "ssh://", 1))
	w.doctorFails(ws, "ssh-deps")
	if _, stderr, code := w.run(ws, "", cargo, "update"); code == 0 || !strings.Contains(stderr, "ssh must not run") {
		t.Errorf("cargo update of an SSH dependency git does not rewrite: exit %d\n%s", code, stderr)
	}
	w.doctorFix(ws, []string{"git-credential-codecommit install --rewrite-ssh"}, w.gitConfig(), config)
	p = w.startPhase("cargo update, ssh:// rewritten")
	w.mustRun(ws, cargo, "update")
	p.checkGets(1, 1)
	w.assertSignedBy(is(key.AccessKeyID))
}
