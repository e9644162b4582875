package fakeaws

import (
	"crypto/rand"
	"encoding/json"
	"net/http"
	"sync"
	"time"
)

const (
	grantRefreshToken = "refresh_token"
	grantDeviceCode   = "urn:ietf:params:oauth:grant-type:device_code"
)

// IdentityCenter fakes IAM Identity Center on one server: the SSO portal's
// GetRoleCredentials (GET /federation/credentials) and SSO-OIDC's
// RegisterClient (POST /client/register), StartDeviceAuthorization
// (POST /device_authorization) and CreateToken (POST /token). Set both
// AWS_ENDPOINT_URL_SSO and AWS_ENDPOINT_URL_SSO_OIDC to its URL.
//
// GetRoleCredentials needs a valid, unexpired access token in the
// x-amz-sso_bearer_token header (else 401 UnauthorizedException) and an
// account and role allowed with AllowRole (else 403 ForbiddenException). It
// issues keys whose id starts with "ASIASSO", valid for one hour.
//
// CreateToken authenticates the client by its id and secret (else 401
// invalid_client). With grant type "refresh_token" and a refresh token of
// that client it answers a new access token (valid for one hour) and a new
// refresh token, and the old refresh token stops working; an unknown refresh
// token gets 400 invalid_grant. With the device-code grant type it answers
// authorization_pending, slow_down or expired_token as PendingPolls, SlowDown
// and ExpireDeviceCodes configure, then tokens; a device code is good for one
// set of tokens. Errors are JSON ({"error": ..., "error_description": ...})
// with the error type in the X-Amzn-ErrorType header, as SSO-OIDC sends them.
//
// The fake is simpler than IAM Identity Center in these ways:
//   - No user signs in: a device authorization is approved as soon as the
//     configured pending and slow_down answers have been given (counted over
//     the polls of all device codes), and device codes do not expire until
//     ExpireDeviceCodes.
//   - Scopes, start URLs, client types and client secret expiry are not
//     checked, and the polling interval is not enforced.
//   - Access tokens are not tied to a start URL, an account or a user.
//   - The verification page it sends (DefaultPage, or SetPage's) is not
//     served: tests only check what is printed and opened.
//   - The SSO portal's Logout and CreateTokenWithIAM (POST /token?aws_iam=t)
//     are 404.
//
// The authorization code grant (GET /authorize), ListAccounts and
// ListAccountRoles are in authcode.go.
type IdentityCenter struct {
	// URL is the endpoint, for AWS_ENDPOINT_URL_SSO and
	// AWS_ENDPOINT_URL_SSO_OIDC.
	URL string

	keys *Keys
	srv  *server

	mu         sync.Mutex
	allowed    map[[2]string]bool   // account id and role name
	clients    map[string]string    // client id → client secret
	lastClient string               // the client registered last
	access     map[string]time.Time // access token → expiry
	refresh    map[string]string    // refresh token → client id; "" lets any client use it
	devices    map[string]string    // device code → client id
	pending    int
	slowDown   int
	expired    bool
	page       string // the verification page StartDeviceAuthorization sends

	registrations map[string]registration // client id → what it registered for
	codes         map[string]authCode     // authorization code → what it was issued for
	deny          bool                    // the user denies every authorization
	accounts      map[string]string       // account id → name, for ListAccounts
}

// DefaultPage is the verification page the fake sends, in the form IAM
// Identity Center sends it; the complete one adds ?user_code=CODE.
const DefaultPage = "https://device.sso.us-east-1.amazonaws.com/"

// SetPage makes StartDeviceAuthorization send page as the verification
// page, and page+"?user_code=CODE" as the complete one, as a service that
// is not IAM Identity Center might.
func (ic *IdentityCenter) SetPage(page string) {
	ic.mu.Lock()
	defer ic.mu.Unlock()
	ic.page = page
}

