package fakeaws

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc/types"
)

const ssoAccount = "111122223333"

// startIdentityCenter starts the fake, allows Developer in ssoAccount, and
// writes profile "sso" (sso-session "corp") and profile "legacy" (a legacy
// sso_start_url profile). It returns HOME.
func startIdentityCenter(t *testing.T) (*IdentityCenter, *Keys, string) {
	t.Helper()
	home := setup(t)
	keys := NewKeys()
	ic, err := StartIdentityCenter(keys)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ic.Close)
	ic.AllowRole(ssoAccount, "Developer")
	writeFile(t, filepath.Join(home, ".aws", "config"), `[profile sso]
sso_session = corp
sso_account_id = `+ssoAccount+`
sso_role_name = Developer

[profile forbidden]
sso_session = corp
sso_account_id = `+ssoAccount+`
sso_role_name = Admin

[sso-session corp]
sso_start_url = `+ic.URL+`/start
sso_region = us-east-1

[profile legacy]
sso_start_url = `+ic.URL+`/legacy
sso_region = us-east-1
sso_account_id = `+ssoAccount+`
sso_role_name = Developer
`)
	t.Setenv("AWS_ENDPOINT_URL_SSO", ic.URL)
	t.Setenv("AWS_ENDPOINT_URL_SSO_OIDC", ic.URL)
	t.Setenv("AWS_PROFILE", "sso")
	return ic, keys, home
}

// cacheFile is the SDK's SSO token cache file for key, an sso-session name
// or a legacy start URL.
func cacheFile(home, key string) string {
	sum := sha1.Sum([]byte(key))
	return filepath.Join(home, ".aws", "sso", "cache", hex.EncodeToString(sum[:])+".json")
}

func writeCache(t *testing.T, path string, token map[string]string) {
	t.Helper()
	b, err := json.Marshal(token)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, path, string(b))
}

func readCache(t *testing.T, path string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var token map[string]string
	if err := json.Unmarshal(b, &token); err != nil {
		t.Fatal(err)
	}
	return token
}

func rfc3339(d time.Duration) string { return time.Now().Add(d).UTC().Format(time.RFC3339) }

func TestSSOSession(t *testing.T) {
	ic, keys, home := startIdentityCenter(t)
	access, _ := ic.IssueToken()
	writeCache(t, cacheFile(home, "corp"), map[string]string{"accessToken": access, "expiresAt": rfc3339(50 * time.Minute)})

	got := mustRetrieve(t)
	want := checkIssued(t, keys, got, "ASIASSO")
	if !got.Expires.Equal(want.Expiration) || time.Until(got.Expires) > time.Hour || time.Until(got.Expires) < 59*time.Minute {
		t.Errorf("expires %v, want %v, in one hour", got.Expires, want.Expiration)
	}
	if got.AccountID != ssoAccount {
		t.Errorf("account id %q", got.AccountID)
	}
	if ic.Calls("GetRoleCredentials") != 1 || ic.Calls("CreateToken") != 0 {
		t.Errorf("%d GetRoleCredentials and %d CreateToken calls, want 1 and 0", ic.Calls("GetRoleCredentials"), ic.Calls("CreateToken"))
	}
}

