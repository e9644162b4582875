package fakeaws

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// proof is a DPoP proof of key for htm and htu, issued at iat, with jti,
// made here and not by the code under test.
func proof(key *ecdsa.PrivateKey, htm, htu string, iat int64, jti string) string {
	pub, _ := key.PublicKey.ECDH()
	point := pub.Bytes()
	header := b64json(map[string]any{"typ": "dpop+jwt", "alg": "ES256", "jwk": map[string]string{"kty": "EC", "crv": "P-256",
		"x": base64.RawURLEncoding.EncodeToString(point[1:33]), "y": base64.RawURLEncoding.EncodeToString(point[33:])}})
	payload := b64json(map[string]any{"htm": htm, "htu": htu, "iat": iat, "jti": jti})
	digest := sha256.Sum256([]byte(header + "." + payload))
	r, s, _ := ecdsa.Sign(rand.Reader, key, digest[:])
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	return header + "." + payload + "." + base64.RawURLEncoding.EncodeToString(sig)
}

// signInFlow is one sign-in against the fake: its PKCE verifier, state and
// DPoP key.
type signInFlow struct {
	s                       *SignIn
	key                     *ecdsa.PrivateKey
	verifier, state, client string
	redirect                string
}

func newSignInFlow(t *testing.T) *signInFlow {
	t.Helper()
	keys := NewKeys()
	s, err := StartSignIn(keys)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	return &signInFlow{s: s, key: key, verifier: strings.Repeat("v", 64), state: "st", client: signInSameDevice, redirect: "http://127.0.0.1:9/oauth/callback"}
}

// authorizeURL is the AWS CLI's /v1/authorize query for f.
func (f *signInFlow) authorizeURL() string {
	sum := sha256.Sum256([]byte(f.verifier))
	q := url.Values{"response_type": {"code"}, "client_id": {f.client}, "state": {f.state}, "code_challenge_method": {"SHA-256"},
		"scope": {"openid"}, "redirect_uri": {f.redirect}}
	return f.s.URL + "/v1/authorize?" + q.Encode() + "&code_challenge=" + base64.RawURLEncoding.EncodeToString(sum[:])
}

// authorize follows the authorize page to its redirect, and returns the
// redirect's query.
func (f *signInFlow) authorize(t *testing.T) url.Values {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(f.authorizeURL())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || err != nil {
		t.Fatalf("authorize: %s, Location %q", resp.Status, resp.Header.Get("Location"))
	}
	if got := loc.Scheme + "://" + loc.Host + loc.Path; got != f.redirect {
		t.Fatalf("redirected to %s, want %s", got, f.redirect)
	}
	return loc.Query()
}

// tokenCall posts body to the token endpoint with the DPoP header dpop.
func (f *signInFlow) tokenCall(t *testing.T, body map[string]string, dpop string) (int, map[string]any, string) {
	t.Helper()
	b, _ := json.Marshal(body)
	resp, out := do(t, "POST", f.s.URL+"/v1/token", string(b), "Content-Type", "application/json", "DPoP", dpop)
	var m map[string]any
	json.Unmarshal([]byte(out), &m)
	return resp.StatusCode, m, resp.Header.Get("X-Amzn-ErrorType")
}

func (f *signInFlow) goodProof() string {
	return proof(f.key, "POST", f.s.URL+"/v1/token", time.Now().Unix(), randomToken())
}

// redeem exchanges code for tokens, with a good proof.
func (f *signInFlow) redeem(t *testing.T, code string) map[string]any {
	t.Helper()
	status, out, typ := f.tokenCall(t, map[string]string{"clientId": f.client, "grantType": "authorization_code", "code": code,
		"codeVerifier": f.verifier, "redirectUri": f.redirect}, f.goodProof())
	if status != 200 {
		t.Fatalf("authorization_code grant: %d %s %v; rejections %q", status, typ, out, f.s.Rejections())
	}
	return out
}

func TestSignInAuthorizationCode(t *testing.T) {
	f := newSignInFlow(t)
	q := f.authorize(t)
	if q.Get("state") != f.state || q.Get("code") == "" {
		t.Fatalf("redirect query %v", q)
	}
	out := f.redeem(t, q.Get("code"))
	id, _ := out["idToken"].(string)
	parts := strings.Split(id, ".")
	var claims map[string]any
	if len(parts) != 3 || decodeSegment(parts[1], &claims) != nil || claims["sub"] != SignInSession {
		t.Errorf("idToken %q, claims %v", id, claims)
	}
	if out["tokenType"] != "aws_sigv4" || out["expiresIn"] != float64(900) || out["refreshToken"] == "" {
		t.Errorf("answer %v", out)
	}
	access, _ := out["accessToken"].(map[string]any)
	if k, _ := access["accessKeyId"].(string); !strings.HasPrefix(k, "ASIASIGNIN") {
		t.Errorf("access key %v", access)
	}
	// The code is good once.
	if status, out, _ := f.tokenCall(t, map[string]string{"clientId": f.client, "grantType": "authorization_code", "code": q.Get("code"),
		"codeVerifier": f.verifier, "redirectUri": f.redirect}, f.goodProof()); status != 400 || out["error"] != "AUTHCODE_EXPIRED" {
		t.Errorf("a used code: %d %v", status, out)
	}
}