// StartIdentityCenter starts an IAM Identity Center fake that issues
// credentials into keys.
func StartIdentityCenter(keys *Keys) (*IdentityCenter, error) {
	srv, err := listen()
	if err != nil {
		return nil, err
	}
	ic := &IdentityCenter{
		URL:     srv.url,
		keys:    keys,
		srv:     srv,
		allowed: make(map[[2]string]bool),
		clients: make(map[string]string),
		access:  make(map[string]time.Time),
		refresh: make(map[string]string),
		devices: make(map[string]string),
		page:    DefaultPage,

		registrations: make(map[string]registration),
		codes:         make(map[string]authCode),
		accounts:      make(map[string]string),
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /federation/credentials", ic.getRoleCredentials)
	mux.HandleFunc("POST /client/register", ic.registerClient)
	mux.HandleFunc("POST /device_authorization", ic.startDeviceAuthorization)
	mux.HandleFunc("POST /token", ic.createToken)
	mux.HandleFunc("GET /authorize", ic.authorize)
	mux.HandleFunc("GET /assignment/accounts", ic.listAccounts)
	mux.HandleFunc("GET /assignment/roles", ic.listAccountRoles)
	srv.serve(mux)
	return ic, nil
}

// Close stops the fake.
func (ic *IdentityCenter) Close() { ic.srv.close() }

// Calls returns how many calls of op ("GetRoleCredentials", "CreateToken",
// "RegisterClient", "StartDeviceAuthorization") the fake received, refused
// ones included.
func (ic *IdentityCenter) Calls(op string) int { return ic.srv.callCount(op) }

// AllowRole lets GetRoleCredentials issue credentials for roleName in
// accountID.
func (ic *IdentityCenter) AllowRole(accountID, roleName string) {
	ic.mu.Lock()
	defer ic.mu.Unlock()
	ic.allowed[[2]string{accountID, roleName}] = true
}

// IssueToken makes a valid access token, as if a user had signed in, valid
// for one hour, and a refresh token. The refresh token belongs to the client
// registered last (by RegisterClient or the RegisterClient operation); when no
// client is registered yet, any registered client may use it. Use them to
// write ~/.aws/sso/cache files in tests.
func (ic *IdentityCenter) IssueToken() (accessToken, refreshToken string) {
	ic.mu.Lock()
	defer ic.mu.Unlock()
	return ic.issueTokens(ic.lastClient)
}

// RegisterClient registers a client as the RegisterClient operation does and
// returns its id and secret. It is registered for every grant, with the
// AWS CLI's redirect URI, http://127.0.0.1/oauth/callback.
func (ic *IdentityCenter) RegisterClient() (clientID, clientSecret string) {
	ic.mu.Lock()
	defer ic.mu.Unlock()
	clientID, clientSecret = randomBase64(30), randomBase64(300)
	ic.clients[clientID] = clientSecret
	ic.lastClient = clientID
	ic.registrations[clientID] = registration{grants: []string{grantAuthorizationCode, grantRefreshToken, grantDeviceCode},
		redirects: []string{"http://127.0.0.1/oauth/callback"}}
	return clientID, clientSecret
}

// PendingPolls makes the next n device-code CreateToken calls answer
// authorization_pending.
func (ic *IdentityCenter) PendingPolls(n int) {
	ic.mu.Lock()
	defer ic.mu.Unlock()
	ic.pending = n
}

// SlowDown makes the n device-code CreateToken calls after the pending ones
// answer slow_down.
func (ic *IdentityCenter) SlowDown(n int) {
	ic.mu.Lock()
	defer ic.mu.Unlock()
	ic.slowDown = n
}

// ExpireDeviceCodes makes every device-code CreateToken call answer
// expired_token from now on.
func (ic *IdentityCenter) ExpireDeviceCodes() {
	ic.mu.Lock()
	defer ic.mu.Unlock()
	ic.expired = true
}

// issueTokens makes an access token and a refresh token for clientID; ic.mu
// must be held.
func (ic *IdentityCenter) issueTokens(clientID string) (accessToken, refreshToken string) {
	accessToken, refreshToken = "aoa"+randomBase64(120), "aor"+randomBase64(120)
	ic.access[accessToken] = time.Now().Add(time.Hour)
	ic.refresh[refreshToken] = clientID
	return accessToken, refreshToken
}

// ssoError answers an SSO portal error.
func ssoError(w http.ResponseWriter, status int, typ, message string) {
	w.Header().Set("X-Amzn-Errortype", typ)
	writeJSON(w, status, map[string]string{"message": message})
}

// oidcFault is an SSO-OIDC error: the status, the error type the SDK reads
// from X-Amzn-ErrorType, and the OAuth error code and description.
type oidcFault struct {
	status                 int
	typ, code, description string
}

var (
	errInvalidRequest = &oidcFault{http.StatusBadRequest, "InvalidRequestException", "invalid_request", "Invalid request"}
	errInvalidClient  = &oidcFault{http.StatusUnauthorized, "InvalidClientException", "invalid_client", "Invalid client provided"}
	errInvalidGrant   = &oidcFault{http.StatusBadRequest, "InvalidGrantException", "invalid_grant", "Invalid grant provided"}
	errExpiredToken   = &oidcFault{http.StatusBadRequest, "ExpiredTokenException", "expired_token", "Device code has expired"}
	errPending        = &oidcFault{http.StatusBadRequest, "AuthorizationPendingException", "authorization_pending", "Authorization is still pending"}
	errSlowDown       = &oidcFault{http.StatusBadRequest, "SlowDownException", "slow_down", "Client is polling too fast"}
	errGrantType      = &oidcFault{http.StatusBadRequest, "UnsupportedGrantTypeException", "unsupported_grant_type", "Unsupported grant type"}
)

func (f *oidcFault) write(w http.ResponseWriter) {
	w.Header().Set("X-Amzn-Errortype", f.typ)
	writeJSON(w, f.status, map[string]string{"error": f.code, "error_description": f.description})
}

func (ic *IdentityCenter) getRoleCredentials(w http.ResponseWriter, r *http.Request) {
	ic.srv.begin(r, "GetRoleCredentials")
	q := r.URL.Query()
	account, role := q.Get("account_id"), q.Get("role_name")
	if account == "" || role == "" {
		ssoError(w, http.StatusBadRequest, "InvalidRequestException", "account_id and role_name are required")
		return
	}
	ic.mu.Lock()
	expires, valid := ic.access[r.Header.Get("X-Amz-Sso_bearer_token")]
	allowed := ic.allowed[[2]string{account, role}]
	ic.mu.Unlock()
	switch {
	case !valid || time.Now().After(expires):
		ssoError(w, http.StatusUnauthorized, "UnauthorizedException", "Session token not found or invalid")
		return
	case !allowed:
		ssoError(w, http.StatusForbidden, "ForbiddenException", "No access")
		return
	}
	k := ic.keys.Issue("ASIASSO", time.Now().Add(time.Hour))
	writeJSON(w, http.StatusOK, map[string]any{"roleCredentials": map[string]any{
		"accessKeyId":     k.AccessKeyID,
		"secretAccessKey": k.SecretAccessKey,
		"sessionToken":    k.SessionToken,
		"expiration":      k.Expiration.UnixMilli(),
	}})
}

// oidcRequest holds the fields of the SSO-OIDC requests the fake reads.
type oidcRequest struct {
	ClientName   string `json:"clientName"`
	ClientType   string `json:"clientType"`
	ClientID     string `json:"clientId"`
	ClientSecret string `json:"clientSecret"`
	GrantType    string `json:"grantType"`
	DeviceCode   string `json:"deviceCode"`
	RefreshToken string `json:"refreshToken"`
	// The authorization code grant's (authcode.go).
	GrantTypes   []string `json:"grantTypes"`
	RedirectURIs []string `json:"redirectUris"`
	Code         string   `json:"code"`
	CodeVerifier string   `json:"codeVerifier"`
	RedirectURI  string   `json:"redirectUri"`
}

// readOIDC counts a call of op and decodes its request.
func (ic *IdentityCenter) readOIDC(r *http.Request, op string) (oidcRequest, *oidcFault) {
	ic.srv.begin(r, op)
	var req oidcRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		return req, errInvalidRequest
	}
	return req, nil
}

