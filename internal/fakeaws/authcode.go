package fakeaws

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"
)

// grantAuthorizationCode is the grant type of the sign-in through a
// loopback redirect (RFC 6749, section 4.1, with RFC 7636's PKCE).
const grantAuthorizationCode = "authorization_code"

// registration is what a client registered for with RegisterClient.
type registration struct {
	grants    []string
	redirects []string
}

// authCode is what an authorization code was issued for.
type authCode struct {
	client, redirect, challenge string
}

// DenyAuthorizations makes the user deny every authorization from now on:
// GET /authorize redirects with error=access_denied.
func (ic *IdentityCenter) DenyAuthorizations() {
	ic.mu.Lock()
	defer ic.mu.Unlock()
	ic.deny = true
}

// ExpireAccessTokens makes every access token issued so far expired, as
// time does: GetRoleCredentials refuses them, and a refresh is needed.
func (ic *IdentityCenter) ExpireAccessTokens() {
	ic.mu.Lock()
	defer ic.mu.Unlock()
	for t := range ic.access {
		ic.access[t] = time.Now().Add(-time.Second)
	}
}

// NameAccount gives the account id the name ListAccounts shows. An account
// is listed once AllowRole allows a role in it.
func (ic *IdentityCenter) NameAccount(id, name string) {
	ic.mu.Lock()
	defer ic.mu.Unlock()
	ic.accounts[id] = name
}

// authorize is IAM Identity Center's sign-in page, GET /authorize, for a
// user who is signed in already and approves at once (or denies, after
// DenyAuthorizations). It checks what IAM Identity Center checks before it
// redirects: a client registered for the authorization_code grant, and a
// redirect_uri that is one it registered, but for the port, which a
// loopback redirect may choose (RFC 8252, section 7.3); neither wrong, it
// answers 400 and does not redirect. Then, redirecting with an error when
// they are wrong: response_type "code", an S256 code_challenge, and a
// state. The code it issues is good for one CreateToken, by that client,
// with that redirect_uri and the code_verifier of the challenge.
func (ic *IdentityCenter) authorize(w http.ResponseWriter, r *http.Request) {
	ic.srv.begin(r, "Authorize")
	q := r.URL.Query()
	ic.mu.Lock()
	defer ic.mu.Unlock()
	reg, ok := ic.registrations[q.Get("client_id")]
	if !ok || !slices.Contains(reg.grants, grantAuthorizationCode) {
		http.Error(w, "invalid client", http.StatusBadRequest)
		return
	}
	redirect, err := url.Parse(q.Get("redirect_uri"))
	if err != nil || !slices.ContainsFunc(reg.redirects, func(s string) bool { return sameButPort(s, redirect) }) {
		http.Error(w, "invalid redirect_uri", http.StatusBadRequest)
		return
	}
	back := url.Values{"state": {q.Get("state")}}
	challenge, _ := base64.RawURLEncoding.DecodeString(q.Get("code_challenge"))
	switch {
	case q.Get("response_type") != "code":
		back.Set("error", "unsupported_response_type")
	case q.Get("code_challenge_method") != "S256" || len(challenge) != sha256.Size || q.Get("state") == "":
		back.Set("error", "invalid_request")
	case ic.deny:
		back.Set("error", "access_denied")
		back.Set("error_description", "The user denied the request")
	default:
		code := randomBase64(48)
		ic.codes[code] = authCode{client: q.Get("client_id"), redirect: redirect.String(), challenge: q.Get("code_challenge")}
		back.Set("code", code)
	}
	redirect.RawQuery = back.Encode()
	http.Redirect(w, r, redirect.String(), http.StatusFound)
}

// sameButPort reports whether the registered redirect URI s is u but for
// u's port.
func sameButPort(s string, u *url.URL) bool {
	r, err := url.Parse(s)
	return err == nil && r.Scheme == u.Scheme && r.Hostname() == u.Hostname() && r.Path == u.Path && r.RawQuery == "" && u.RawQuery == "" &&
		(r.Port() == "" || r.Port() == u.Port())
}

// redeem checks an authorization_code CreateToken request and uses up its
// code; ic.mu must be held.
func (ic *IdentityCenter) redeem(req oidcRequest) *oidcFault {
	c, ok := ic.codes[req.Code]
	delete(ic.codes, req.Code)
	sum := sha256.Sum256([]byte(req.CodeVerifier))
	if !ok || c.client != req.ClientID || c.redirect != req.RedirectURI || len(req.CodeVerifier) < 43 || len(req.CodeVerifier) > 128 ||
		base64.RawURLEncoding.EncodeToString(sum[:]) != c.challenge {
		return errInvalidGrant
	}
	return nil
}

// portalPage is how many items ListAccounts and ListAccountRoles answer at
// a time, so that their callers must follow nextToken.
const portalPage = 2

// page returns items[from:from+portalPage] of n items and the next token.
func page(r *http.Request, n int) (from, to int, next string) {
	from, _ = strconv.Atoi(r.URL.Query().Get("next_token"))
	from = max(0, min(from, n))
	to = min(n, from+portalPage)
	if to < n {
		next = strconv.Itoa(to)
	}
	return from, to, next
}

// bearer checks the access token of a portal request; ic.mu must be held.
func (ic *IdentityCenter) bearer(w http.ResponseWriter, r *http.Request) bool {
	expires, valid := ic.access[r.Header.Get("X-Amz-Sso_bearer_token")]
	if !valid || time.Now().After(expires) {
		ssoError(w, http.StatusUnauthorized, "UnauthorizedException", "Session token not found or invalid")
		return false
	}
	return true
}

// listAccounts is the SSO portal's ListAccounts: the accounts AllowRole
// allowed a role in, by id.
func (ic *IdentityCenter) listAccounts(w http.ResponseWriter, r *http.Request) {
	ic.srv.begin(r, "ListAccounts")
	ic.mu.Lock()
	defer ic.mu.Unlock()
	if !ic.bearer(w, r) {
		return
	}
	var ids []string
	for k := range ic.allowed {
		if !slices.Contains(ids, k[0]) {
			ids = append(ids, k[0])
		}
	}
	slices.Sort(ids)
	from, to, next := page(r, len(ids))
	list := []map[string]string{}
	for _, id := range ids[from:to] {
		list = append(list, map[string]string{"accountId": id, "accountName": ic.accounts[id], "emailAddress": "aws+" + id + "@example.com"})
	}
	writeJSON(w, http.StatusOK, map[string]any{"accountList": list, "nextToken": next})
}

// listAccountRoles is the SSO portal's ListAccountRoles: the roles AllowRole
// allowed in account_id, by name.
func (ic *IdentityCenter) listAccountRoles(w http.ResponseWriter, r *http.Request) {
	ic.srv.begin(r, "ListAccountRoles")
	ic.mu.Lock()
	defer ic.mu.Unlock()
	if !ic.bearer(w, r) {
		return
	}
	account := r.URL.Query().Get("account_id")
	var roles []string
	for k := range ic.allowed {
		if k[0] == account {
			roles = append(roles, k[1])
		}
	}
	slices.Sort(roles)
	from, to, next := page(r, len(roles))
	list := []map[string]string{}
	for _, role := range roles[from:to] {
		list = append(list, map[string]string{"accountId": account, "roleName": role})
	}
	writeJSON(w, http.StatusOK, map[string]any{"roleList": list, "nextToken": next})
}
