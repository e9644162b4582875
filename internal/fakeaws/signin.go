package fakeaws

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Sign-In's developer-tool clients, as the AWS CLI names them.
const (
	signInSameDevice  = "arn:aws:signin:::devtools/same-device"
	signInCrossDevice = "arn:aws:signin:::devtools/cross-device"
	// SignInSession is the login session the fake signs everyone in as: an
	// IAM user of account 111122223333.
	SignInSession = "arn:aws:iam::111122223333:user/dev"
)

// SignIn fakes AWS Sign-In's console sign-in for developer tools (the AWS
// CLI's "aws login"): the authorize page (GET /v1/authorize), the
// cross-device confirmation page (GET /v1/sessions/confirmation) and
// CreateOAuth2Token (POST /v1/token). Set AWS_ENDPOINT_URL_SIGNIN to its URL.
//
// /v1/authorize checks the AWS CLI's query (response_type=code, one of the
// two client ids, scope=openid, an S256 code challenge named "SHA-256", a
// state, and a redirect_uri: a loopback http://127.0.0.1 or [::1] one for
// the same-device client, the fake's own confirmation page for the
// cross-device one); a bad query gets a 400 page, as no redirect can be
// trusted. Otherwise the user "approves" at once: a 302 to the redirect_uri
// with a code and the state, or, after Deny, with error=access_denied. The
// confirmation page shows the code to paste: the standard base64 of
// "state=STATE&code=CODE".
//
// CreateOAuth2Token takes the authorization_code grant (the code, once,
// with the client id and redirect_uri it was issued for and a PKCE
// verifier whose S256 hash is the challenge) and the refresh_token grant
// (a refresh token, which then stops working, with its client id). Both
// need a DPoP proof (RFC 9449) that verifies: an ES256 JWT of type
// dpop+jwt with a P-256 key, htm POST, htu this endpoint's URL, an iat
// within 5 minutes and a jti never seen before; a refresh must be signed
// by the key the first grant's proof had. It issues keys whose id starts
// with "ASIASIGNIN", valid for 15 minutes (SetLifetime), a refresh token and,
// for the first grant, an ID token whose sub is SignInSession. Refusals
// are the service's JSON errors, the exception in X-Amzn-ErrorType and the
// OAuth code in "error"; each is recorded (Rejections).
//
// The fake is simpler than Sign-In: no user signs in, the ID token's
// signature is the fake's own key's, and sessions never end unless Expire
// is called.
type SignIn struct {
	// URL is the endpoint, for AWS_ENDPOINT_URL_SIGNIN.
	URL string

	keys   *Keys
	srv    *server
	idKey  *ecdsa.PrivateKey
	issuer string

	mu         sync.Mutex
	deny       bool
	expired    bool
	lifetime   time.Duration
	codes      map[string]authorization // unused authorization codes
	refresh    map[string]boundToken    // live refresh tokens
	jtis       map[string]bool
	refreshes  int
	rejections []string
}

// authorization is what an authorization code was issued for.
type authorization struct {
	clientID, redirectURI, challenge string
}

// boundToken is a refresh token's client and the thumbprint of its DPoP key.
type boundToken struct {
	clientID, thumbprint string
}

// StartSignIn starts a Sign-In fake that issues credentials into keys.
func StartSignIn(keys *Keys) (*SignIn, error) {
	srv, err := listen()
	if err != nil {
		return nil, err
	}
	idKey, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		return nil, err
	}
	s := &SignIn{URL: srv.url, keys: keys, srv: srv, idKey: idKey, issuer: srv.url + "/signin", lifetime: 15 * time.Minute,
		codes: make(map[string]authorization), refresh: make(map[string]boundToken), jtis: make(map[string]bool)}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/authorize", s.authorize)
	mux.HandleFunc("GET /v1/sessions/confirmation", s.confirmation)
	mux.HandleFunc("POST /v1/token", s.token)
	srv.serve(mux)
	return s, nil
}

// Close stops the fake.
func (s *SignIn) Close() { s.srv.close() }

// Calls returns how many calls of op ("Authorize", "CreateOAuth2Token") the
// fake received, refused ones included.
func (s *SignIn) Calls(op string) int { return s.srv.callCount(op) }

// Deny makes the user deny every authorization from now on.
func (s *SignIn) Deny() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.deny = true
}

// Expire ends every session: refresh tokens get AccessDeniedException
// TOKEN_EXPIRED, as when a session outlives its duration.
func (s *SignIn) Expire() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.expired = true
}

// SetLifetime sets the lifetime (expiresIn) of the credentials it issues.
func (s *SignIn) SetLifetime(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lifetime = d
}