// TestSignInRejects: each way a token request can be wrong is refused,
// and says why.
func TestSignInRejects(t *testing.T) {
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	for _, tc := range []struct {
		name  string
		body  func(f *signInFlow, code string) map[string]string
		dpop  func(f *signInFlow) string
		error string // in Rejections
	}{
		{"wrong verifier", func(f *signInFlow, code string) map[string]string {
			return map[string]string{"clientId": f.client, "grantType": "authorization_code", "code": code, "codeVerifier": strings.Repeat("w", 64), "redirectUri": f.redirect}
		}, nil, "PKCE code verifier does not match"},
		{"wrong redirect", func(f *signInFlow, code string) map[string]string {
			return map[string]string{"clientId": f.client, "grantType": "authorization_code", "code": code, "codeVerifier": f.verifier, "redirectUri": "http://127.0.0.1:10/oauth/callback"}
		}, nil, "redirectUri differs"},
		{"no proof", nil, func(*signInFlow) string { return "" }, "DPoP proof: not a JWS"},
		{"bad signature", nil, func(f *signInFlow) string {
			p := f.goodProof()
			return p[:len(p)-4] + "AAAA"
		}, "signature does not verify"},
		{"signed by another key", nil, func(f *signInFlow) string {
			p := f.goodProof()
			q := proof(other, "POST", f.s.URL+"/v1/token", time.Now().Unix(), "x")
			return p[:strings.LastIndex(p, ".")] + q[strings.LastIndex(q, "."):]
		}, "signature does not verify"},
		{"htm", nil, func(f *signInFlow) string { return proof(f.key, "GET", f.s.URL+"/v1/token", time.Now().Unix(), "j1") }, `htm "GET"`},
		{"htu", nil, func(f *signInFlow) string { return proof(f.key, "POST", f.s.URL+"/v1/other", time.Now().Unix(), "j2") }, `htu "`},
		{"iat", nil, func(f *signInFlow) string {
			return proof(f.key, "POST", f.s.URL+"/v1/token", time.Now().Add(-time.Hour).Unix(), "j3")
		}, "iat missing or too far"},
		{"no jti", nil, func(f *signInFlow) string { return proof(f.key, "POST", f.s.URL+"/v1/token", time.Now().Unix(), "") }, "no jti"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newSignInFlow(t)
			code := f.authorize(t).Get("code")
			body := map[string]string{"clientId": f.client, "grantType": "authorization_code", "code": code, "codeVerifier": f.verifier, "redirectUri": f.redirect}
			if tc.body != nil {
				body = tc.body(f, code)
			}
			dpop := f.goodProof()
			if tc.dpop != nil {
				dpop = tc.dpop(f)
			}
			status, out, _ := f.tokenCall(t, body, dpop)
			rej := f.s.Rejections()
			if status != 400 || out["accessToken"] != nil || len(rej) != 1 || !strings.Contains(rej[0], tc.error) {
				t.Errorf("status %d, answer %v, rejections %q; want one with %q", status, out, rej, tc.error)
			}
		})
	}
}

// TestSignInRefreshBinding: a refresh needs the key the session was
// signed in with, a fresh jti, and a live refresh token.
func TestSignInRefreshBinding(t *testing.T) {
	f := newSignInFlow(t)
	out := f.redeem(t, f.authorize(t).Get("code"))
	refresh := out["refreshToken"].(string)
	body := map[string]string{"clientId": f.client, "grantType": "refresh_token", "refreshToken": refresh}
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if status, out, _ := f.tokenCall(t, body, proof(other, "POST", f.s.URL+"/v1/token", time.Now().Unix(), "o")); status != 400 || out["error"] != "invalid_grant" {
		t.Errorf("a refresh signed by another key: %d %v", status, out)
	}
	replayed := f.goodProof()
	status, out, _ := f.tokenCall(t, body, replayed)
	if status != 200 || f.s.Refreshes() != 1 {
		t.Fatalf("refresh: %d %v; rejections %q", status, out, f.s.Rejections())
	}
	if out["idToken"] != nil {
		t.Errorf("a refresh answered an idToken")
	}
	body["refreshToken"] = out["refreshToken"].(string)
	if status, _, _ := f.tokenCall(t, body, replayed); status != 400 || !strings.Contains(strings.Join(f.s.Rejections(), "\n"), "jti replayed") {
		t.Errorf("a replayed proof: %d; rejections %q", status, f.s.Rejections())
	}
	body["refreshToken"] = refresh
	if status, out, _ := f.tokenCall(t, body, f.goodProof()); status != 400 || out["error"] != "TOKEN_EXPIRED" {
		t.Errorf("a used refresh token: %d %v", status, out)
	}
}

