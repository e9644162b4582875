package e2e

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/fakeaws"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/testenv"
)

// remoteWorld is a world with no credential helper configured, where git
// finds git-remote-codecommit on PATH (linked by install --remote-helper)
// and three profiles whose keys the fake CodeCommit tells apart: a and b by
// name, and default. It returns the profiles' keys.
func remoteWorld(t *testing.T) (*world, map[string]fakeaws.Credentials) {
	w := newBareWorld(t)
	bin := filepath.Join(w.home, "bin")
	if err := os.Mkdir(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	// install --remote-helper links it; the configuration it also writes
	// goes to a file git never reads, so that only the codecommit:// URLs
	// bring the credential helper in.
	out, stderr, code := w.run("", "", testenv.HelperBinary(t), "install", "--file", filepath.Join(w.home, "unused.gitconfig"), "--remote-helper="+bin)
	if code != 0 || !strings.Contains(out, "linked "+filepath.Join(bin, "git-remote-codecommit")) {
		t.Fatalf("install --remote-helper: exit %d\n%s%s", code, out, stderr)
	}
	w.setenv("PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH"))
	keys := map[string]fakeaws.Credentials{}
	var creds, config strings.Builder
	for _, p := range []string{"a", "b", "default"} {
		c := w.keys.Issue("ASIA"+strings.ToUpper(p[:1])+"PROF", time.Now().Add(time.Hour))
		keys[p] = c
		section := "profile " + p
		if p == "default" {
			section = "default"
		}
		creds.WriteString("[" + p + "]\naws_access_key_id = " + c.AccessKeyID + "\naws_secret_access_key = " + c.SecretAccessKey + "\naws_session_token = " + c.SessionToken + "\n")
		config.WriteString("[" + section + "]\nregion = us-east-1\n")
	}
	w.write(".aws/credentials", creds.String())
	w.write(".aws/config", config.String())
	return w, keys
}

// TestRemoteHelperURLForms clones, pushes and fetches through each of
// git-remote-codecommit's URL forms; the fake CodeCommit checks that each
// repository was reached with its profile's key.
func TestRemoteHelperURLForms(t *testing.T) {
	t.Parallel()
	w, keys := remoteWorld(t)
	for _, tc := range []struct {
		url, repo, profile string
	}{
		{"codecommit://a@repo-a", "repo-a", "a"},
		{"codecommit::us-east-1://b@repo-b", "repo-b", "b"},
		{"codecommit://repo-default", "repo-default", "default"},
	} {
		if err := w.cc.CreateRepo(tc.repo); err != nil {
			t.Fatal(err)
		}
		w.roundTripURL(tc.url, tc.repo)
		signed := 0
		for _, v := range w.cc.Verdicts() {
			if v.Repo != "/v1/repos/"+tc.repo || v.Status == 401 {
				continue
			}
			signed++
			if v.Status != 200 || v.AccessKeyID != keys[tc.profile].AccessKeyID {
				t.Errorf("%s: %s %s by %s: %d %s; want profile %s's key", tc.url, v.Method, v.Path, v.AccessKeyID, v.Status, v.Reason, tc.profile)
			}
		}
		if signed == 0 {
			t.Errorf("%s: no signed request reached the fake", tc.url)
		}
	}
}

// TestRemoteHelperErrors runs malformed or unusable codecommit:// URLs
// through real git: each fails with one line from the helper.
func TestRemoteHelperErrors(t *testing.T) {
	t.Parallel()
	w, _ := remoteWorld(t)
	for url, want := range map[string]string{
		"codecommit://":          "git-remote-codecommit: the URL codecommit:// is malformed; use codecommit://[PROFILE@]REPOSITORY or codecommit::REGION://[PROFILE@]REPOSITORY\n",
		"codecommit://a@":        "git-remote-codecommit: the URL codecommit://a@ names no repository; use codecommit://[PROFILE@]REPOSITORY or codecommit::REGION://[PROFILE@]REPOSITORY\n",
		"codecommit://nope@repo": `git-remote-codecommit: AWS profile "nope" does not exist in $HOME/.aws/config or $HOME/.aws/credentials; check its name, or create it: aws configure --profile nope` + "\n",
		// git strips "codecommit::"; the message shows the URL as written.
		"codecommit::us-east-9://app": "git-remote-codecommit: the URL codecommit::us-east-9://app names the region us-east-9, which AWS does not list; check its spelling\n",
		// A terminal escape in the URL is shown, not sent to the terminal.
		"codecommit://a\x1b[2J@repo": `git-remote-codecommit: AWS profile "a\x1b[2J" does not exist in $HOME/.aws/config or $HOME/.aws/credentials; check its name, or create it: aws configure --profile a\x1b[2J` + "\n",
	} {
		_, stderr, code := w.run("", "", "git", "ls-remote", url)
		want = printed(strings.ReplaceAll(strings.TrimSuffix(want, "\n"), "$HOME", w.home)) + "\n"
		if code == 0 || !strings.HasPrefix(stderr, want) {
			t.Errorf("git ls-remote %s: exit %d\n%s\nwant it to start with\n%s", url, code, stderr, want)
		}
	}
}