func TestSSOSessionRefresh(t *testing.T) {
	ic, keys, home := startIdentityCenter(t)
	id, secret := ic.RegisterClient()
	_, refresh := ic.IssueToken()
	path := cacheFile(home, "corp")
	old := map[string]string{
		"startUrl":              ic.URL + "/start",
		"region":                "us-east-1",
		"accessToken":           "expired-access-token",
		"expiresAt":             rfc3339(-time.Minute),
		"refreshToken":          refresh,
		"clientId":              id,
		"clientSecret":          secret,
		"registrationExpiresAt": rfc3339(80 * 24 * time.Hour),
	}
	writeCache(t, path, old)

	checkIssued(t, keys, mustRetrieve(t), "ASIASSO")
	if ic.Calls("CreateToken") != 1 || ic.Calls("GetRoleCredentials") != 1 {
		t.Errorf("%d CreateToken and %d GetRoleCredentials calls, want 1 and 1", ic.Calls("CreateToken"), ic.Calls("GetRoleCredentials"))
	}
	now := readCache(t, path)
	if now["accessToken"] == old["accessToken"] || now["refreshToken"] == old["refreshToken"] || now["refreshToken"] == "" {
		t.Errorf("the SDK did not store new tokens: %v", now)
	}
	if now["registrationExpiresAt"] != old["registrationExpiresAt"] || now["clientId"] != id {
		t.Errorf("the SDK lost fields of the cache: %v", now)
	}
	if exp, err := time.Parse(time.RFC3339, now["expiresAt"]); err != nil || time.Until(exp) < 59*time.Minute {
		t.Errorf("new expiresAt %q, want in an hour", now["expiresAt"])
	}

	// The next process uses the stored token without refreshing.
	checkIssued(t, keys, mustRetrieve(t), "ASIASSO")
	if n := ic.Calls("CreateToken"); n != 1 {
		t.Errorf("%d CreateToken calls, want still 1", n)
	}

	// The old refresh token was replaced: refreshing with it fails.
	writeCache(t, path, old)
	if _, err := retrieve(t); !errors.As(err, new(*types.InvalidGrantException)) {
		t.Errorf("refresh with a used refresh token: %v, want InvalidGrantException", err)
	}
}

func TestSSOLegacy(t *testing.T) {
	ic, keys, home := startIdentityCenter(t)
	t.Setenv("AWS_PROFILE", "legacy")
	access, _ := ic.IssueToken()
	writeCache(t, cacheFile(home, ic.URL+"/legacy"), map[string]string{"accessToken": access, "expiresAt": rfc3339(time.Hour)})
	checkIssued(t, keys, mustRetrieve(t), "ASIASSO")
}

func TestSSORefused(t *testing.T) {
	ic, _, home := startIdentityCenter(t)
	access, _ := ic.IssueToken()
	path := cacheFile(home, "corp")

	writeCache(t, path, map[string]string{"accessToken": access, "expiresAt": rfc3339(time.Hour)})
	t.Setenv("AWS_PROFILE", "forbidden")
	if _, err := retrieve(t); errorCode(err) != "ForbiddenException" {
		t.Errorf("role not allowed: %v, want ForbiddenException", err)
	}

	t.Setenv("AWS_PROFILE", "sso")
	writeCache(t, path, map[string]string{"accessToken": "not-issued", "expiresAt": rfc3339(time.Hour)})
	if _, err := retrieve(t); errorCode(err) != "UnauthorizedException" {
		t.Errorf("unknown access token: %v, want UnauthorizedException", err)
	}
	if n := ic.Calls("GetRoleCredentials"); n != 2 {
		t.Errorf("%d GetRoleCredentials calls, want 2 (refusals are not retried)", n)
	}
}