// authenticate checks the client id and secret of req; ic.mu must be held.
func (ic *IdentityCenter) authenticate(req oidcRequest) *oidcFault {
	if secret, ok := ic.clients[req.ClientID]; !ok || req.ClientSecret != secret {
		return errInvalidClient
	}
	return nil
}

func (ic *IdentityCenter) registerClient(w http.ResponseWriter, r *http.Request) {
	req, f := ic.readOIDC(r, "RegisterClient")
	if f == nil && (req.ClientName == "" || req.ClientType == "") {
		f = errInvalidRequest
	}
	if f != nil {
		f.write(w)
		return
	}
	id, secret := ic.RegisterClient()
	ic.mu.Lock()
	ic.registrations[id] = registration{grants: req.GrantTypes, redirects: req.RedirectURIs}
	ic.mu.Unlock()
	now := time.Now()
	writeJSON(w, http.StatusOK, map[string]any{
		"clientId":              id,
		"clientSecret":          secret,
		"clientIdIssuedAt":      now.Unix(),
		"clientSecretExpiresAt": now.Add(90 * 24 * time.Hour).Unix(),
	})
}

func (ic *IdentityCenter) startDeviceAuthorization(w http.ResponseWriter, r *http.Request) {
	req, f := ic.readOIDC(r, "StartDeviceAuthorization")
	code, user := randomBase64(60), rand.Text()[:4]+"-"+rand.Text()[:4]
	var page string
	if f == nil {
		ic.mu.Lock()
		if f = ic.authenticate(req); f == nil {
			ic.devices[code] = req.ClientID
		}
		page = ic.page
		ic.mu.Unlock()
	}
	if f != nil {
		f.write(w)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"deviceCode":              code,
		"userCode":                user,
		"verificationUri":         page,
		"verificationUriComplete": page + "?user_code=" + user,
		"expiresIn":               600,
		"interval":                1,
	})
}

