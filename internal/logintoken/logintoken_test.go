package logintoken

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"maps"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/testenv"
)

// TestPath checks the file name against the AWS CLI's own test data
// (tests/unit/botocore/login/login-provider-test-cases.json): the hex
// SHA-256 of the session ARN, under AWS_LOGIN_CACHE_DIRECTORY or
// ~/.aws/login/cache.
func TestPath(t *testing.T) {
	home := testenv.Isolate(t)
	const session = "arn:aws:sts::012345678910:assumed-role/Admin/admin"
	const name = "4b0ba8f99f075c0633e122fd73346ce203a3faf18ea0310eb2d29df1bab2e255.json"
	p, err := Path(session)
	if want := filepath.Join(home, ".aws", "login", "cache", name); err != nil || p != want {
		t.Errorf("Path = %q, %v; want %q", p, err, want)
	}
	t.Setenv("AWS_LOGIN_CACHE_DIRECTORY", "/elsewhere")
	if p, err := Path(session); err != nil || p != "/elsewhere/"+name {
		t.Errorf("with AWS_LOGIN_CACHE_DIRECTORY, Path = %q, %v", p, err)
	}
}

// cliKey is the dpopKey of the AWS CLI's own unit test
// (tests/unit/customizations/login/test_utils.py, EXPECTED_DPOP_KEY), in
// the form its login writes.
const cliKey = "-----BEGIN EC PRIVATE KEY-----\n" +
	"MHcCAQEEIHjt7c+VnkIkN6RW7QgZPFNLb/9AZEhqSYYMtwrlLb3WoAoGCCqGSM49\n" +
	"AwEHoUQDQgAEv2FjRpMtADMZ4zoZxshV9chEkembgzZnXSUNe+DA8dKqXN/7qTcZ\n" +
	"jYJHKIi+Rn88zUGqCJo3DWF/X+ufVfdU2g==\n" +
	"-----END EC PRIVATE KEY-----\n"

// TestKeyFormat: the AWS CLI's key, decoded and encoded again, is the same
// bytes; so is a new key, and the SDK's PKCS #8 form decodes too.
func TestKeyFormat(t *testing.T) {
	k, err := DecodeKey(cliKey)
	if err != nil {
		t.Fatal(err)
	}
	if s, err := EncodeKey(k); err != nil || s != cliKey {
		t.Errorf("EncodeKey = %q, %v\nwant %q", s, err, cliKey)
	}
	fresh, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	s, _ := EncodeKey(fresh)
	if back, err := DecodeKey(s); err != nil || !back.Equal(fresh) {
		t.Errorf("a new key does not survive EncodeKey and DecodeKey: %v", err)
	}
	const sdkKey = "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg+PNauWi/ihtwHHbq\n1tgc8Vgpwx0qQlNSN38y+z0igWehRANCAAR2Ntw6BXJ1v8jb9XjzKZJ+gL5f/3Jq\nIqiH2PUGKWxoFwNlcNB83FivEXEzlTbuCQK5OezOYb3gbvHuzKkB0nDX\n-----END PRIVATE KEY-----"
	if _, err := DecodeKey(sdkKey); err != nil {
		t.Errorf("the PKCS #8 key of the AWS CLI's provider tests: %v", err)
	}
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	s, _ = EncodeKey(p384)
	for _, bad := range []string{"", "not pem", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", s} {
		if _, err := DecodeKey(bad); err == nil {
			t.Errorf("DecodeKey(%q) accepted it", bad)
		}
	}
}

// TestFields: the file has the AWS CLI's fields (awscli/customizations/
// login/utils.py, _exchange_auth_code_for_access_token), in its order.
func TestFields(t *testing.T) {
	tok := Token{AccessToken: AccessToken{"A", "S", "T", "111122223333", time.Date(2026, 1, 2, 3, 4, 5, 600, time.FixedZone("x", 3600))},
		TokenType: "aws_sigv4", ClientID: SameDeviceClient, RefreshToken: "R", IDToken: "I", DPoPKey: cliKey}
	b, err := tok.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	want := `{"accessToken":{"accessKeyId":"A","secretAccessKey":"S","sessionToken":"T","accountId":"111122223333","expiresAt":"2026-01-02T02:04:05Z"},` +
		`"tokenType":"aws_sigv4","clientId":"arn:aws:signin:::devtools/same-device","refreshToken":"R","idToken":"I","dpopKey":` + mustJSON(cliKey) + `}`
	if string(b) != want {
		t.Errorf("Marshal =\n%s\nwant\n%s", b, want)
	}
	var m map[string]any
	json.Unmarshal(b, &m)
	if got := slices.Sorted(maps.Keys(m)); !slices.Equal(got, []string{"accessToken", "clientId", "dpopKey", "idToken", "refreshToken", "tokenType"}) {
		t.Errorf("fields %v", got)
	}
}

func mustJSON(s string) string { b, _ := json.Marshal(s); return string(b) }

// TestRead: a good file, one the SDK rewrote, and one lacking what a
// refresh needs.
func TestRead(t *testing.T) {
	home := testenv.Isolate(t)
	good := `{"accessToken":{"accessKeyId":"A","secretAccessKey":"S","sessionToken":"T","accountId":"1","expiresAt":"2026-01-02T03:04:05Z"},"tokenType":"aws_sigv4","clientId":"c","refreshToken":"R","idToken":"I","dpopKey":"K"}`
	p := testenv.WriteFile(t, home, "good.json", good)
	if tok, err := Read(p); err != nil || tok.AccessToken.ExpiresAt != time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) || !slices.Equal(tok.Secrets(), []string{"S", "T", "R", "K"}) {
		t.Errorf("Read = %+v, %v", tok, err)
	}
	sdk := `{"accessToken":{"accessKeyId":"A","secretAccessKey":"S","sessionToken":"T","accountId":"1","expiresAt":"2026-01-02T03:04:05Z"},"tokenType":"aws_sigv4","refreshToken":"R","identityToken":"","clientId":"c","dpopKey":"K"}`
	if _, err := Read(testenv.WriteFile(t, home, "sdk.json", sdk)); err != nil {
		t.Errorf("the SDK's rewrite: %v", err)
	}
	if _, err := Read(testenv.WriteFile(t, home, "short.json", `{"accessToken":{"accessKeyId":"A"}}`)); err == nil {
		t.Error("a file without what a refresh needs was accepted")
	}
}
