package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/fakeaws"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/fakecodecommit"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/testenv"
	"github.com/git-credential-codecommit/git-credential-codecommit/sigv4"
)

// The install tests start from a world with no credential helper for
// CodeCommit, run the built binary's install and uninstall as a user would,
// and let real git (and npm) prove what they wrote.

// hostSection is the first credential section a plain install writes; 15
// more follow for the other CodeCommit host forms and partitions.
const hostSection = "https://git-codecommit.*.amazonaws.com/"

// cli runs bin (the built helper when "") with args in dir (home when "")
// and the world's environment, fails the test unless it exits 0 with nothing
// on stderr, and returns its standard output.
func (w *world) cli(dir, bin string, args ...string) string {
	w.t.Helper()
	if bin == "" {
		bin = testenv.HelperBinary(w.t)
	}
	stdout, stderr, code := w.run(dir, "", bin, args...)
	if code != 0 || stderr != "" {
		w.t.Fatalf("%s %s: exit %d\nstdout:\n%s\nstderr:\n%s", bin, strings.Join(args, " "), code, stdout, stderr)
	}
	return stdout
}

// staticProfiles writes ~/.aws/credentials with a profile of static keys for
// each name, known to the fake, and returns the keys by profile name.
func (w *world) staticProfiles(names ...string) map[string]fakeaws.Credentials {
	w.t.Helper()
	keys := map[string]fakeaws.Credentials{}
	var file strings.Builder
	for i, name := range names {
		c := fakeaws.Credentials{
			AccessKeyID:     fmt.Sprintf("AKIAINSTALL%09d", i+1),
			SecretAccessKey: fmt.Sprintf("install/secret+key/%s/%020d", name, i+1),
		}
		w.keys.Add(c)
		keys[name] = c
		fmt.Fprintf(&file, "[%s]\naws_access_key_id = %s\naws_secret_access_key = %s\n", name, c.AccessKeyID, c.SecretAccessKey)
	}
	w.write(".aws/credentials", file.String())
	return keys
}

// startContainer starts the container credentials fake and points the
// world's SDK at it the way EKS Pod Identity does (CodeBuild's relative URI
// would go to 169.254.170.2).
func (w *world) startContainer() *fakeaws.Container {
	w.t.Helper()
	ct, err := fakeaws.StartContainer(w.keys, "container-auth-token")
	if err != nil {
		w.t.Fatal(err)
	}
	w.t.Cleanup(ct.Close)
	tokenFile := w.write("container-token", "container-auth-token") // no newline: the SDK rejects one
	w.setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI="+ct.URL, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE="+tokenFile)
	return ct
}

// noSSH makes every ssh git or npm would run fail at once with a message
// tests look for, so that a URL that is not rewritten can never leave the
// machine. npm keeps a GIT_SSH_COMMAND it finds in the environment.
func (w *world) noSSH() {
	w.t.Helper()
	ssh := w.write("no-ssh/ssh", "#!/bin/sh\necho \"ssh must not run: $*\" >&2\nexit 1\n")
	if err := os.Chmod(ssh, 0o755); err != nil {
		w.t.Fatal(err)
	}
	w.setenv("GIT_SSH_COMMAND=" + ssh)
}

// installed is what install prints when it writes the host sections for
// helper.
func installed(where, helper string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "wrote with git config %s:\n", where)
	fmt.Fprintf(&b, "  [credential %q]\n  \thelper =\n  \thelper = %s\n  \tuseHttpPath = true\n", hostSection, helper)
	b.WriteString("  … and the same for 15 more CodeCommit host patterns\n")
	return b.String()
}

