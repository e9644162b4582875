package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/testenv"
	"github.com/git-credential-codecommit/git-credential-codecommit/sigv4"
)

// git runs git in home with the baseline environment and extra variables.
func git(t *testing.T, home string, extra []string, stdin string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	cmd := testenv.Command(home, extra, "git", args...)
	cmd.Stdin = strings.NewReader(stdin)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err = cmd.Run()
	return o.String(), e.String(), err
}

func mustGit(t *testing.T, home string, args ...string) {
	t.Helper()
	if _, stderr, err := git(t, home, nil, "", args...); err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, stderr)
	}
}

// configureScoped writes the configuration README.md tells users to write,
// with helper as the helper command.
func configureScoped(t *testing.T, home, helper string) {
	const scope = "credential.https://git-codecommit.*.amazonaws.com"
	mustGit(t, home, "config", "--global", scope+".helper", "")
	mustGit(t, home, "config", "--global", "--add", scope+".helper", helper)
	mustGit(t, home, "config", "--global", scope+".useHttpPath", "true")
}

// TestGitCredentialFill asks real git for credentials through the helper,
// configured as README.md says, and checks that git hands back our exact
// username and password (AWS CLI vector 3's keys and token).
func TestGitCredentialFill(t *testing.T) {
	bin := filepath.Dir(testenv.HelperBinary(t))
	for _, tc := range []struct{ name, helper string }{
		{"absolute path", filepath.Join(bin, "git-credential-codecommit")},
		{"short name on PATH", "codecommit"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			home := t.TempDir()
			configureScoped(t, home, tc.helper)
			env := []string{
				"PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH"),
				"AWS_ACCESS_KEY_ID=AKIAO1UK78J35MNGAEB0",
				"AWS_SECRET_ACCESS_KEY=JT++/5Pz5nFEtwqxbtS8w+Vfm9qVRxrZo1DdV5lX",
				"AWS_SESSION_TOKEN=iQ+FL/j6/ce674hN1aA//jkXSAJbSEtChBH6sZoWA8iUytYjSUARdiCrj9SVAF12iX35q0Oyc80xgU",
			}
			out, stderr, err := git(t, home, env,
				"protocol=https\nhost=git-codecommit.eu-west-1.amazonaws.com\npath=v1/repos/shared-lib\n\n",
				"credential", "fill")
			if err != nil {
				t.Fatalf("git credential fill: %v\n%s", err, stderr)
			}
			got := map[string]string{}
			for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
				k, v, _ := strings.Cut(l, "=")
				got[k] = v
			}
			when, err := time.Parse("20060102T150405Z", got["password"][:16])
			if err != nil {
				t.Fatalf("password %q has no timestamp: %v", got["password"], err)
			}
			if d := time.Since(when); d < -time.Second || d > time.Minute {
				t.Errorf("password signed at %s, %s from now", when, d)
			}
			want := sigv4.CodeCommit(sigv4.Credentials{
				AccessKeyID:     "AKIAO1UK78J35MNGAEB0",
				SecretAccessKey: "JT++/5Pz5nFEtwqxbtS8w+Vfm9qVRxrZo1DdV5lX",
				SessionToken:    "iQ+FL/j6/ce674hN1aA//jkXSAJbSEtChBH6sZoWA8iUytYjSUARdiCrj9SVAF12iX35q0Oyc80xgU",
			}, "eu-west-1", "git-codecommit.eu-west-1.amazonaws.com", "v1/repos/shared-lib", when)
			if got["username"] != want.Username || got["password"] != want.Password {
				t.Errorf("git returned\n%s\nwant username=%s password=%s", out, want.Username, want.Password)
			}
			if got["host"] != "git-codecommit.eu-west-1.amazonaws.com" || got["path"] != "v1/repos/shared-lib" {
				t.Errorf("git returned\n%s", out)
			}
		})
	}
}

// TestGitFallsThrough checks with real git that for a host that only looks
// like CodeCommit the helper stays silent and git asks the next helper.
func TestGitFallsThrough(t *testing.T) {
	bin := filepath.Dir(testenv.HelperBinary(t))
	home := t.TempDir()
	mustGit(t, home, "config", "--global", "credential.helper", filepath.Join(bin, "git-credential-codecommit"))
	mustGit(t, home, "config", "--global", "--add", "credential.helper", "!f() { echo username=next; echo password=next-helper; }; f")
	mustGit(t, home, "config", "--global", "credential.useHttpPath", "true")
	env := []string{"AWS_ACCESS_KEY_ID=AKIAO1UK78J35MNGAEB0", "AWS_SECRET_ACCESS_KEY=JT++/5Pz5nFEtwqxbtS8w+Vfm9qVRxrZo1DdV5lX"}
	out, stderr, err := git(t, home, env,
		"protocol=https\nhost=git-codecommit.us-east-1.amazonaws.com.evil.example\npath=v1/repos/x\n\n",
		"credential", "fill")
	if err != nil {
		t.Fatalf("git credential fill: %v\n%s", err, stderr)
	}
	if !strings.Contains(out, "username=next\npassword=next-helper\n") || strings.Contains(out+stderr, "AKIA") {
		t.Errorf("stdout:\n%s\nstderr:\n%s", out, stderr)
	}
}

// TestGitWithoutUseHttpPath checks that real git without useHttpPath gets
// no credentials and shows the user the command that fixes it.
func TestGitWithoutUseHttpPath(t *testing.T) {
	bin := filepath.Dir(testenv.HelperBinary(t))
	home := t.TempDir()
	mustGit(t, home, "config", "--global", "credential.helper", filepath.Join(bin, "git-credential-codecommit"))
	env := []string{"AWS_ACCESS_KEY_ID=AKIAO1UK78J35MNGAEB0", "AWS_SECRET_ACCESS_KEY=JT++/5Pz5nFEtwqxbtS8w+Vfm9qVRxrZo1DdV5lX"}
	out, stderr, err := git(t, home, env,
		"url=https://git-codecommit.us-east-1.amazonaws.com/v1/repos/x\n\n", "credential", "fill")
	if err == nil || strings.Contains(out, "password=") {
		t.Fatalf("git credential fill succeeded without a path:\n%s", out)
	}
	const hint = "git-credential-codecommit: git sent no repository path, which the password signs; run: git config --global credential.https://git-codecommit.us-east-1.amazonaws.com.useHttpPath true\n"
	if !strings.Contains(stderr, hint) {
		t.Errorf("stderr lacks the hint:\n%s", stderr)
	}
}
