package cli

import "testing"

func TestStartedAsRemoteHelper(t *testing.T) {
	for _, tc := range []struct {
		goos, arg0 string
		want       bool
	}{
		{"linux", "git-remote-codecommit", true},
		{"linux", "/usr/libexec/git-core/../bin/git-remote-codecommit", true},
		{"linux", "/usr/bin/git-credential-codecommit", false},
		{"linux", "git-remote-codecommit.exe", false},
		{"darwin", "/opt/homebrew/bin/git-remote-codecommit", true},
		{"windows", `C:\Program Files\cc\git-remote-codecommit.exe`, true},
		{"windows", `C:\Program Files\cc\GIT-REMOTE-CODECOMMIT.EXE`, true},
		{"windows", `C:/tools/git-remote-codecommit`, true},
		{"windows", `git-remote-codecommit.exe`, true},
		{"windows", `C:\tools\git-credential-codecommit.exe`, false},
	} {
		if got := startedAsRemoteHelper(tc.goos, tc.arg0); got != tc.want {
			t.Errorf("startedAsRemoteHelper(%s, %q) = %v, want %v", tc.goos, tc.arg0, got, tc.want)
		}
	}
}