// readFile returns a file's contents, failing the test if it cannot be read.
func readFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestInstallOverStoredPassword is the user the install command is for: git
// already stores passwords with credential-store, and the store holds a
// CodeCommit password signed long ago, which CodeCommit refuses with 403
// (which never makes git erase it). install cuts the store off for
// CodeCommit, a second install changes nothing, and uninstall puts back
// exactly what was there.
func TestInstallOverStoredPassword(t *testing.T) {
	t.Parallel()
	w := newBareWorld(t)
	key := w.staticProfiles("default")["default"]
	// Passwords kept by credential-store; useHttpPath on, as the AWS CLI's
	// set-up instructions say.
	w.git("config", "--global", "credential.helper", "store")
	w.git("config", "--global", "credential.useHttpPath", "true")
	const repo = "stored"
	if err := w.cc.CreateRepo(repo); err != nil {
		t.Fatal(err)
	}

	// A password the AWS CLI's helper signed for this repository on
	// 2020-01-01, stored as git-credential-store writes it: the URL of the
	// credential, with the path git sent, under useHttpPath.
	stale := sigv4.CodeCommit(sigv4.Credentials{AccessKeyID: key.AccessKeyID, SecretAccessKey: key.SecretAccessKey},
		"us-east-1", host, "v1/repos/"+repo, time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC))
	if !strings.HasPrefix(stale.Password, "20200101T000000Z") {
		t.Fatalf("stale password %q", stale.Password)
	}
	storeLine := "https://" + key.AccessKeyID + ":" + stale.Password + "@" + host + "/v1/repos/" + repo + "\n"
	storeFile := w.write(".git-credentials", storeLine)
	request := "protocol=https\nhost=" + host + "\npath=v1/repos/" + repo + "\n"
	credential := request + "username=" + key.AccessKeyID + "\npassword=" + stale.Password + "\n"
	// git-credential-store itself writes that very line for this credential.
	other := filepath.Join(w.home, "other-credentials")
	if _, stderr, code := w.run("", credential, "git", "credential-store", "--file", other, "store"); code != 0 {
		t.Fatalf("git credential-store store: exit %d\n%s", code, stderr)
	}
	if got := readFile(t, other); got != storeLine {
		t.Fatalf("git-credential-store writes\n%q\nwe wrote\n%q", got, storeLine)
	}
	// And git answers with it.
	if got, stderr, code := w.run("", request, "git", "credential", "fill"); code != 0 || got != credential {
		t.Fatalf("before install, git credential fill: exit %d\n%s\nwant\n%s\n%s", code, got, credential, stderr)
	}

	// So the clone fails with 403: the fake refused the stale password.
	_, stderr, code := w.run("", "", "git", "clone", repoURL+repo, filepath.Join(w.home, "refused"))
	if code != 128 || !strings.Contains(stderr, "The requested URL returned error: 403") {
		t.Fatalf("before install, git clone: exit %d\n%s", code, stderr)
	}
	if w.cc.Denied(key.AccessKeyID) == 0 || w.cc.Accepted(key.AccessKeyID) != 0 {
		t.Fatalf("before install: %d requests with the key refused, %d accepted", w.cc.Denied(key.AccessKeyID), w.cc.Accepted(key.AccessKeyID))
	}
	for _, v := range w.cc.Verdicts() {
		if v.AccessKeyID != "" && v.Reason != fakecodecommit.ErrExpired.Error() {
			t.Errorf("before install: %+v, want refused as %q", v, fakecodecommit.ErrExpired)
		}
	}

	globalFile := filepath.Join(w.home, ".gitconfig")
	before := w.git("config", "--global", "--list")
	if out := w.cli("", "", "install"); out != installed("--global", testenv.HelperBinary(t)) {
		t.Errorf("install printed\n%s", out)
	}
	if got := w.git("config", "--global", "--list"); !strings.HasPrefix(got, before) {
		t.Errorf("install changed what was there:\n%s\nbefore:\n%s", got, before)
	}

	from := len(w.cc.Verdicts())
	w.roundTripURL(repoURL+repo, repo)
	w.assertSignedSince(from, is(key.AccessKeyID))
	if got := readFile(t, storeFile); got != storeLine {
		t.Errorf("the store was given a password: %q", got)
	}

	once := readFile(t, globalFile)
	if out := w.cli("", "", "install"); out != "git-credential-codecommit is already installed (git config --global); nothing changed\n" {
		t.Errorf("the second install printed\n%s", out)
	}
	if twice := readFile(t, globalFile); twice != once {
		t.Errorf("the second install changed the global configuration:\n%s\nwas:\n%s", twice, once)
	}

	if out := w.cli("", "", "uninstall"); !strings.HasPrefix(out, "removed with git config --global:\n") {
		t.Errorf("uninstall printed\n%s", out)
	}
	if after := w.git("config", "--global", "--list"); after != before {
		t.Errorf("after uninstall:\n%s\nwant what was there before install:\n%s", after, before)
	}
	// And the stale password is what git uses again.
	if got, stderr, code := w.run("", request, "git", "credential", "fill"); code != 0 || got != credential {
		t.Fatalf("after uninstall, git credential fill: exit %d\n%s\nwant\n%s\n%s", code, got, credential, stderr)
	}
}

