package e2e

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestBundlerGitGem installs a gem from CodeCommit with Bundler (Debian's
// ruby-bundler), which clones git sources with git, so the helper answers.
// The Gemfile has no gem server: nothing but the git source is needed.
func TestBundlerGitGem(t *testing.T) {
	t.Parallel()
	bundle := requireTool(t, "bundle")
	w, key := installedWorld(t)
	head := w.pushFiles("rblib", map[string]string{
		"rblib.gemspec": `Gem::Specification.new do |s|
  s.name = "rblib"
  s.version = "1.0.0"
  s.summary = "A library on CodeCommit"
  s.authors = ["E2E"]
  s.files = ["lib/rblib.rb"]
end
`,
		"lib/rblib.rb": "module Rblib\n  GREETING = \"hello from CodeCommit\"\nend\n",
	})
	app := filepath.Join(w.home, "app")
	writeFile(t, filepath.Join(app, "Gemfile"), "gem \"rblib\", git: \""+repoURL+"rblib\"\n")
	// Gems, Bundler's git cache and its settings in the world, not in the
	// machine's gem directories.
	w.setenv("BUNDLE_PATH="+filepath.Join(w.home, "bundle"), "BUNDLE_USER_HOME="+filepath.Join(w.home, "bundle-home"),
		"BUNDLE_APP_CONFIG="+filepath.Join(app, ".bundle"), "BUNDLE_DISABLE_VERSION_CHECK=true", "TMPDIR="+t.TempDir())

	p := w.startPhase("bundle install")
	w.mustRun(app, bundle, "install")
	// One bare clone into Bundler's cache; the checkout is local.
	p.checkGets(1, 1)
	if lock := readFile(t, filepath.Join(app, "Gemfile.lock")); !strings.Contains(lock, "revision: "+head) {
		t.Errorf("Gemfile.lock does not pin rblib to %s:\n%s", head, lock)
	}
	if out := w.mustRun(app, bundle, "exec", "ruby", "-e", "require 'rblib'; puts Rblib::GREETING"); out != "hello from CodeCommit\n" {
		t.Errorf("ruby printed %q", out)
	}

	// The same gem over SSH: doctor fails it, and so does Bundler, until
	// doctor --fix runs install --rewrite-ssh.
	w.noSSH()
	sshApp := filepath.Join(w.home, "ssh-app")
	writeFile(t, filepath.Join(sshApp, "Gemfile"), "gem \"rblib\", git: \"ssh://"+host+"/v1/repos/rblib\"\n")
	w.setenv("BUNDLE_APP_CONFIG=" + filepath.Join(sshApp, ".bundle"))
	w.doctorFails(sshApp, "ssh-deps")
	if _, stderr, code := w.run(sshApp, "", bundle, "install"); code == 0 || !strings.Contains(stderr, "ssh must not run") {
		t.Errorf("bundle install of an SSH gem git does not rewrite: exit %d\n%s", code, stderr)
	}
	w.doctorFix(sshApp, []string{"git-credential-codecommit install --rewrite-ssh"}, w.gitConfig())
	p = w.startPhase("bundle install, ssh:// rewritten")
	w.mustRun(sshApp, bundle, "install")
	p.checkGets(1, 1)
	w.assertSignedBy(is(key.AccessKeyID))
}
