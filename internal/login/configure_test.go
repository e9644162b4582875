package login

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/failure"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/ssotoken"
)

// mine is a config file of the user's, which creating a profile must leave
// byte for byte as it is, but for what it adds at the end.
const mine = "# my settings\n[default]\nregion = eu-west-1 ; keep\n\n[profile ops]\nrole_arn = arn:aws:iam::123456789012:role/Ops\nsource_profile = default"

// added is what creating profile "team" adds to mine.
const added = "\n\n[sso-session team]\nsso_start_url = https://team.awsapps.com/start\nsso_region = eu-west-1\nsso_registration_scopes = sso:account:access\n\n" +
	"[profile team]\nsso_session = team\nsso_account_id = 222233334444\nsso_role_name = ReadOnly\n"

// TestCreateProfile creates a profile from flags, from the only account
// and role, and from the user's picks at a terminal, and refuses a choice
// it cannot make without one.
func TestCreateProfile(t *testing.T) {
	for _, tc := range []struct {
		name  string
		roles [][2]string
		p     NewProfile
		err   string // the one line; "" when the profile is written
		said  string
	}{
		{"flags", [][2]string{{"111122223333", "Developer"}, {"222233334444", "ReadOnly"}, {"222233334444", "Admin"}},
			NewProfile{AccountID: "222233334444", RoleName: "ReadOnly"}, "", ""},
		{"the only ones", [][2]string{{"222233334444", "ReadOnly"}}, NewProfile{}, "", "Using the only account you may use: 222233334444."},
		{"picked at a terminal", [][2]string{{"111122223333", "Developer"}, {"222233334444", "ReadOnly"}, {"333344445555", "ReadOnly"}, {"222233334444", "Admin"}},
			NewProfile{Interactive: true, Stdin: strings.NewReader("7\n2\n2\n")}, "", "  2. 222233334444 (Team)\n"},
		{"no terminal, two accounts", [][2]string{{"111122223333", "Developer"}, {"222233334444", "ReadOnly"}}, NewProfile{},
			"you may use 2: 111122223333, 222233334444; choose one with --account-id", ""},
		{"an account not yours", [][2]string{{"111122223333", "Developer"}}, NewProfile{AccountID: "999999999999"},
			"--account-id 999999999999 is not one you may use (you may use: 111122223333); give one of those", ""},
		{"no region", nil, NewProfile{Region: "-", StartURL: "https://team.awsapps.com/start"}, `--sso-region "-" is not an AWS region`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			t.Setenv("AWS_ENDPOINT_URL_SSO", w.ic.URL)
			t.Setenv("AWS_PROFILE", "team") // not written yet: no error for it
			config := writeFile(t, w.home, ".aws/config", mine)
			for _, r := range tc.roles {
				w.ic.AllowRole(r[0], r[1])
			}
			w.ic.NameAccount("222233334444", "Team")
			p := tc.p
			if p.StartURL == "" {
				p.StartURL, p.Region = "https://team.awsapps.com/start", "eu-west-1"
			}
			var out strings.Builder
			err := Login(context.Background(), Options{Profile: "team", UseDeviceCode: true, NoBrowser: true, Create: p, Stderr: &out})
			t.Logf("stderr:\n%s", out.String())
			b, _ := os.ReadFile(config)
			if tc.err != "" {
				if err == nil || !strings.Contains(failure.OneLine(err), tc.err) {
					t.Errorf("error %v, want %q", err, tc.err)
				}
				if string(b) != mine {
					t.Errorf("the config file changed: %q", b)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != mine+added {
				t.Errorf("config file\n%q\nwant\n%q", b, mine+added)
			}
			if !strings.Contains(out.String(), tc.said) || !strings.Contains(out.String(), "Wrote [profile team] (account 222233334444, role ReadOnly) and [sso-session team] to "+config) {
				t.Errorf("stderr lacks %q or what was written", tc.said)
			}
			// hex(sha1("team")): the session's token.
			if _, err := ssotoken.Read(filepath.Join(w.home, ".aws/sso/cache/d25187dc137f35c88bc80ec8c3ffbdb17b5eb873.json")); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestCreateProfileCannotWrite checks that a config file that cannot be
// replaced fails in one line that says so, after the sign-in.
func TestCreateProfileCannotWrite(t *testing.T) {
	w := newWorld(t)
	t.Setenv("AWS_ENDPOINT_URL_SSO", w.ic.URL)
	w.ic.AllowRole("222233334444", "ReadOnly")
	config := filepath.Join(w.home, ".aws", "config")
	os.Remove(config)
	if err := os.Mkdir(config, 0o700); err != nil { // a directory where the file goes
		t.Fatal(err)
	}
	err := Login(context.Background(), Options{Profile: "team", UseDeviceCode: true, NoBrowser: true,
		Create: NewProfile{StartURL: "https://team.awsapps.com/start", Region: "eu-west-1"}})
	want := "signed in, but cannot write the profile to " + config + " (it is not a regular file); check the file and its directory, then run git-credential-codecommit login --profile team --start-url https://team.awsapps.com/start --sso-region eu-west-1 again"
	if err == nil || failure.OneLine(err) != want {
		t.Errorf("error %v\nwant %s", err, want)
	}
}
