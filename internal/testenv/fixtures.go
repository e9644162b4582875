package testenv

import (
	"os"
	"path/filepath"
	"testing"
)

// SSOConfig is an AWS config file whose profile "dev" gets role
// credentials (account 111122223333, role Developer) from IAM Identity
// Center through the sso-session "corp", in us-east-1.
const SSOConfig = `[profile dev]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = Developer
region = us-east-1
[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = us-east-1
sso_registration_scopes = sso:account:access
`

// SSOTokenFile is where, under HOME, the AWS SDK keeps the IAM Identity
// Center token of SSOConfig's session: ~/.aws/sso/cache/ and the hex SHA-1
// of the session's name, "corp".
const SSOTokenFile = ".aws/sso/cache/ee0bfd2552fbd840c02cc48b6e823320543c450f.json"

// WriteFile creates name under dir with body, mode 0600, and its
// directories, mode 0700, and returns its path.
func WriteFile(t testing.TB, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
