package fakeaws

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sso"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc/types"
)

// TestAuthorizationCode drives the fake's /authorize and authorization_code
// grant with the SDK's client and checks what it refuses: a redirect URI
// not registered, a wrong verifier, another redirect URI at CreateToken,
// and a code used twice.
func TestAuthorizationCode(t *testing.T) {
	ic, _, _ := startIdentityCenter(t)
	cfg, err := config.LoadDefaultConfig(context.Background(), config.WithRegion("us-east-1"), config.WithCredentialsProvider(aws.AnonymousCredentials{}))
	if err != nil {
		t.Fatal(err)
	}
	c := ssooidc.NewFromConfig(cfg)
	reg, err := c.RegisterClient(context.Background(), &ssooidc.RegisterClientInput{ClientName: aws.String("t"), ClientType: aws.String("public"),
		GrantTypes: []string{"authorization_code", "refresh_token"}, RedirectUris: []string{"http://127.0.0.1/oauth/callback"}})
	if err != nil {
		t.Fatal(err)
	}
	verifier := strings.Repeat("v", 64)
	sum := sha256.Sum256([]byte(verifier))
	authorize := func(redirect string) (int, url.Values) {
		q := url.Values{"response_type": {"code"}, "client_id": {aws.ToString(reg.ClientId)}, "redirect_uri": {redirect}, "state": {"s1"},
			"code_challenge_method": {"S256"}, "code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}}
		noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := noFollow.Get(ic.URL + "/authorize?" + q.Encode())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		loc, _ := resp.Location()
		if loc == nil {
			return resp.StatusCode, nil
		}
		return resp.StatusCode, loc.Query()
	}
	if code, _ := authorize("http://127.0.0.1:4000/elsewhere"); code != http.StatusBadRequest {
		t.Errorf("an unregistered redirect URI: %d, want 400", code)
	}
	redeem := func(code, verifier, redirect string) error {
		_, err := c.CreateToken(context.Background(), &ssooidc.CreateTokenInput{ClientId: reg.ClientId, ClientSecret: reg.ClientSecret,
			GrantType: aws.String("authorization_code"), Code: aws.String(code), CodeVerifier: aws.String(verifier), RedirectUri: aws.String(redirect)})
		return err
	}
	const redirect = "http://127.0.0.1:4000/oauth/callback"
	var invalid *types.InvalidGrantException
	for _, tc := range []struct{ name, verifier, redirect string }{
		{"wrong verifier", strings.Repeat("w", 64), redirect},
		{"another redirect URI", verifier, "http://127.0.0.1:4001/oauth/callback"},
	} {
		status, back := authorize(redirect)
		if status != http.StatusFound || back.Get("state") != "s1" || back.Get("code") == "" {
			t.Fatalf("authorize: %d %v", status, back)
		}
		if err := redeem(back.Get("code"), tc.verifier, tc.redirect); !errors.As(err, &invalid) {
			t.Errorf("%s: %v, want invalid_grant", tc.name, err)
		}
	}
	_, back := authorize(redirect)
	if err := redeem(back.Get("code"), verifier, redirect); err != nil {
		t.Fatalf("the right verifier: %v", err)
	}
	if err := redeem(back.Get("code"), verifier, redirect); !errors.As(err, &invalid) {
		t.Errorf("a code used twice: %v, want invalid_grant", err)
	}
	ic.DenyAuthorizations()
	if _, back := authorize(redirect); back.Get("error") != "access_denied" || back.Get("code") != "" {
		t.Errorf("denied: %v", back)
	}
}

// TestListAccountsAndRoles lists through the SDK's paginators, which must
// follow nextToken, and refuses an unknown token.
func TestListAccountsAndRoles(t *testing.T) {
	ic, _, _ := startIdentityCenter(t)
	for _, id := range []string{"444455556666", "222233334444"} {
		ic.AllowRole(id, "ReadOnly")
	}
	ic.AllowRole(ssoAccount, "Admin")
	ic.AllowRole(ssoAccount, "Auditor")
	access, _ := ic.IssueToken()
	cfg, err := config.LoadDefaultConfig(context.Background(), config.WithRegion("us-east-1"), config.WithCredentialsProvider(aws.AnonymousCredentials{}))
	if err != nil {
		t.Fatal(err)
	}
	c := sso.NewFromConfig(cfg)
	var accounts []string
	for p := sso.NewListAccountsPaginator(c, &sso.ListAccountsInput{AccessToken: aws.String(access)}); p.HasMorePages(); {
		out, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range out.AccountList {
			accounts = append(accounts, aws.ToString(a.AccountId))
		}
	}
	if got := strings.Join(accounts, " "); got != "111122223333 222233334444 444455556666" {
		t.Errorf("accounts %s", got)
	}
	var roles []string
	for p := sso.NewListAccountRolesPaginator(c, &sso.ListAccountRolesInput{AccessToken: aws.String(access), AccountId: aws.String(ssoAccount)}); p.HasMorePages(); {
		out, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range out.RoleList {
			roles = append(roles, aws.ToString(r.RoleName))
		}
	}
	if got := strings.Join(roles, " "); got != "Admin Auditor Developer" {
		t.Errorf("roles %s", got)
	}
	if _, err := c.ListAccounts(context.Background(), &sso.ListAccountsInput{AccessToken: aws.String("nope")}); err == nil {
		t.Error("ListAccounts with an unknown token worked")
	}
}
