package awsconfig

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/credcache"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/testenv"
)

// TestCacheKeySettings checks, for each setting the SDK reads for
// assume-role, web identity, IAM Identity Center and process sources, that
// changing it changes the cache key, and that nothing else does: two
// configurations that would fetch different credentials never share an
// entry.
func TestCacheKeySettings(t *testing.T) {
	const base = "[profile base]\naws_access_key_id = AKIABASE\naws_secret_access_key = s\n" +
		"[profile other]\naws_access_key_id = AKIAOTHER\naws_secret_access_key = s\n" +
		"[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n" +
		"[sso-session corp2]\nsso_start_url = https://corp2.awsapps.com/start\nsso_region = us-east-1\n" +
		"[services sts-local]\nsts =\n  endpoint_url = http://127.0.0.1:1\n" +
		"[services sts-other]\nsts =\n  endpoint_url = http://127.0.0.1:2\n"
	assume := "role_arn = arn:aws:iam::111122223333:role/R\nsource_profile = base\n"
	for _, tc := range []struct {
		name      string
		a, b      string            // the two profiles' bodies
		envA, env map[string]string // environment for a; for both
	}{
		{name: "role_arn", a: assume, b: "role_arn = arn:aws:iam::111122223333:role/Other\nsource_profile = base\n"},
		{name: "source_profile", a: assume, b: "role_arn = arn:aws:iam::111122223333:role/R\nsource_profile = other\n"},
		{name: "role_session_name", a: assume, b: assume + "role_session_name = s2\n"},
		{name: "external_id", a: assume, b: assume + "external_id = x\n"},
		{name: "duration_seconds", a: assume, b: assume + "duration_seconds = 7200\n"},
		{name: "mfa_serial", a: assume, b: assume + "mfa_serial = arn:aws:iam::111122223333:mfa/me\n"},
		{name: "credential_source", a: "role_arn = arn:aws:iam::111122223333:role/R\ncredential_source = Ec2InstanceMetadata\n",
			b: "role_arn = arn:aws:iam::111122223333:role/R\ncredential_source = EcsContainer\n"},
		{name: "the identity behind credential_source = Environment",
			a:    "role_arn = arn:aws:iam::111122223333:role/R\ncredential_source = Environment\n",
			b:    "role_arn = arn:aws:iam::111122223333:role/R\ncredential_source = Environment\n",
			envA: map[string]string{"AWS_ACCESS_KEY_ID": "AKIAFIRST"}, env: map[string]string{"AWS_ACCESS_KEY_ID": "AKIASECOND"}},
		{name: "web_identity_token_file", a: "role_arn = arn:aws:iam::111122223333:role/W\nweb_identity_token_file = /a\n",
			b: "role_arn = arn:aws:iam::111122223333:role/W\nweb_identity_token_file = /b\n"},
		{name: "credential_process", a: "credential_process = /bin/a\n", b: "credential_process = /bin/b\n"},
		{name: "sso_session", a: "sso_session = corp\nsso_account_id = 1\nsso_role_name = R\n", b: "sso_session = corp2\nsso_account_id = 1\nsso_role_name = R\n"},
		{name: "sso_account_id", a: "sso_session = corp\nsso_account_id = 1\nsso_role_name = R\n", b: "sso_session = corp\nsso_account_id = 2\nsso_role_name = R\n"},
		{name: "sso_role_name", a: "sso_session = corp\nsso_account_id = 1\nsso_role_name = R\n", b: "sso_session = corp\nsso_account_id = 1\nsso_role_name = S\n"},
		{name: "legacy sso_start_url", a: "sso_start_url = https://a/start\nsso_region = us-east-1\nsso_account_id = 1\nsso_role_name = R\n",
			b: "sso_start_url = https://b/start\nsso_region = us-east-1\nsso_account_id = 1\nsso_role_name = R\n"},
		{name: "legacy sso_region", a: "sso_start_url = https://a/start\nsso_region = us-east-1\nsso_account_id = 1\nsso_role_name = R\n",
			b: "sso_start_url = https://a/start\nsso_region = eu-west-1\nsso_account_id = 1\nsso_role_name = R\n"},
		{name: "endpoint_url", a: assume, b: assume + "endpoint_url = http://127.0.0.1:3\n"},
		{name: "the services section's STS endpoint", a: assume + "services = sts-local\n", b: assume + "services = sts-other\n"},
		{name: "use_fips_endpoint", a: assume, b: assume + "use_fips_endpoint = true\n"},
		{name: "ec2_metadata_service_endpoint", a: "ec2_metadata_service_endpoint = http://127.0.0.1:4\n", b: "ec2_metadata_service_endpoint = http://127.0.0.1:5\n"},
		{name: "AWS_ENDPOINT_URL_STS", a: assume, b: assume, envA: map[string]string{"AWS_ENDPOINT_URL_STS": "http://127.0.0.1:6"}},
		{name: "AWS_ROLE_ARN", a: "", b: "", envA: map[string]string{"AWS_ROLE_ARN": "arn:aws:iam::1:role/E", "AWS_WEB_IDENTITY_TOKEN_FILE": "/t"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := key(t, base, tc.a, merge(tc.env, tc.envA))
			b := key(t, base, tc.b, tc.env)
			if a == b {
				t.Errorf("the key does not change with %s", tc.name)
			}
			if again := key(t, base, tc.b, tc.env); again != b {
				t.Errorf("the same configuration gives two keys")
			}
		})
	}
	// Settings that change no fetch leave the key alone.
	if key(t, base, assume, nil) != key(t, base, assume+"region = eu-west-1\noutput = json\n", nil) {
		t.Error("the profile's region or output format changes the key")
	}
}

func merge(a, b map[string]string) map[string]string {
	m := map[string]string{}
	for k, v := range a {
		m[k] = v
	}
	for k, v := range b {
		m[k] = v
	}
	return m
}

// key is the cache key of the profile "p" with body in a config file that
// also holds base, with env set.
func key(t *testing.T, base, body string, env map[string]string) string {
	t.Helper()
	home := testenv.Isolate(t)
	if err := os.MkdirAll(filepath.Join(home, ".aws"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, ".aws", "config"), []byte(base+"[profile p]\n"+body), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_ENDPOINT_URL_STS", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE"} {
		t.Setenv(k, env[k]) // unset when env has none: a call before may have set it
	}
	cfg, err := Load(context.Background(), "p")
	if err != nil {
		t.Fatal(err)
	}
	return credcache.Key(&cfg.Shared)
}
