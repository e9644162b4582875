package login

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/ssocreds"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/fakeaws"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/testenv"
)

// checkMode fails the test unless path has the permission bits want.
func checkMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != want {
		t.Errorf("%s has mode %v, want %v", path, got, want)
	}
}

// jsonFields returns the fields of the JSON object in path.
func jsonFields(t *testing.T, path string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: %v\n%s", path, err, b)
	}
	return m
}

func TestWriteToken(t *testing.T) {
	home := testenv.Isolate(t)
	path := filepath.Join(home, ".aws", "sso", "cache", "ee0bfd2552fbd840c02cc48b6e823320543c450f.json")
	expires := time.Date(2030, 1, 2, 3, 4, 5, 987654321, time.FixedZone("CET", 3600))
	tok := Token{
		StartURL: "https://corp.awsapps.com/start", Region: "us-east-1",
		AccessToken: "aoa-access", ExpiresAt: expires,
		RefreshToken: "aor-refresh", ClientID: "client-id", ClientSecret: "client-secret",
		RegistrationExpiresAt: expires.Add(90 * 24 * time.Hour),
	}
	if err := writeToken(path, tok); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"startUrl": "https://corp.awsapps.com/start", "region": "us-east-1",
		"accessToken": "aoa-access", "expiresAt": "2030-01-02T02:04:05Z",
		"refreshToken": "aor-refresh", "clientId": "client-id", "clientSecret": "client-secret",
		"registrationExpiresAt": "2030-04-02T02:04:05Z",
	}
	if got := jsonFields(t, path); !mapsEqual(got, want) {
		t.Errorf("token file %v\nwant %v", got, want)
	}
	checkMode(t, path, 0o600)
	for _, d := range []string{".aws", ".aws/sso", ".aws/sso/cache"} {
		checkMode(t, filepath.Join(home, d), 0o700)
	}

	// A legacy token has no refresh token and, with no registration, no
	// registration fields.
	legacy := Token{StartURL: "https://legacy.awsapps.com/start", Region: "eu-west-1", AccessToken: "aoa-legacy", ExpiresAt: expires}
	if err := writeToken(path, legacy); err != nil {
		t.Fatal(err)
	}
	want = map[string]any{"startUrl": "https://legacy.awsapps.com/start", "region": "eu-west-1", "accessToken": "aoa-legacy", "expiresAt": "2030-01-02T02:04:05Z"}
	if got := jsonFields(t, path); !mapsEqual(got, want) {
		t.Errorf("legacy token file %v\nwant %v", got, want)
	}
	got, err := ReadToken(path)
	if want := (Token{StartURL: legacy.StartURL, Region: legacy.Region, AccessToken: legacy.AccessToken, ExpiresAt: utcSecond(expires)}); err != nil || got != want {
		t.Errorf("ReadToken: %+v, %v; want %+v", got, err, want)
	}
}