// TestInstallRewriteSSH migrates SSH users: after install --rewrite-ssh
// (every region), the ssh:// URL of a repository clones and pushes through
// the helper with container credentials; ssh itself never runs. (npm with a
// git+ssh dependency: TestNpmTransitiveGitDependencies.)
func TestInstallRewriteSSH(t *testing.T) {
	t.Parallel()
	w := newBareWorld(t)
	ct := w.startContainer()
	w.noSSH()
	sshURL := "ssh://" + host + "/v1/repos/"
	before := w.git("config", "--global", "--list")
	out := w.cli("", "", "install", "--rewrite-ssh")
	if !strings.HasPrefix(out, installed("--global", testenv.HelperBinary(t))+`  [url "https://git-codecommit.af-south-1.amazonaws.com/"]`+"\n") {
		t.Errorf("install --rewrite-ssh printed\n%s", out)
	}

	if err := w.cc.CreateRepo("ssh-app"); err != nil {
		t.Fatal(err)
	}
	w.roundTripURL(sshURL+"ssh-app", "ssh-app")
	// The clone keeps the URL it was given; git rewrites it on every use.
	if got := w.gitIn(filepath.Join(w.home, "ssh-app-work"), "config", "remote.origin.url"); got != sshURL+"ssh-app\n" {
		t.Errorf("the clone's remote.origin.url is %q, want the ssh URL it was cloned from", got)
	}

	w.assertSignedBy(is(ct.Issued().AccessKeyID))

	w.cli("", "", "uninstall")
	if after := w.git("config", "--global", "--list"); after != before {
		t.Errorf("after uninstall:\n%s\nwant what was there before install:\n%s", after, before)
	}
	// Without the rules, git runs ssh for the ssh URL.
	_, stderr, code := w.run("", "", "git", "ls-remote", sshURL+"ssh-app")
	if code != 128 || !strings.Contains(stderr, "ssh must not run: -o SendEnv=GIT_PROTOCOL "+host+" git-upload-pack '/v1/repos/ssh-app'\n") {
		t.Errorf("after uninstall, git ls-remote of the ssh URL: exit %d\n%s", code, stderr)
	}
}

// TestInstallRewriteSSHOneRegion writes rules for one region only: its three
// SSH URL forms reach the fake through the helper; another region's are left
// to ssh.
func TestInstallRewriteSSHOneRegion(t *testing.T) {
	t.Parallel()
	w := newBareWorld(t)
	ct := w.startContainer()
	w.noSSH()
	before := w.git("config", "--global", "--list")
	w.cli("", "", "install", "--rewrite-ssh", "--region", "us-east-1")
	w.roundTrip("forms")
	head := w.git("ls-remote", repoURL+"forms", "refs/heads/main")
	for _, u := range []string{
		"ssh://" + host + "/v1/repos/forms",
		"git+ssh://" + host + "/v1/repos/forms",
		host + ":v1/repos/forms",
	} {
		if got := w.git("ls-remote", u, "refs/heads/main"); got != head {
			t.Errorf("git ls-remote %s: %q, want %q", u, got, head)
		}
	}
	w.assertSignedBy(is(ct.Issued().AccessKeyID))

	_, stderr, code := w.run("", "", "git", "ls-remote", "ssh://git-codecommit.eu-west-1.amazonaws.com/v1/repos/forms")
	if code != 128 || !strings.Contains(stderr, "ssh must not run: -o SendEnv=GIT_PROTOCOL git-codecommit.eu-west-1.amazonaws.com git-upload-pack '/v1/repos/forms'\n") {
		t.Errorf("git ls-remote of an eu-west-1 ssh URL: exit %d\n%s", code, stderr)
	}

	w.cli("", "", "uninstall", "--region", "us-east-1")
	if after := w.git("config", "--global", "--list"); after != before {
		t.Errorf("after uninstall:\n%s\nwant what was there before install:\n%s", after, before)
	}
}

