package awsclicache

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
)

// TestAWSCLICacheFile checks the AWS CLI's cache file names. The assume-role
// names are the files aws-cli 1.45.11 (botocore 1.43.11) wrote for these
// profiles against the fake STS; the legacy SSO name is from botocore's own
// unit tests (TestSSOCredentialFetcher); the sso-session name is Python's
// json.dumps of the same arguments with sessionName, as botocore computes it.
func TestAWSCLICacheFile(t *testing.T) {
	hour := time.Hour
	assume := []aws.CredentialSource{aws.CredentialSourceProfileSourceProfile, aws.CredentialSourceProfile, aws.CredentialSourceSTSAssumeRole}
	sso := []aws.CredentialSource{aws.CredentialSourceSSO, aws.CredentialSourceProfileSSO}
	for _, tc := range []struct {
		name    string
		sc      *config.SharedConfig
		sources []aws.CredentialSource
		want    string
	}{
		{"assume-role", &config.SharedConfig{RoleARN: "arn:aws:iam::111122223333:role/Deploy", SourceProfileName: "base"}, assume,
			"f553113ab03f10986b8503b601ff219b8f3584f3"},
		{"assume-role with every option", &config.SharedConfig{RoleARN: "arn:aws:iam::111122223333:role/Deploy", RoleSessionName: "e2e",
			ExternalID: "ext-1", RoleDurationSeconds: &hour, SourceProfileName: "base"}, assume,
			"d45d387cf39d10bb7b58207ccd37d32c09a788ec"},
		{"legacy SSO", &config.SharedConfig{SSOStartURL: "https://d-92671207e4.awsapps.com/start", SSOAccountID: "1234567890", SSORoleName: "test-role"},
			[]aws.CredentialSource{aws.CredentialSourceProfileSSOLegacy, aws.CredentialSourceSSOLegacy},
			"048db75bbe50955c16af7aba6ff9c41a3131bb7e"},
		{"sso-session", &config.SharedConfig{SSOSessionName: "corp", SSOAccountID: "111122223333", SSORoleName: "Developer"}, sso,
			"6b17aaa4b7ddc1fd491e01d5f64d4b66d9e2b04c"},
		{"web identity profile", &config.SharedConfig{RoleARN: "arn:aws:iam::111122223333:role/Deploy", WebIdentityTokenFile: "/t"},
			[]aws.CredentialSource{aws.CredentialSourceProfileSTSWebIDToken}, ""},
		{"MFA", &config.SharedConfig{RoleARN: "arn:aws:iam::111122223333:role/Deploy", MFASerial: "arn:aws:iam::1:mfa/me"}, assume, ""},
		{"static keys", &config.SharedConfig{}, []aws.CredentialSource{aws.CredentialSourceProfile}, ""},
	} {
		got := File("/home/me", tc.sc, tc.sources)
		want := ""
		if tc.want != "" {
			want = "/home/me/.aws/cli/cache/" + tc.want + ".json"
		}
		if got != want {
			t.Errorf("%s: %q, want %q", tc.name, got, want)
		}
	}
}

func TestPyQuote(t *testing.T) {
	// Python 3.11: json.dumps('a"b\\c/é😀<>&\u2028\x01')
	const want = `"a\"b\\c/\u00e9\ud83d\ude00<>&\u2028\u0001"`
	if got := pyQuote("a\"b\\c/é😀<>&\u2028\x01"); got != want {
		t.Errorf("pyQuote = %s, want %s", got, want)
	}
}

func TestReadAWSCLICache(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	dir := t.TempDir()
	for _, tc := range []struct {
		expiration string
		ok         bool
	}{
		{"2026-11-25T13:00:00Z", true},      // isoformat, as botocore writes now
		{"2026-11-25T13:00:00UTC", true},    // strftime %Z, as older botocore wrote
		{"2026-11-25T13:00:00+00:00", true}, // isoformat with an offset
		{"2026-11-25T12:15:00Z", false},     // within the AWS CLI's 15-minute window
		{"2026-11-25T11:00:00Z", false},     // expired
		{"next tuesday", false},
	} {
		f := filepath.Join(dir, "c.json")
		body := `{"Credentials": {"AccessKeyId": "ASIAX", "SecretAccessKey": "s", "SessionToken": "t", "Expiration": "` + tc.expiration + `"}}`
		if err := os.WriteFile(f, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		c, ok := Read(f, now, nil)
		if ok != tc.ok || ok && (c.AccessKeyID != "ASIAX" || c.SecretAccessKey != "s" || c.SessionToken != "t" || !c.Expires.Equal(time.Date(2026, 11, 25, 13, 0, 0, 0, time.UTC))) {
			t.Errorf("%s: %+v, %v; want ok %v", tc.expiration, c, ok, tc.ok)
		}
	}
	for _, body := range []string{"", "{", `{"Credentials": {}}`, `{"Credentials": {"AccessKeyId": "A"}}`} {
		f := filepath.Join(dir, "bad.json")
		os.WriteFile(f, []byte(body), 0o600)
		if _, ok := Read(f, now, nil); ok {
			t.Errorf("%q was accepted", body)
		}
	}
}