// TestSSODeviceAuthorization runs the sign-in of "aws sso login" through the
// SDK's SSO-OIDC client, then uses the token it got.
func TestSSODeviceAuthorization(t *testing.T) {
	ic, keys, home := startIdentityCenter(t)
	ctx := t.Context()
	cfg, err := config.LoadDefaultConfig(ctx, config.WithCredentialsProvider(aws.AnonymousCredentials{}))
	if err != nil {
		t.Fatal(err)
	}
	client := ssooidc.NewFromConfig(cfg)

	reg, err := client.RegisterClient(ctx, &ssooidc.RegisterClientInput{
		ClientName: aws.String("fakeaws-test"), ClientType: aws.String("public"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if reg.ClientSecretExpiresAt < time.Now().Add(80*24*time.Hour).Unix() {
		t.Errorf("client secret expires at %d, want in 90 days", reg.ClientSecretExpiresAt)
	}
	start := func() *ssooidc.StartDeviceAuthorizationOutput {
		t.Helper()
		dev, err := client.StartDeviceAuthorization(ctx, &ssooidc.StartDeviceAuthorizationInput{
			ClientId: reg.ClientId, ClientSecret: reg.ClientSecret, StartUrl: aws.String(ic.URL + "/start"),
		})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(dev.DeviceCode) == "" || aws.ToString(dev.UserCode) == "" || dev.Interval != 1 || dev.ExpiresIn != 600 {
			t.Fatalf("device authorization %+v", dev)
		}
		return dev
	}
	poll := func(ctx context.Context, dev *ssooidc.StartDeviceAuthorizationOutput) (*ssooidc.CreateTokenOutput, error) {
		return client.CreateToken(ctx, &ssooidc.CreateTokenInput{
			ClientId: reg.ClientId, ClientSecret: reg.ClientSecret, DeviceCode: dev.DeviceCode,
			GrantType: aws.String("urn:ietf:params:oauth:grant-type:device_code"),
		})
	}

	dev := start()
	ic.PendingPolls(2)
	ic.SlowDown(1)
	for i := range 2 {
		var pending *types.AuthorizationPendingException
		if _, err := poll(ctx, dev); !errors.As(err, &pending) || aws.ToString(pending.Error_) != "authorization_pending" {
			t.Fatalf("poll %d: %v, want AuthorizationPendingException", i, err)
		}
	}
	var slow *types.SlowDownException
	if _, err := poll(ctx, dev); !errors.As(err, &slow) || aws.ToString(slow.Error_) != "slow_down" {
		t.Fatalf("poll 3: %v, want SlowDownException", err)
	}
	tok, err := poll(ctx, dev)
	if err != nil {
		t.Fatalf("poll 4: %v", err)
	}
	if tok.ExpiresIn != 3600 || aws.ToString(tok.TokenType) != "Bearer" || aws.ToString(tok.RefreshToken) == "" {
		t.Errorf("token %+v", tok)
	}
	if _, err := poll(ctx, dev); !errors.As(err, new(*types.InvalidGrantException)) {
		t.Errorf("reused device code: %v, want InvalidGrantException", err)
	}

	// The token works for GetRoleCredentials, through the SDK's chain.
	writeCache(t, cacheFile(home, "corp"), map[string]string{"accessToken": aws.ToString(tok.AccessToken), "expiresAt": rfc3339(time.Hour)})
	checkIssued(t, keys, mustRetrieve(t), "ASIASSO")

	// A refresh token works once, and only for its client.
	refresh := func(clientID, clientSecret, token *string) (*ssooidc.CreateTokenOutput, error) {
		return client.CreateToken(ctx, &ssooidc.CreateTokenInput{
			ClientId: clientID, ClientSecret: clientSecret, RefreshToken: token, GrantType: aws.String("refresh_token"),
		})
	}
	otherID, otherSecret := ic.RegisterClient()
	if _, err := refresh(&otherID, &otherSecret, tok.RefreshToken); !errors.As(err, new(*types.InvalidGrantException)) {
		t.Errorf("refresh by another client: %v, want InvalidGrantException", err)
	}
	if _, err := refresh(reg.ClientId, aws.String("wrong"), tok.RefreshToken); !errors.As(err, new(*types.InvalidClientException)) {
		t.Errorf("refresh with a wrong client secret: %v, want InvalidClientException", err)
	}
	if _, err := refresh(reg.ClientId, reg.ClientSecret, tok.RefreshToken); err != nil {
		t.Errorf("refresh: %v", err)
	}
	if _, err := refresh(reg.ClientId, reg.ClientSecret, tok.RefreshToken); !errors.As(err, new(*types.InvalidGrantException)) {
		t.Errorf("second refresh with one token: %v, want InvalidGrantException", err)
	}

	dev = start()
	ic.ExpireDeviceCodes()
	if _, err := poll(ctx, dev); !errors.As(err, new(*types.ExpiredTokenException)) {
		t.Errorf("expired device code: %v, want ExpiredTokenException", err)
	}
	if ic.Calls("RegisterClient") != 1 || ic.Calls("StartDeviceAuthorization") != 2 || ic.Calls("CreateToken") != 10 {
		t.Errorf("%d RegisterClient, %d StartDeviceAuthorization, %d CreateToken calls, want 1, 2, 10",
			ic.Calls("RegisterClient"), ic.Calls("StartDeviceAuthorization"), ic.Calls("CreateToken"))
	}
}
