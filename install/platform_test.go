package install

import "testing"

func TestRemoteHelperPath(t *testing.T) {
	for _, tc := range []struct {
		goos, binary, dir, want string
		hard                    bool
	}{
		{"linux", "/usr/local/bin/git-credential-codecommit", "", "/usr/local/bin/git-remote-codecommit", false},
		{"darwin", "/opt/homebrew/bin/git-credential-codecommit", "/Users/jo/bin", "/Users/jo/bin/git-remote-codecommit", false},
		// On Windows, git runs git-remote-codecommit.exe: a hard link, as
		// symbolic links need privileges there. (The separators are the
		// host's: this test runs on Linux.)
		{"windows", "/c/tools/git-credential-codecommit.exe", "", "/c/tools/git-remote-codecommit.exe", true},
	} {
		if got := remoteHelperPath(tc.goos, tc.binary, tc.dir); got != tc.want {
			t.Errorf("remoteHelperPath(%s, %s, %q) = %s, want %s", tc.goos, tc.binary, tc.dir, got, tc.want)
		}
		if got := hardLinks(tc.goos); got != tc.hard {
			t.Errorf("hardLinks(%s) = %v, want %v", tc.goos, got, tc.hard)
		}
	}
}
