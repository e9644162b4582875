package login

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/testenv"
)

// testConfig is an AWS config file with a profile on an sso-session, a
// legacy profile, a role assumed from the first, and broken sessions.
const testConfig = testenv.SSOConfig + `
[profile legacy]
sso_start_url = https://legacy.awsapps.com/start
sso_region = eu-west-1
sso_account_id = 111122223333
sso_role_name = Developer

[profile deploy]
role_arn = arn:aws:iam::111122223333:role/Deploy
source_profile = dev

[profile static]
region = us-east-1

[profile lost]
sso_session = nowhere
sso_account_id = 111122223333
sso_role_name = Developer

[profile halfway]
sso_session = half
sso_account_id = 111122223333
sso_role_name = Developer

[sso-session half]
sso_start_url = https://half.awsapps.com/start
`

// writeFile creates name under home with body, and its directories.
func writeFile(t *testing.T, home, name, body string) string {
	t.Helper()
	p := filepath.Join(home, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestFindSession(t *testing.T) {
	corp := Session{Name: "corp", StartURL: "https://corp.awsapps.com/start", Region: "us-east-1", Scopes: []string{"sso:account:access"}}
	withProfile := func(s Session, p string) Session { s.Profile = p; return s }
	for _, tc := range []struct {
		name              string
		profile, session  string
		awsProfile        string
		want              Session
		wantErr, wantFile string // what the error holds, and that it names the config file
	}{
		{name: "profile on an sso-session", profile: "dev", want: withProfile(corp, "dev")},
		{name: "AWS_PROFILE", awsProfile: "dev", want: withProfile(corp, "dev")},
		{name: "--profile beats AWS_PROFILE", profile: "dev", awsProfile: "legacy", want: withProfile(corp, "dev")},
		{name: "legacy profile", profile: "legacy",
			want: Session{Profile: "legacy", StartURL: "https://legacy.awsapps.com/start", Region: "eu-west-1"}},
		{name: "role assumed from an SSO profile", profile: "deploy", want: withProfile(corp, "deploy")},
		{name: "session named directly", session: "corp", want: corp},
		{name: "session beats profile", profile: "legacy", session: "corp", want: corp},
		{name: "no such session", session: "nope", wantErr: "has no [sso-session nope] section; check --sso-session"},
		{name: "no such profile", profile: "nope", wantErr: `AWS profile "nope" does not exist in`},
		{name: "no default profile", wantErr: `AWS profile "default" has no IAM Identity Center settings in`},
		{name: "profile without SSO", profile: "static", wantErr: `AWS profile "static" has no IAM Identity Center settings`},
		{name: "session section missing", profile: "lost", wantErr: "failed to find SSO session section, nowhere"},
		{name: "session without region", profile: "halfway", wantErr: "[sso-session half] in", wantFile: "has no sso_region; add it"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			home := testenv.Isolate(t)
			file := writeFile(t, home, ".aws/config", testConfig)
			if tc.awsProfile != "" {
				t.Setenv("AWS_PROFILE", tc.awsProfile)
			}
			s, err := FindSession(context.Background(), tc.profile, tc.session)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), file) || !strings.Contains(err.Error(), tc.wantFile) {
					t.Fatalf("error %v, want one holding %q, %q and %s", err, tc.wantErr, tc.wantFile, file)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(s, tc.want) {
				t.Fatalf("FindSession: %+v, %v; want %+v", s, err, tc.want)
			}
		})
	}
}

// TestFindSessionConfigFile checks that AWS_CONFIG_FILE names the file, and
// that a session is found in a file with CRLF line ends.
func TestFindSessionConfigFile(t *testing.T) {
	home := testenv.Isolate(t)
	file := writeFile(t, home, "elsewhere/aws.ini", strings.ReplaceAll(testConfig, "\n", "\r\n"))
	t.Setenv("AWS_CONFIG_FILE", file)
	s, err := FindSession(context.Background(), "dev", "")
	want := Session{Name: "corp", Profile: "dev", StartURL: "https://corp.awsapps.com/start", Region: "us-east-1", Scopes: []string{"sso:account:access"}}
	if err != nil || !reflect.DeepEqual(s, want) {
		t.Fatalf("FindSession: %+v, %v; want %+v", s, err, want)
	}
}

func TestRegistrationScopes(t *testing.T) {
	home := t.TempDir()
	file := writeFile(t, home, "config", `[sso-session other]
sso_registration_scopes = other:scope
[sso-session  corp ]
# sso_registration_scopes = commented:out
; sso_registration_scopes = commented:out
sso_start_url = https://corp.awsapps.com/start
sso_registration_scopes=sso:account:access, codecatalyst:read_write ,,
s3 =
  sso_registration_scopes = nested:key
[profile corp]
sso_registration_scopes = profile:scope
`)
	for name, want := range map[string][]string{
		"corp":    {"sso:account:access", "codecatalyst:read_write"},
		"other":   {"other:scope"},
		"missing": nil,
	} {
		got, err := registrationScopes(file, name)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("registrationScopes(%q) = %q, %v; want %q", name, got, err, want)
		}
	}
	if got, err := registrationScopes(filepath.Join(home, "absent"), "corp"); got != nil || err != nil {
		t.Errorf("registrationScopes of a missing file = %q, %v; want nothing", got, err)
	}
}

func TestSessionNames(t *testing.T) {
	home := testenv.Isolate(t)
	for _, tc := range []struct {
		s                Session
		file, str, login string
	}{
		// sha1("corp") and sha1("https://legacy.awsapps.com/start"): the
		// names the AWS CLI and SDKs give these cache files.
		{Session{Name: "corp", Profile: "dev", StartURL: "https://corp.awsapps.com/start"},
			"ee0bfd2552fbd840c02cc48b6e823320543c450f.json", `SSO session "corp"`, "git-credential-codecommit login --profile dev"},
		{Session{Name: "corp", StartURL: "https://corp.awsapps.com/start"},
			"ee0bfd2552fbd840c02cc48b6e823320543c450f.json", `SSO session "corp"`, "git-credential-codecommit login --sso-session corp"},
		{Session{Profile: "legacy", StartURL: "https://legacy.awsapps.com/start"},
			"79e435d7a515078e81c9dffc35f38d5687ebd3a7.json", `profile "legacy"`, "git-credential-codecommit login --profile legacy"},
	} {
		file, err := tc.s.CacheFile()
		if want := filepath.Join(home, ".aws", "sso", "cache", tc.file); err != nil || file != want {
			t.Errorf("%+v: CacheFile() = %q, %v; want %q", tc.s, file, err, want)
		}
		if tc.s.String() != tc.str || tc.s.LoginCommand() != tc.login {
			t.Errorf("%+v: String() = %q, LoginCommand() = %q; want %q, %q", tc.s, tc.s.String(), tc.s.LoginCommand(), tc.str, tc.login)
		}
	}
}