// Refreshes returns how many refresh_token grants it accepted, each with a
// DPoP proof it verified.
func (s *SignIn) Refreshes() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refreshes
}

// Rejections returns why it refused each request it refused, in order.
func (s *SignIn) Rejections() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.rejections...)
}

func (s *SignIn) reject(why string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rejections = append(s.rejections, why)
}

// authorize answers /v1/authorize.
func (s *SignIn) authorize(w http.ResponseWriter, r *http.Request) {
	s.srv.begin(r, "Authorize")
	q := r.URL.Query()
	redirect, why := s.checkAuthorize(q)
	if why != "" {
		s.reject("authorize: " + why)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, "<!doctype html><p>Bad request: %s</p>\n", html.EscapeString(why))
		return
	}
	answer := url.Values{"state": {q.Get("state")}}
	s.mu.Lock()
	if s.deny {
		answer.Set("error", "access_denied")
		answer.Set("error_description", "The user denied the request")
	} else {
		code := randomToken()
		s.codes[code] = authorization{clientID: q.Get("client_id"), redirectURI: q.Get("redirect_uri"), challenge: q.Get("code_challenge")}
		answer.Set("code", code)
	}
	s.mu.Unlock()
	redirect.RawQuery = answer.Encode()
	http.Redirect(w, r, redirect.String(), http.StatusFound)
}

// checkAuthorize returns the redirect URI of an authorize query, or why
// the query is refused.
func (s *SignIn) checkAuthorize(q url.Values) (*url.URL, string) {
	for k, want := range map[string]string{"response_type": "code", "scope": "openid", "code_challenge_method": "SHA-256"} {
		if q.Get(k) != want {
			return nil, fmt.Sprintf("%s is %q, not %q", k, q.Get(k), want)
		}
	}
	if c := q.Get("code_challenge"); len(c) != 43 || strings.Trim(c, b64urlAlphabet) != "" {
		return nil, "code_challenge is not an unpadded base64url SHA-256"
	}
	if q.Get("state") == "" {
		return nil, "no state"
	}
	u, err := url.Parse(q.Get("redirect_uri"))
	if err != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, "redirect_uri is not a URL without a query"
	}
	switch q.Get("client_id") {
	case signInSameDevice:
		if u.Scheme != "http" || (u.Hostname() != "127.0.0.1" && u.Hostname() != "::1") || u.Port() == "" {
			return nil, "the same-device redirect_uri is not http on a loopback address and port"
		}
	case signInCrossDevice:
		if u.String() != s.URL+"/v1/sessions/confirmation" {
			return nil, "the cross-device redirect_uri is not the confirmation page"
		}
	default:
		return nil, "unknown client_id"
	}
	return u, ""
}

const b64urlAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

// confirmation is the cross-device page: the code to paste.
func (s *SignIn) confirmation(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if q.Get("error") != "" {
		fmt.Fprintf(w, "<!doctype html><p>Sign-in failed: %s</p>\n", html.EscapeString(q.Get("error")))
		return
	}
	code := base64.StdEncoding.EncodeToString([]byte("state=" + url.QueryEscape(q.Get("state")) + "&code=" + url.QueryEscape(q.Get("code"))))
	fmt.Fprintf(w, "<!doctype html><p>Enter this code in your terminal:</p>\n<pre id=\"code\">%s</pre>\n", code)
}

// tokenRequest is CreateOAuth2Token's body.
type tokenRequest struct {
	ClientID     string `json:"clientId"`
	GrantType    string `json:"grantType"`
	Code         string `json:"code"`
	CodeVerifier string `json:"codeVerifier"`
	RedirectURI  string `json:"redirectUri"`
	RefreshToken string `json:"refreshToken"`
}

// signInFault is an error answer of CreateOAuth2Token.
type signInFault struct {
	status          int
	typ, code, what string
}