func (ic *IdentityCenter) createToken(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Has("aws_iam") {
		http.NotFound(w, r) // CreateTokenWithIAM
		return
	}
	req, f := ic.readOIDC(r, "CreateToken")
	var access, refresh string
	if f == nil {
		access, refresh, f = ic.grant(req)
	}
	if f != nil {
		f.write(w)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"accessToken":  access,
		"tokenType":    "Bearer",
		"expiresIn":    3600,
		"refreshToken": refresh,
	})
}

// grant answers a CreateToken request with new tokens or a fault.
func (ic *IdentityCenter) grant(req oidcRequest) (accessToken, refreshToken string, f *oidcFault) {
	ic.mu.Lock()
	defer ic.mu.Unlock()
	if f := ic.authenticate(req); f != nil {
		return "", "", f
	}
	switch req.GrantType {
	case grantRefreshToken:
		owner, known := ic.refresh[req.RefreshToken]
		if !known || owner != "" && owner != req.ClientID {
			return "", "", errInvalidGrant
		}
		delete(ic.refresh, req.RefreshToken)
	case grantAuthorizationCode:
		if f := ic.redeem(req); f != nil {
			return "", "", f
		}
	case grantDeviceCode:
		owner, known := ic.devices[req.DeviceCode]
		switch {
		case !known || owner != req.ClientID:
			return "", "", errInvalidGrant
		case ic.expired:
			return "", "", errExpiredToken
		case ic.pending > 0:
			ic.pending--
			return "", "", errPending
		case ic.slowDown > 0:
			ic.slowDown--
			return "", "", errSlowDown
		}
		delete(ic.devices, req.DeviceCode)
	default:
		return "", "", errGrantType
	}
	accessToken, refreshToken = ic.issueTokens(req.ClientID)
	return accessToken, refreshToken, nil
}