// TestInstallScopes installs into each of git's other configuration files,
// clones through it, and uninstalls from it.
func TestInstallScopes(t *testing.T) {
	t.Parallel()
	t.Run("system", func(t *testing.T) {
		w := newBareWorld(t)
		keys := w.staticProfiles("default")
		// A machine's system configuration, which git reads: no
		// GIT_CONFIG_NOSYSTEM. The file does not exist yet, as in a fresh
		// image.
		etc := filepath.Join(t.TempDir(), "etc")
		if err := os.Mkdir(etc, 0o755); err != nil {
			t.Fatal(err)
		}
		system := filepath.Join(etc, "gitconfig")
		w.unsetenv("GIT_CONFIG_NOSYSTEM")
		w.setenv("GIT_CONFIG_SYSTEM=" + system)
		global := readFile(t, filepath.Join(w.home, ".gitconfig"))
		before := w.git("config", "--list", "--show-scope")

		if out := w.cli("", "", "install", "--system"); out != installed("--system", testenv.HelperBinary(t)) {
			t.Errorf("install --system printed\n%s", out)
		}
		if got := readFile(t, filepath.Join(w.home, ".gitconfig")); got != global {
			t.Errorf("install --system changed the global configuration:\n%s", got)
		}
		if got := w.git("config", "--system", "--get-all", "credential."+hostSection+".helper"); got != "\n"+testenv.HelperBinary(t)+"\n" {
			t.Errorf("the system configuration has the helpers %q", got)
		}
		w.roundTrip("system")
		w.assertSignedBy(is(keys["default"].AccessKeyID))

		w.cli("", "", "uninstall", "--system")
		if after := w.git("config", "--list", "--show-scope"); after != before {
			t.Errorf("after uninstall:\n%s\nwant\n%s", after, before)
		}
	})

	t.Run("local", func(t *testing.T) {
		w := newBareWorld(t)
		keys := w.staticProfiles("default")
		if err := w.cc.CreateRepo("local"); err != nil {
			t.Fatal(err)
		}
		repo := filepath.Join(w.home, "local")
		w.git("init", "--quiet", repo)
		w.gitIn(repo, "remote", "add", "origin", repoURL+"local")
		writeFile(t, filepath.Join(repo, "README"), "hello from local\n")
		w.gitIn(repo, "add", "README")
		w.gitIn(repo, "commit", "-m", "first")
		before := w.gitIn(repo, "config", "--list", "--show-scope")

		w.cli(repo, "", "install", "--local")
		w.gitIn(repo, "push", "origin", "HEAD:main")
		w.gitIn(repo, "fetch", "origin")
		if got, want := w.gitIn(repo, "rev-parse", "origin/main"), w.gitIn(repo, "rev-parse", "HEAD"); got != want {
			t.Errorf("origin/main is %s, HEAD %s", got, want)
		}
		w.assertSignedBy(is(keys["default"].AccessKeyID))
		// Outside the repository, git has no helper for CodeCommit.
		_, stderr, code := w.run("", "", "git", "clone", repoURL+"local", filepath.Join(w.home, "elsewhere"))
		if code != 128 || !strings.Contains(stderr, "could not read Username") {
			t.Errorf("a clone outside the repository: exit %d\n%s", code, stderr)
		}

		w.cli(repo, "", "uninstall", "--local")
		if after := w.gitIn(repo, "config", "--list", "--show-scope"); after != before {
			t.Errorf("after uninstall:\n%s\nwant\n%s", after, before)
		}
	})

	t.Run("file", func(t *testing.T) {
		w := newBareWorld(t)
		keys := w.staticProfiles("default")
		file := filepath.Join(t.TempDir(), "codecommit.gitconfig")
		w.git("config", "--global", "include.path", file)
		before := w.git("config", "--list", "--show-scope")

		if out := w.cli("", "", "install", "--file", file); out != installed("--file "+file, testenv.HelperBinary(t)) {
			t.Errorf("install --file printed\n%s", out)
		}
		w.roundTrip("file")
		w.assertSignedBy(is(keys["default"].AccessKeyID))

		w.cli("", "", "uninstall", "--file", file)
		if after := w.git("config", "--list", "--show-scope"); after != before {
			t.Errorf("after uninstall:\n%s\nwant\n%s", after, before)
		}
	})
}