// TestWriteTokenReplaces checks that a token replaces the file before it
// by rename: a file of another mode, a reader that opened the old file
// still reads it whole, and no temporary file is left.
func TestWriteTokenReplaces(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "token.json")
	old := `{"accessToken": "old", "expiresAt": "2020-01-01T00:00:00Z", "someField": "the old file's"}`
	if err := os.WriteFile(path, []byte(old), 0o644); err != nil {
		t.Fatal(err)
	}
	reader, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()
	if err := writeToken(path, Token{AccessToken: "new", ExpiresAt: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if m := jsonFields(t, path); m["accessToken"] != "new" || m["someField"] != nil {
		t.Errorf("the new file is %v, want the new token alone", m)
	}
	checkMode(t, path, 0o600)
	oldContent := make([]byte, len(old)+1)
	if n, _ := reader.Read(oldContent); string(oldContent[:n]) != old {
		t.Errorf("a reader of the old file read %q, want it whole", oldContent[:n])
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("the directory holds %v, want the token file alone", entries)
	}
}

func mapsEqual(a, b map[string]any) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func TestCanRefresh(t *testing.T) {
	now := time.Now()
	full := Token{RefreshToken: "r", ClientID: "i", ClientSecret: "s", RegistrationExpiresAt: now.Add(time.Hour)}
	for _, tc := range []struct {
		name string
		edit func(*Token)
		want bool
	}{
		{"refresh token and registration", func(*Token) {}, true},
		{"registration of unknown expiry", func(t *Token) { t.RegistrationExpiresAt = time.Time{} }, true},
		{"registration expired", func(t *Token) { t.RegistrationExpiresAt = now.Add(-time.Second) }, false},
		{"no refresh token", func(t *Token) { t.RefreshToken = "" }, false},
		{"no client id", func(t *Token) { t.ClientID = "" }, false},
		{"no client secret", func(t *Token) { t.ClientSecret = "" }, false},
	} {
		tok := full
		tc.edit(&tok)
		if got := tok.CanRefresh(now); got != tc.want {
			t.Errorf("%s: CanRefresh = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestSDKRefreshesWrittenToken checks that the SDK's SSO token provider,
// which the helper's get uses, reads a token this package wrote and
// renews it with its refresh token, keeping the fields it does not know.
func TestSDKRefreshesWrittenToken(t *testing.T) {
	home := testenv.Isolate(t)
	ic, err := fakeaws.StartIdentityCenter(fakeaws.NewKeys())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ic.Close)
	t.Setenv("AWS_ENDPOINT_URL_SSO_OIDC", ic.URL)
	id, secret := ic.RegisterClient()
	access, refresh := ic.IssueToken()
	path := filepath.Join(home, ".aws", "sso", "cache", "ee0bfd2552fbd840c02cc48b6e823320543c450f.json")
	registrationExpires := time.Now().Add(90 * 24 * time.Hour)
	err = writeToken(path, Token{
		StartURL: "https://corp.awsapps.com/start", Region: "us-east-1",
		AccessToken: access, ExpiresAt: time.Now().Add(-time.Minute),
		RefreshToken: refresh, ClientID: id, ClientSecret: secret, RegistrationExpiresAt: registrationExpires,
	})
	if err != nil {
		t.Fatal(err)
	}

	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion("us-east-1"), config.WithCredentialsProvider(aws.AnonymousCredentials{}))
	if err != nil {
		t.Fatal(err)
	}
	bearer, err := ssocreds.NewSSOTokenProvider(ssooidc.NewFromConfig(cfg), path).RetrieveBearerToken(ctx)
	if err != nil {
		t.Fatalf("the SDK cannot use the token: %v", err)
	}
	if bearer.Value == access || bearer.Expires.Before(time.Now().Add(50*time.Minute)) {
		t.Errorf("the SDK did not refresh the expired token: %+v", bearer)
	}
	got, err := ReadToken(path)
	if err != nil {
		t.Fatal(err)
	}
	if got.AccessToken != bearer.Value || got.RefreshToken == "" || got.RefreshToken == refresh || got.StartURL != "https://corp.awsapps.com/start" ||
		got.Region != "us-east-1" || !got.RegistrationExpiresAt.Equal(utcSecond(registrationExpires)) || got.ClientID != id {
		t.Errorf("after the SDK's refresh the file holds %+v", got)
	}
	if ic.Calls("CreateToken") != 1 {
		t.Errorf("%d CreateToken calls, want 1", ic.Calls("CreateToken"))
	}
}

func TestReadTokenRejects(t *testing.T) {
	dir := t.TempDir()
	if _, err := ReadToken(filepath.Join(dir, "absent.json")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a missing file: %v, want os.ErrNotExist", err)
	}
	for name, body := range map[string]string{
		"not JSON":        `{"accessToken": "a", "expiresAt": `,
		"no access token": `{"expiresAt": "2030-01-01T00:00:00Z"}`,
		"no expiry":       `{"accessToken": "a"}`,
		"not RFC 3339":    `{"accessToken": "a", "expiresAt": "2030-01-01 00:00:00"}`,
	} {
		p := filepath.Join(dir, "token.json")
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := ReadToken(p); err == nil || !strings.HasPrefix(err.Error(), p+" is not a token cache file (") {
			t.Errorf("%s: %v", name, err)
		}
	}
}