// token answers CreateOAuth2Token.
func (s *SignIn) token(w http.ResponseWriter, r *http.Request) {
	if f, ok := s.srv.begin(r, "CreateOAuth2Token"); ok {
		s.writeFault(w, signInFault{f.Status, f.Code, "server_error", f.Message})
		return
	}
	var req tokenRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16)).Decode(&req); err != nil {
		s.writeFault(w, signInFault{400, "ValidationException", "INVALID_REQUEST", "the body is not JSON"})
		return
	}
	thumbprint, err := s.verifyDPoP(r.Header.Values("DPoP"), s.URL+"/v1/token")
	if err != nil {
		s.writeFault(w, signInFault{400, "ValidationException", "INVALID_REQUEST", "DPoP proof: " + err.Error()})
		return
	}
	var (
		f     *signInFault
		first bool
	)
	switch req.GrantType {
	case "authorization_code":
		f, first = s.redeemCode(req, thumbprint), true
	case "refresh_token":
		f = s.redeemRefresh(req, thumbprint)
	default:
		f = &signInFault{400, "ValidationException", "unsupported_grant_type", "grantType " + req.GrantType}
	}
	if f != nil {
		s.writeFault(w, *f)
		return
	}
	s.mu.Lock()
	lifetime := s.lifetime
	refresh := randomToken()
	s.refresh[refresh] = boundToken{clientID: req.ClientID, thumbprint: thumbprint}
	s.mu.Unlock()
	c := s.keys.Issue("ASIASIGNIN", time.Now().Add(lifetime))
	out := map[string]any{
		"accessToken":  map[string]string{"accessKeyId": c.AccessKeyID, "secretAccessKey": c.SecretAccessKey, "sessionToken": c.SessionToken},
		"tokenType":    "aws_sigv4",
		"expiresIn":    int(lifetime / time.Second),
		"refreshToken": refresh,
	}
	if first {
		out["idToken"] = s.idToken(req.ClientID)
	}
	writeJSON(w, http.StatusOK, out)
}

// redeemCode checks an authorization_code grant, and uses its code up.
func (s *SignIn) redeemCode(req tokenRequest, thumbprint string) *signInFault {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.codes[req.Code]
	delete(s.codes, req.Code) // one try per code, as a guessed one must not get another
	switch {
	case !ok:
		return &signInFault{400, "AccessDeniedException", "AUTHCODE_EXPIRED", "unknown or used authorization code"}
	case req.ClientID != a.clientID || req.RedirectURI != a.redirectURI:
		return &signInFault{400, "InvalidGrantException", "invalid_grant", "clientId or redirectUri differs from the authorization's"}
	case !verifierOK(req.CodeVerifier, a.challenge):
		return &signInFault{400, "InvalidGrantException", "invalid_grant", "the PKCE code verifier does not match the challenge"}
	}
	return nil
}

// verifierOK reports whether verifier is a PKCE code verifier (RFC 7636:
// 43 to 128 unreserved characters) whose S256 challenge is challenge.
func verifierOK(verifier, challenge string) bool {
	if len(verifier) < 43 || len(verifier) > 128 || strings.Trim(verifier, b64urlAlphabet+".~") != "" {
		return false
	}
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:]) == challenge
}

// redeemRefresh checks a refresh_token grant, and retires the token.
func (s *SignIn) redeemRefresh(req tokenRequest, thumbprint string) *signInFault {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.refresh[req.RefreshToken]
	switch {
	case !ok || s.expired:
		return &signInFault{400, "AccessDeniedException", "TOKEN_EXPIRED", "the session has expired"}
	case b.clientID != req.ClientID:
		return &signInFault{400, "InvalidGrantException", "invalid_grant", "clientId differs from the refresh token's"}
	case b.thumbprint != thumbprint:
		return &signInFault{400, "InvalidGrantException", "invalid_grant", "the DPoP key is not the one the refresh token is bound to"}
	}
	delete(s.refresh, req.RefreshToken)
	s.refreshes++
	return nil
}

// idToken is a JWT whose sub is the session, for the client.
func (s *SignIn) idToken(clientID string) string {
	now := time.Now().Unix()
	header := b64json(map[string]string{"alg": "ES384", "typ": "JWT"})
	payload := b64json(map[string]any{"iss": s.issuer, "sub": SignInSession, "aud": clientID, "session_arn": SignInSession, "iat": now, "exp": now + 900})
	digest := sha512.Sum384([]byte(header + "." + payload))
	r, sig, _ := ecdsa.Sign(rand.Reader, s.idKey, digest[:])
	raw := make([]byte, 96)
	r.FillBytes(raw[:48])
	sig.FillBytes(raw[48:])
	return header + "." + payload + "." + base64.RawURLEncoding.EncodeToString(raw)
}

func b64json(v any) string {
	b, _ := json.Marshal(v)
	return base64.RawURLEncoding.EncodeToString(b)
}

func (s *SignIn) writeFault(w http.ResponseWriter, f signInFault) {
	s.reject(f.code + ": " + f.what)
	w.Header().Set("X-Amzn-ErrorType", f.typ)
	writeJSON(w, f.status, map[string]string{"error": f.code, "message": f.what})
}

// randomToken is an opaque token.
func randomToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