// TestSignInAuthorizePage: bad queries get a page, not a redirect; a
// denial redirects with the error; the cross-device page shows the code
// to paste.
func TestSignInAuthorizePage(t *testing.T) {
	f := newSignInFlow(t)
	good := f.authorizeURL()
	for _, bad := range []string{
		strings.Replace(good, "SHA-256", "plain", 1),
		strings.Replace(good, "scope=openid", "scope=email", 1),
		strings.Replace(good, url.QueryEscape("http://127.0.0.1:9"), url.QueryEscape("http://evil.example:9"), 1),
		strings.Replace(good, url.QueryEscape(signInSameDevice), "other", 1),
		good[:strings.Index(good, "&code_challenge=")],
	} {
		if resp, _ := do(t, "GET", bad, ""); resp.StatusCode != 400 {
			t.Errorf("%s: %s, want 400", bad, resp.Status)
		}
	}
	f.s.Deny()
	if q := f.authorize(t); q.Get("error") != "access_denied" || q.Get("code") != "" || q.Get("state") != f.state {
		t.Errorf("a denial redirected with %v", q)
	}

	f = newSignInFlow(t)
	f.client, f.redirect = signInCrossDevice, f.s.URL+"/v1/sessions/confirmation"
	resp, page := do(t, "GET", f.authorizeURL(), "")
	m := regexp.MustCompile(`<pre id="code">([A-Za-z0-9+/=]+)</pre>`).FindStringSubmatch(page)
	if resp.StatusCode != 200 || m == nil {
		t.Fatalf("confirmation page: %s\n%s", resp.Status, page)
	}
	raw, _ := base64.StdEncoding.DecodeString(m[1])
	q, err := url.ParseQuery(string(raw))
	if err != nil || q.Get("state") != f.state {
		t.Fatalf("pasted code %q", raw)
	}
	f.redeem(t, q.Get("code"))
}

// TestSignInSDKRefresh: the AWS SDK's own login provider refreshes a
// session's expired credentials, with a DPoP proof the fake verifies.
func TestSignInSDKRefresh(t *testing.T) {
	home := setup(t)
	f := newSignInFlow(t)
	out := f.redeem(t, f.authorize(t).Get("code"))
	der, _ := x509.MarshalECPrivateKey(f.key)
	token, _ := json.Marshal(map[string]any{
		"accessToken": map[string]string{"accessKeyId": "ASIAOLD", "secretAccessKey": "old", "sessionToken": "old", "accountId": "111122223333",
			"expiresAt": time.Now().Add(-time.Minute).UTC().Format(time.RFC3339)},
		"tokenType": "aws_sigv4", "clientId": f.client, "refreshToken": out["refreshToken"], "idToken": out["idToken"],
		"dpopKey": string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der})),
	})
	sum := sha256.Sum256([]byte(SignInSession))
	writeFile(t, filepath.Join(home, ".aws", "login", "cache", fmt.Sprintf("%x.json", sum)), string(token))
	writeFile(t, filepath.Join(home, ".aws", "config"), "[default]\nlogin_session = "+SignInSession+"\n")
	t.Setenv("AWS_ENDPOINT_URL_SIGNIN", f.s.URL)
	got := mustRetrieve(t)
	checkIssued(t, f.s.keys, got, "ASIASIGNIN")
	if f.s.Refreshes() != 1 {
		t.Errorf("%d refreshes; rejections %q", f.s.Refreshes(), f.s.Rejections())
	}
	// The SDK wrote the new credentials and refresh token back; once they
	// expire and the session has ended, the refresh is refused.
	path := filepath.Join(home, ".aws", "login", "cache", fmt.Sprintf("%x.json", sum))
	var saved map[string]any
	if b, err := os.ReadFile(path); err != nil || json.Unmarshal(b, &saved) != nil || saved["refreshToken"] == out["refreshToken"] {
		t.Fatalf("the SDK's rewrite: %v %v", err, saved)
	}
	saved["accessToken"].(map[string]any)["expiresAt"] = time.Now().Add(-time.Minute).UTC().Format(time.RFC3339)
	b, _ := json.Marshal(saved)
	writeFile(t, path, string(b))
	f.s.Expire()
	if _, err := retrieve(t); err == nil || !strings.Contains(err.Error(), "login session has expired") {
		t.Errorf("after Expire, retrieve: %v", err)
	}
}
