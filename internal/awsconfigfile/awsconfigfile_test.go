package awsconfigfile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var (
	corp = Section{Header: SSOSession("corp"), Keys: []Key{
		{"sso_start_url", "https://corp.awsapps.com/start"},
		{"sso_region", "us-east-1"},
	}}
	dev = Section{Header: Profile("dev"), Keys: []Key{
		{"sso_session", "corp"},
		{"sso_account_id", "111122223333"},
	}}
	// what login --console sets
	consoleKeys = []Key{{"login_session", "arn:aws:iam::111122223333:user/dev"}, {"region", "eu-west-1"}}
	console     = Section{Header: Profile("dev"), Keys: consoleKeys}
	consoleDef  = Section{Header: Profile("default"), Keys: consoleKeys}
)

// consoleAdded is what console adds to a section that has none of its keys.
const consoleAdded = "login_session = arn:aws:iam::111122223333:user/dev\nregion = eu-west-1\n"

// TestEdit checks every byte of the result: what the sections name
// changes, and nothing else does.
func TestEdit(t *testing.T) {
	for _, tc := range []struct {
		name     string
		src      string
		sections []Section
		want     string
	}{
		{"empty file", "", []Section{corp, dev},
			"[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n\n" +
				"[profile dev]\nsso_session = corp\nsso_account_id = 111122223333\n"},
		{"other profiles and comments stay", "# mine\n[default]\nregion = eu-west-1 ; note\n\n; theirs\n[profile ops]\nregion=us-west-2\n",
			[]Section{dev},
			"# mine\n[default]\nregion = eu-west-1 ; note\n\n; theirs\n[profile ops]\nregion=us-west-2\n\n" +
				"[profile dev]\nsso_session = corp\nsso_account_id = 111122223333\n"},
		{"no newline at the end", "[default]\nregion = eu-west-1", []Section{dev},
			"[default]\nregion = eu-west-1\n\n[profile dev]\nsso_session = corp\nsso_account_id = 111122223333\n"},
		{"a key changes on its line, a missing one follows the last setting",
			"[profile dev]\nregion = us-east-1\nsso_account_id = 999999999999 # old\n# about ops\n\n[profile ops]\nregion = x\n",
			[]Section{dev},
			"[profile dev]\nregion = us-east-1\nsso_account_id = 111122223333\nsso_session = corp\n# about ops\n\n[profile ops]\nregion = x\n"},
		{"header spacing and the old value's continuation lines",
			"[  profile   dev ]\nsso_session =\n  nested = 1\n  more = 2\nregion = us-east-1\n",
			[]Section{dev},
			"[  profile   dev ]\nsso_session = corp\nregion = us-east-1\nsso_account_id = 111122223333\n"},
		{"a key in another section is not this one's",
			"[profile ops]\nsso_session = other\n[profile dev]\n",
			[]Section{dev},
			"[profile ops]\nsso_session = other\n[profile dev]\nsso_session = corp\nsso_account_id = 111122223333\n"},
		{"comments and indented lines that look like keys are not keys",
			"[profile dev]\n# sso_session = old\n; sso_account_id = old\n",
			[]Section{dev},
			"[profile dev]\nsso_session = corp\nsso_account_id = 111122223333\n# sso_session = old\n; sso_account_id = old\n"},
		{"a section twice: both keep the key, the last gets the missing one",
			"[profile dev]\nsso_session = a\n[default]\n[profile dev]\nsso_session = b\nregion = r\n",
			[]Section{dev},
			"[profile dev]\nsso_session = corp\n[default]\n[profile dev]\nsso_session = corp\nregion = r\nsso_account_id = 111122223333\n"},
		{"CRLF file", "[default]\r\nregion = x\r\n", []Section{dev},
			"[default]\r\nregion = x\r\n\r\n[profile dev]\r\nsso_session = corp\r\nsso_account_id = 111122223333\r\n"},
		{"the default profile is [default], not [profile default]",
			"[profile default]\nregion = a\n[default]\nregion = b\n",
			[]Section{{Header: Profile("default"), Keys: []Key{{"region", "c"}}}},
			"[profile default]\nregion = a\n[default]\nregion = c\n"},
		{"a profile named like a session is not the session",
			"[profile corp]\nsso_start_url = x\n",
			[]Section{{Header: SSOSession("corp"), Keys: []Key{{"sso_start_url", "y"}}}},
			"[profile corp]\nsso_start_url = x\n\n[sso-session corp]\nsso_start_url = y\n"},
		{"setting what is set changes nothing",
			"[profile dev]\nsso_session = corp\nsso_account_id = 111122223333\n\n\n# end\n",
			[]Section{dev},
			"[profile dev]\nsso_session = corp\nsso_account_id = 111122223333\n\n\n# end\n"},
		{"a new [default] for the default profile", "[profile other]\nregion = x\n", []Section{consoleDef},
			"[profile other]\nregion = x\n\n[default]\n" + consoleAdded},
		{"keys follow the last setting, before the blank lines that end the section",
			"[profile dev]\n# a comment\noutput = json\n\n\n[profile next]\nregion = us-east-2\n", []Section{console},
			"[profile dev]\n# a comment\noutput = json\n" + consoleAdded + "\n\n[profile next]\nregion = us-east-2\n"},
		{"keys replaced in place, not an indented key of the same name",
			"[profile   dev]\nregion=us-west-2 ; old\nlogin_session = arn:old\ns3 =\n  region = not-this\n[profile dev2]\nregion = us-east-2\n",
			[]Section{console},
			"[profile   dev]\nregion = eu-west-1\nlogin_session = arn:aws:iam::111122223333:user/dev\ns3 =\n  region = not-this\n[profile dev2]\nregion = us-east-2\n"},
		{"an sso-session named default is not the default profile",
			"[default]\noutput = json\n[sso-session default]\nregion = a\n", []Section{consoleDef},
			"[default]\noutput = json\n" + consoleAdded + "[sso-session default]\nregion = a\n"},
		{"CRLF file, keys added to a section", "[profile dev]\r\noutput = json\r\n[x]\r\n", []Section{console},
			"[profile dev]\r\noutput = json\r\nlogin_session = arn:aws:iam::111122223333:user/dev\r\nregion = eu-west-1\r\n[x]\r\n"},
		{"keys added after a last line without newline", "[profile dev]\noutput = json", []Section{console},
			"[profile dev]\noutput = json\n" + consoleAdded},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Edit([]byte(tc.src), tc.sections...)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Errorf("got\n%q\nwant\n%q", got, tc.want)
			}
		})
	}
}

