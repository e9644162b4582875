package cli

import (
	"bytes"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestInstallFlagsBeforeAndAfter checks that the helper's --profile and
// --region, given before install, are its defaults, and that given again
// after it they replace them, alike.
func TestInstallFlagsBeforeAndAfter(t *testing.T) {
	const binary = "/usr/local/bin/git-credential-codecommit"
	for _, tc := range []struct {
		args []string
		want string // the helper's command line install writes
	}{
		{[]string{"install"}, binary},
		{[]string{"--region", "us-east-1", "install"}, binary + " --region us-east-1"},
		{[]string{"--region", "us-east-1", "install", "--region", "eu-west-1"}, binary + " --region eu-west-1"},
		{[]string{"--profile", "a", "install", "--profile", "b"}, binary + " --profile b"},
		{[]string{"--profile", "a", "--region", "us-east-1", "install", "--profile", "b", "--region", "eu-west-1"},
			binary + " --profile b --region eu-west-1"},
	} {
		home := isolate(t)
		file := filepath.Join(home, "gitconfig")
		var stdout, stderr bytes.Buffer
		c := testCLI(strings.NewReader(""), &stdout, &stderr, time.Now)
		c.self = func() (string, error) { return binary, nil }
		if code := c.run(append(tc.args, "--file", file)); code != 0 {
			t.Errorf("%q: exit %d: %s", tc.args, code, stderr.String())
			continue
		}
		out, err := exec.Command("git", "config", "--file", file, "--get-all", "credential.https://git-codecommit.*.amazonaws.com/.helper").Output()
		if got := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n"); err != nil || len(got) != 2 || got[0] != "" || got[1] != tc.want {
			t.Errorf("%q: helpers %q (%v), want \"\" and %q", tc.args, got, err, tc.want)
		}
	}
}
