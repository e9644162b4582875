package login

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc/types"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/failure"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/safefile"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/safetext"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/ssotoken"
)

// The authorization code grant with PKCE (RFC 6749, section 4.1; RFC 7636),
// as the AWS CLI 2.22 and later sign in: the client is registered for the
// grants below with the redirect URI below (the port is chosen at each
// sign-in), and the registration is kept in the AWS CLI's registration
// cache file, where either program finds the other's.
const (
	authCodeGrant = "authorization_code"
	refreshGrant  = "refresh_token"
	// callbackPath is the redirect URI's path, the AWS CLI's.
	callbackPath = "/oauth/callback"
	// registeredRedirect is the redirect URI registered, without a port.
	registeredRedirect = "http://127.0.0.1" + callbackPath
	// defaultScope is the scope asked for when the session names none.
	defaultScope = "sso:account:access"
	// callbackWait bounds the wait for the browser's redirect, as the AWS
	// CLI's does.
	callbackWait = 10 * time.Minute
)

// authCodeGrants are the grants a registration for this flow is for.
var authCodeGrants = []string{authCodeGrant, refreshGrant}

// authCode signs in with the authorization code grant: it registers (or
// reuses a registration), opens the authorization page with an S256 code
// challenge and a random state, waits for the browser's redirect to the
// loopback listener, checks the state and exchanges the code for tokens.
func (f *flow) authCode(ctx context.Context, dir string) (*ssooidc.CreateTokenOutput, registration, error) {
	reg, err := f.authCodeRegistration(ctx, dir)
	if err != nil {
		return nil, reg, err
	}
	lb, err := listenLoopback(callbackPath)
	if err != nil {
		return nil, reg, err
	}
	verifier, challenge := pkcePair()
	state := randomText()
	f.secrets.Add(verifier)
	base, err := f.authorizeEndpoint(ctx)
	if err != nil {
		lb.close(arrival{}, nil)
		return nil, reg, err
	}
	scopes := f.session.Scopes
	if len(scopes) == 0 {
		scopes = []string{defaultScope}
	}
	q := url.Values{
		"response_type":         {"code"},
		"client_id":             {reg.id},
		"redirect_uri":          {lb.redirectURI()},
		"state":                 {state},
		"code_challenge_method": {"S256"},
		"code_challenge":        {challenge},
		"scopes":                {strings.Join(scopes, " ")},
	}
	f.promptAuthCode(strings.TrimSuffix(base, "/") + "/authorize?" + q.Encode())
	a, err := lb.wait(ctx, f.callbackWait)
	var tok *ssooidc.CreateTokenOutput
	if err == nil {
		tok, err = f.redeem(ctx, reg, a.query, state, verifier, lb.redirectURI())
	}
	if err != nil {
		err = f.authCodeFailed(err)
	}
	lb.close(a, err) // the page says what the user is told here
	if err != nil {
		return nil, reg, err
	}
	if reg.keep != nil {
		reg.keep()
	}
	return tok, reg, nil
}

// errState and errNoCode say what was wrong with a callback.
var (
	errState  = errors.New("its state is not this sign-in's")
	errNoCode = errors.New("it has no authorization code")
)

// callbackError is the error a callback brought: the OAuth error code and
// its description.
type callbackError struct{ code, description string }

func (e *callbackError) Error() string {
	if e.description == "" {
		return e.code
	}
	return e.code + ": " + e.description
}

// redeem checks the callback's query and exchanges its code for tokens.
func (f *flow) redeem(ctx context.Context, reg registration, q url.Values, state, verifier, redirect string) (*ssooidc.CreateTokenOutput, error) {
	if subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(state)) != 1 {
		return nil, errState
	}
	if e := q.Get("error"); e != "" {
		return nil, &callbackError{code: e, description: q.Get("error_description")}
	}
	code := q.Get("code")
	if code == "" {
		return nil, errNoCode
	}
	f.secrets.Add(code)
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	return f.client.CreateToken(ctx, &ssooidc.CreateTokenInput{
		ClientId:     aws.String(reg.id),
		ClientSecret: aws.String(reg.secret),
		GrantType:    aws.String(authCodeGrant),
		Code:         aws.String(code),
		CodeVerifier: aws.String(verifier),
		RedirectUri:  aws.String(redirect),
	})
}

// authCodeFailed explains a failed authorization code sign-in in one line.
func (f *flow) authCodeFailed(err error) error {
	again := "run " + f.session.LoginCommand() + " again"
	var (
		denied *types.AccessDeniedException
		cb     *callbackError
	)
	switch {
	case errors.Is(err, errCallbackTimeout):
		return &failure.Error{Problem: fmt.Sprintf("the browser did not come back within %s to sign in %s", f.callbackWait, f.session),
			Fix: again + ", or add --use-device-code"}
	case errors.Is(err, errState), errors.Is(err, errNoCode), errors.As(err, new(refused)):
		return &failure.Error{Problem: fmt.Sprintf("refused a callback to the sign-in of %s", f.session), Cause: err.Error(), Fix: again}
	case errors.As(err, &cb) && cb.code == "access_denied", errors.As(err, &denied):
		return &failure.Error{Problem: fmt.Sprintf("the sign-in of %s was denied", f.session), Cause: failure.OneLine(err), Fix: again + ", and choose Allow", Err: err}
	case errors.As(err, &cb):
		return &failure.Error{Problem: fmt.Sprintf("IAM Identity Center did not sign in %s", f.session), Cause: cb.Error(), Fix: again, Err: err}
	case ended(err):
		return &failure.Error{Problem: fmt.Sprintf("stopped waiting for the sign-in of %s", f.session), Cause: err.Error(), Fix: again, Err: err}
	}
	return f.failed("CreateToken", err)
}

