package login

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/testenv"
)

// TestWithProfileKeys: the named section gets the keys; every other byte
// stays as it was.
func TestWithProfileKeys(t *testing.T) {
	set := [][2]string{{"login_session", "arn:aws:iam::111122223333:user/dev"}, {"region", "eu-west-1"}}
	const added = "login_session = arn:aws:iam::111122223333:user/dev\nregion = eu-west-1\n"
	for _, tc := range []struct {
		name, profile, in, want string
	}{
		{"empty file", "dev", "", "[profile dev]\n" + added},
		{"new section at the end", "dev", "# top\n[default]\nregion = us-east-1", "# top\n[default]\nregion = us-east-1\n[profile dev]\n" + added},
		{"default", "default", "[profile other]\nregion = x\n", "[profile other]\nregion = x\n[default]\n" + added},
		{"existing section, keys added after its last line", "dev",
			"[profile dev]\n# a comment\noutput = json\n\n\n[profile next]\nregion = us-east-2\n",
			"[profile dev]\n# a comment\noutput = json\n" + added + "\n\n[profile next]\nregion = us-east-2\n"},
		{"existing keys replaced in place", "dev",
			"[profile   dev]\nregion=us-west-2 ; old\nlogin_session = arn:old\ns3 =\n  region = not-this\n[profile dev2]\nregion = us-east-2\n",
			"[profile   dev]\nregion = eu-west-1\nlogin_session = arn:aws:iam::111122223333:user/dev\ns3 =\n  region = not-this\n[profile dev2]\nregion = us-east-2\n"},
		{"[default] for default", "default", "[default]\noutput = json\n[sso-session default]\nregion = a\n",
			"[default]\noutput = json\n" + added + "[sso-session default]\nregion = a\n"},
		{"CRLF", "dev", "[profile dev]\r\noutput = json\r\n[x]\r\n", "[profile dev]\r\noutput = json\r\nlogin_session = arn:aws:iam::111122223333:user/dev\r\nregion = eu-west-1\r\n[x]\r\n"},
		{"last line without newline", "dev", "[profile dev]\noutput = json", "[profile dev]\noutput = json\n" + added},
	} {
		if got := withProfileKeys(tc.in, tc.profile, set); got != tc.want {
			t.Errorf("%s:\ngot  %q\nwant %q", tc.name, got, tc.want)
		}
	}
}

// TestSetProfileKeys creates ~/.aws and the file, mode 0600, and refuses a
// file others may write.
func TestSetProfileKeys(t *testing.T) {
	home := testenv.Isolate(t)
	path := filepath.Join(home, ".aws", "config")
	if err := setProfileKeys(path, "dev", [][2]string{{"region", "us-east-1"}}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	fi, _ := os.Stat(path)
	if err != nil || string(b) != "[profile dev]\nregion = us-east-1\n" || fi.Mode().Perm() != 0o600 {
		t.Errorf("file %q (%v), mode %v", b, err, fi.Mode())
	}
	os.Chmod(path, 0o666)
	if err := setProfileKeys(path, "dev", [][2]string{{"region", "us-east-2"}}); err == nil {
		t.Error("wrote a file others may write")
	}
}