// TestInstallProfilePerURL gives one team's repositories their own profile:
// install --profile A --url <team-a> after install --profile B signs team-a
// with A's key and every other repository with B's, and stays so when the
// host sections are written again with another profile.
func TestInstallProfilePerURL(t *testing.T) {
	t.Parallel()
	w := newBareWorld(t)
	keys := w.staticProfiles("A", "B", "C")
	const teamA = repoURL + "team-a"
	before := w.git("config", "--global", "--list")
	w.cli("", "", "install", "--profile", "B")
	w.cli("", "", "install", "--profile", "A", "--url", teamA)

	w.roundTrip("team-a")
	w.assertSignedBy(is(keys["A"].AccessKeyID))
	from := len(w.cc.Verdicts())
	w.roundTrip("team-b")
	w.assertSignedSince(from, is(keys["B"].AccessKeyID))

	// Writing the host sections again moves the team's section after them.
	w.cli("", "", "install", "--profile", "C")
	from = len(w.cc.Verdicts())
	w.git("ls-remote", teamA)
	w.assertSignedSince(from, is(keys["A"].AccessKeyID))
	from = len(w.cc.Verdicts())
	w.git("ls-remote", repoURL+"team-b")
	w.assertSignedSince(from, is(keys["C"].AccessKeyID))

	w.cli("", "", "uninstall", "--url", teamA)
	w.cli("", "", "uninstall")
	if after := w.git("config", "--global", "--list"); after != before {
		t.Errorf("after uninstall:\n%s\nwant\n%s", after, before)
	}
}

// TestInstallPathWithSpaces installs a helper whose path needs quoting: git
// must run it through the shell, as "!'…'".
func TestInstallPathWithSpaces(t *testing.T) {
	t.Parallel()
	for _, dir := range []string{"build tools", "it's here"} {
		t.Run(dir, func(t *testing.T) {
			w := newBareWorld(t)
			keys := w.staticProfiles("default")
			bin := filepath.Join(t.TempDir(), dir, "git-credential-codecommit")
			testenv.PlaceHelper(t, bin)
			quoted := "!'" + strings.ReplaceAll(bin, "'", `'\''`) + "'"
			if out := w.cli("", bin, "install"); out != installed("--global", quoted) {
				t.Errorf("install printed\n%s", out)
			}
			if got := w.git("config", "--global", "--get-all", "credential."+hostSection+".helper"); got != "\n"+quoted+"\n" {
				t.Errorf("the helpers are %q", got)
			}
			w.roundTrip("spaces")
			w.assertSignedBy(is(keys["default"].AccessKeyID))
			if out := w.cli("", bin, "install"); !strings.Contains(out, "nothing changed") {
				t.Errorf("the second install printed\n%s", out)
			}
		})
	}
}

// TestInstallLeavesOtherSectionsInPlace: install must not move a section the
// user wrote for another host, even one whose URL ends in "/" as install's
// own do. Here git asks two helpers for github.com: the github.com section
// resets the list and names one, and the generic section after it adds
// another. Moving the github.com section after the generic one would cut
// the generic helper off.
func TestInstallLeavesOtherSectionsInPlace(t *testing.T) {
	t.Parallel()
	w := newBareWorld(t)
	w.git("config", "--global", "--add", "credential.https://github.com/.helper", "")
	w.git("config", "--global", "--add", "credential.https://github.com/.helper", "!f() { echo username=github-user; }; f")
	w.git("config", "--global", "credential.helper", "!f() { echo password=from-generic; }; f")
	const request = "protocol=https\nhost=github.com\n"
	const answer = request + "username=github-user\npassword=from-generic\n"
	fill := func(when string) {
		t.Helper()
		if got, stderr, code := w.run("", request, "git", "credential", "fill"); code != 0 || got != answer {
			t.Errorf("%s, git credential fill for github.com: exit %d\n%s\nwant\n%s\n%s", when, code, got, answer, stderr)
		}
	}
	fill("before install")
	before := w.git("config", "--global", "--list")

	w.cli("", "", "install")
	fill("after install")
	w.cli("", "", "uninstall")
	fill("after uninstall")
	if after := w.git("config", "--global", "--list"); after != before {
		t.Errorf("after uninstall:\n%s\nwant what was there before install:\n%s", after, before)
	}
}