// TestRemoteHelperArgv records the arguments of every git, remote helper and
// credential helper process a clone and push through codecommit:// start
// (through logging wrappers first on PATH), and checks that none holds the
// secret key, the session token or a signed password.
func TestRemoteHelperArgv(t *testing.T) {
	t.Parallel()
	w, keys := remoteWorld(t)
	log := filepath.Join(w.home, "argv.log")
	// wrap makes path a script that logs its arguments and runs target
	// under the same name (exec -a), so that the helper names the wrapper
	// as its own path and its credential helper runs through it too.
	wrap := func(path, target string) {
		script := "#!/bin/bash\nprintf '%s\\0' \"$0\" \"$@\" >> '" + log + "'\necho >> '" + log + "'\nexec -a \"$0\" '" + target + "' \"$@\"\n"
		if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// Git runs its own programs (git-remote-https, and git itself for the
	// helper) from its exec-path: mirror it, with those two wrapped.
	out, _, code := w.run("", "", "git", "--exec-path")
	if code != 0 {
		t.Fatal("git --exec-path failed")
	}
	realExec := strings.TrimSpace(out)
	mirror := filepath.Join(w.home, "git-core")
	if err := os.Mkdir(mirror, 0o755); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(realExec)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		target := filepath.Join(realExec, e.Name())
		if e.Name() == "git" || e.Name() == "git-remote-https" {
			wrap(filepath.Join(mirror, e.Name()), target)
		} else if err := os.Symlink(target, filepath.Join(mirror, e.Name())); err != nil {
			t.Fatal(err)
		}
	}
	wrappers := filepath.Join(w.home, "wrappers")
	if err := os.Mkdir(wrappers, 0o755); err != nil {
		t.Fatal(err)
	}
	wrap(filepath.Join(wrappers, "git-remote-codecommit"), filepath.Join(w.home, "bin", "git-remote-codecommit"))
	w.setenv("GIT_EXEC_PATH="+mirror, "PATH="+wrappers+string(os.PathListSeparator)+os.Getenv("PATH"))
	if err := w.cc.CreateRepo("argv"); err != nil {
		t.Fatal(err)
	}
	w.roundTripURL("codecommit://a@argv", "argv")

	b, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	a := keys["a"]
	password := regexp.MustCompile(`[0-9]{8}T[0-9]{6}Z[0-9a-f]{64}`)
	var sawRemoteHTTPS, sawCredentialHelper bool
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		argv := strings.Split(strings.TrimSuffix(line, "\x00"), "\x00")
		joined := strings.Join(argv, " ")
		if strings.Contains(joined, a.SecretAccessKey) || strings.Contains(joined, a.SessionToken) || password.MatchString(joined) {
			t.Errorf("a process was started with a secret in its arguments: %q", argv)
		}
		if len(argv) == 3 && filepath.Base(argv[0]) == "git-remote-https" && argv[2] == repoURL+"argv" {
			sawRemoteHTTPS = true
		}
		if slices.Contains(argv, "--credential-helper") && argv[len(argv)-1] == "get" {
			sawCredentialHelper = true
		}
	}
	if !sawRemoteHTTPS || !sawCredentialHelper {
		t.Fatalf("the log lacks git remote-https (%v) or the credential helper's get (%v):\n%s", sawRemoteHTTPS, sawCredentialHelper, strings.ReplaceAll(string(b), "\x00", " "))
	}
}