// TestEditRefuses checks that a setting that would not stay one line, or
// a section name that would end its header, is refused.
func TestEditRefuses(t *testing.T) {
	for _, s := range []Section{
		{Header: "profile a]\n[default", Keys: []Key{{"k", "v"}}},
		{Header: "", Keys: []Key{{"k", "v"}}},
		{Header: "profile a", Keys: []Key{{"k", "v\n[default]"}}},
		{Header: "profile a", Keys: []Key{{"k = x", "v"}}},
		{Header: "profile a", Keys: []Key{{"k", ""}}},
	} {
		if got, err := Edit([]byte("[default]\n"), s); err == nil {
			t.Errorf("Edit(%q) = %q, want an error", s, got)
		}
	}
}

// TestUpdate checks that Update creates the file, mode 0600, and its
// directory, mode 0700, changes the file a link names rather than the
// link, and refuses a file others may write.
func TestUpdate(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, ".aws", "config")
	if err := Update(path, dev); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != "[profile dev]\nsso_session = corp\nsso_account_id = 111122223333\n" {
		t.Errorf("new file %q", b)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("file: %v %v", fi.Mode(), err)
	}
	if fi, err := os.Stat(filepath.Dir(path)); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("directory: %v %v", fi.Mode(), err)
	}
	real := filepath.Join(dir, "dotfiles-config")
	if err := os.WriteFile(real, []byte("# dotfiles\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(real, link); err != nil {
		t.Skip(err)
	}
	if err := Update(link, corp); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link was replaced (%v)", err)
	}
	if b, _ := os.ReadFile(real); string(b) != "# dotfiles\n\n[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n" {
		t.Errorf("linked file %q", b)
	}
	if err := os.Chmod(real, 0o620); err != nil {
		t.Fatal(err)
	}
	if err := Update(link, dev); err == nil || !strings.HasSuffix(err.Error(), ": it is writable by group or others (mode 0620)") {
		t.Errorf("a file others may write: %v", err)
	}
	if b, _ := os.ReadFile(real); !strings.HasPrefix(string(b), "# dotfiles\n") || strings.Contains(string(b), "profile dev") {
		t.Errorf("the file others may write became %q", b)
	}
}