// ended reports whether err is a context's end.
func ended(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// promptAuthCode tells the user about the authorization page, and opens it.
func (f *flow) promptAuthCode(page string) {
	safetext.Fprintf(f.out, f.secrets, "%s\n", f.why)
	say := "To approve, open this page in a browser on this machine:"
	if f.open != nil {
		if err := f.open(page); err != nil {
			safetext.Fprintf(f.out, f.secrets, "Cannot open a browser (%v).\n", err)
		} else {
			say = "Opened the sign-in page in your browser; approve there. If it did not open, open this page on this machine:"
		}
	}
	safetext.Fprintf(f.out, f.secrets, "%s\n\n    %s\n\nWaiting for the browser (at most %s)...\n", say, page, f.callbackWait)
}

// authorizeEndpoint is the SSO-OIDC endpoint the client calls, which also
// serves the authorization page: AWS_ENDPOINT_URL_SSO_OIDC and the profile's
// endpoint settings move both.
func (f *flow) authorizeEndpoint(ctx context.Context) (string, error) {
	o := f.client.Options()
	e, err := o.EndpointResolverV2.ResolveEndpoint(ctx, ssooidc.EndpointParameters{
		Region:       aws.String(o.Region),
		Endpoint:     o.BaseEndpoint,
		UseFIPS:      aws.Bool(o.EndpointOptions.UseFIPSEndpoint == aws.FIPSEndpointStateEnabled),
		UseDualStack: aws.Bool(o.EndpointOptions.UseDualStackEndpoint == aws.DualStackEndpointStateEnabled),
	})
	if err != nil {
		return "", &failure.Error{Problem: "cannot find IAM Identity Center's endpoint in " + f.session.Region, Cause: failure.Reason(err), Fix: "check sso_region", Err: err}
	}
	return e.URI.String(), nil
}

// authCodeRegistration returns the registration in the AWS CLI's
// registration cache file for this session when it is for this grant and
// valid for registrationMargin more, else a new one, whose keep writes it
// there once the sign-in has worked (a failed sign-in writes nothing).
func (f *flow) authCodeRegistration(ctx context.Context, dir string) (registration, error) {
	var scopes []string // the cache key's: nil when the session names none
	if len(f.session.Scopes) > 0 {
		scopes = f.session.Scopes
	}
	path := ssotoken.RegistrationFile(dir, f.session.StartURL, f.session.Region, f.session.Name, scopes)
	r, err := ssotoken.ReadRegistration(path)
	f.secrets.Add(r.ClientSecret)
	if errors.Is(err, safefile.ErrUntrusted) {
		safetext.Fprintf(f.out, f.secrets, "Not reading the old client registration: %s; signing in replaces it.\n", err)
	}
	if err == nil && r.Usable(authCodeGrant, f.now().Add(registrationMargin)) {
		return registration{id: r.ClientID, secret: r.ClientSecret, expiresAt: r.ExpiresAt, reused: true}, nil
	}
	if len(scopes) == 0 {
		scopes = []string{defaultScope}
	}
	cctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	out, err := f.client.RegisterClient(cctx, &ssooidc.RegisterClientInput{
		ClientName:   aws.String(clientName),
		ClientType:   aws.String("public"),
		GrantTypes:   authCodeGrants,
		RedirectUris: []string{registeredRedirect},
		IssuerUrl:    aws.String(f.session.StartURL),
		Scopes:       scopes,
	})
	if err != nil {
		return registration{}, f.failed("RegisterClient", err)
	}
	reg := registration{id: aws.ToString(out.ClientId), secret: aws.ToString(out.ClientSecret), expiresAt: time.Unix(out.ClientSecretExpiresAt, 0)}
	f.secrets.Add(reg.secret)
	reg.keep = func() {
		b, err := json.Marshal(ssotoken.Registration{ClientID: reg.id, ClientSecret: reg.secret, ExpiresAt: utcSecond(reg.expiresAt),
			Scopes: scopes, GrantTypes: slices.Clone(authCodeGrants)})
		if err == nil {
			err = safefile.WriteFile(path, b)
		}
		if err != nil {
			// The sign-in worked without it; the next one registers again.
			safetext.Fprintf(f.out, f.secrets, "Warning: cannot keep the client registration in %s (%s).\n", path, failure.Reason(err))
		}
	}
	return reg, nil
}

// pkcePair returns a code verifier of 64 unreserved characters and its S256
// challenge (RFC 7636, section 4).
func pkcePair() (verifier, challenge string) {
	verifier = randomText() + randomText()
	sum := sha256.Sum256([]byte(verifier))
	return verifier, base64.RawURLEncoding.EncodeToString(sum[:])
}

// randomText is 32 random characters of base64url: 192 bits.
func randomText() string {
	b := make([]byte, 24)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
