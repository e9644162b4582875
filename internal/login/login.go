// Package login signs in to IAM Identity Center (SSO) through the SDK's
// SSO-OIDC client, with the authorization code grant and PKCE (pkce.go) or
// the device authorization grant (RFC 8628; grant.go says which), and
// keeps the token in the cache file the AWS CLI and SDKs share, where the
// SDK's SSO credential provider finds and refreshes it. It also signs out:
// it removes that file and the role credentials cached from it.
package login

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/logging"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/failure"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/redact"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/safefile"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/safetext"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/ssotoken"
)

// Options say what to sign in to, or out of.
type Options struct {
	// Profile names the AWS profile whose session to use. Empty means
	// AWS_PROFILE, else "default".
	Profile string
	// Session names an [sso-session] section directly; it beats Profile.
	Session string
	// NoBrowser leaves opening the sign-in page to the user.
	NoBrowser bool
	// UseDeviceCode signs in with the device code grant, whose page may be
	// opened on another device, rather than the authorization code grant.
	UseDeviceCode bool
	// Create, when any of it is set, creates the profile (see NewProfile):
	// Profile names it (empty: AWS_PROFILE, else "default") and Session its sso-session
	// (empty: the profile's name).
	Create NewProfile
	// Stderr receives the prompt and what was done; nil discards them.
	// Nothing secret is ever written to it.
	Stderr io.Writer
}

const (
	// clientName is the name of the client registration, which IAM Identity
	// Center shows on the page where the user approves the sign-in.
	clientName = "git-credential-codecommit"
	// deviceGrant is the grant type of RFC 8628.
	deviceGrant = "urn:ietf:params:oauth:grant-type:device_code"
	// callTimeout bounds each call to IAM Identity Center.
	callTimeout = 30 * time.Second
	// registrationMargin is how long a client registration found in the
	// token cache must still be valid to be reused. The refresh token
	// issued to it works only while it does, so one about to expire is
	// replaced now, while the user is at the browser anyway, rather than
	// failing a refresh later in the middle of a git command.
	registrationMargin = 24 * time.Hour
)

// Login signs in to the session of o.Profile, or to o.Session: it prompts
// on o.Stderr with the page to open and the code to enter, opens the page
// in the browser unless o.NoBrowser, waits for the user to approve, and
// writes the token to the session's cache file. Errors are one line that
// says what to do.
func Login(ctx context.Context, o Options) error {
	ctx, _ = redact.Ensure(ctx)
	if o.Create.set() {
		return configure(ctx, o)
	}
	f, err := newFlow(ctx, o)
	if err != nil {
		return err
	}
	return f.run(ctx)
}

// flow is one sign-in.
type flow struct {
	session Session
	cfg     aws.Config // IAM Identity Center's region, no credentials
	client  *ssooidc.Client
	out     io.Writer
	open    func(url string) error // nil leaves the page to the user
	now     func() time.Time
	sleep   func(ctx context.Context, d time.Duration) error
	secrets *redact.Set // the tokens, secrets and codes it learns

	device       bool           // the device code grant, else the authorization code grant
	why          string         // why that grant, for the user
	callbackWait time.Duration  // how long the authorization code grant waits for the browser
	token        ssotoken.Token // the token signed in to, once run has written it
}

// newFlow finds the session of o and makes an SSO-OIDC client for its
// region, configured as the SDK configures the one that refreshes the token
// (AWS_ENDPOINT_URL_SSO_OIDC and the profile's endpoint settings apply).
func newFlow(ctx context.Context, o Options) (*flow, error) {
	s, err := FindSession(ctx, o.Profile, o.Session)
	if err != nil {
		return nil, err
	}
	return newFlowFor(ctx, s, o)
}

// newFlowFor makes the flow that signs in to s.
func newFlowFor(ctx context.Context, s Session, o Options) (*flow, error) {
	opts := []func(*config.LoadOptions) error{
		config.WithRegion(s.Region),
		// SSO-OIDC's operations are not signed: no credentials are needed,
		// and none are looked for.
		config.WithCredentialsProvider(aws.AnonymousCredentials{}),
		// SDK log lines never reach stderr, which says what login does.
		config.WithLogger(logging.Nop{}),
	}
	if s.Profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(s.Profile))
	}
	var (
		cfg aws.Config
		err error
	)
	if o.Create.set() {
		// The profile is not written yet, and AWS_PROFILE may name it: only
		// the environment applies (AWS_ENDPOINT_URL_SSO_OIDC and _SSO).
		var env config.EnvConfig
		env, err = config.NewEnvConfig()
		cfg = aws.Config{Region: s.Region, Credentials: aws.AnonymousCredentials{}, ConfigSources: []any{env}}
	} else {
		cfg, err = config.LoadDefaultConfig(ctx, opts...)
	}
	if err != nil {
		return nil, &failure.Error{Problem: "cannot load the AWS configuration", Cause: failure.Reason(err), Fix: "fix it, then run " + s.LoginCommand() + " again", Err: err}
	}
	out := o.Stderr
	if out == nil {
		out = io.Discard
	}
	f := &flow{session: s, cfg: cfg, client: ssooidc.NewFromConfig(cfg), out: out, now: time.Now, sleep: sleep, secrets: redact.FromContext(ctx), callbackWait: callbackWait}
	f.device, f.why = chooseGrant(o.UseDeviceCode, s, runtime.GOOS, os.Getenv)
	if !o.NoBrowser {
		f.open = openBrowser
	}
	return f, nil
}

// registration is a client registration with IAM Identity Center.
type registration struct {
	id, secret string
	expiresAt  time.Time // zero when unknown
	reused     bool      // found in the token cache
	keep       func()    // writes a new registration to its cache file; nil if none
}

// run signs in and writes the token.
func (f *flow) run(ctx context.Context) error {
	path, err := f.session.CacheFile()
	if err != nil {
		return err
	}
	// The directory is checked before the user goes to the browser: a
	// sign-in whose token cannot be kept safe is wasted.
	if err := cacheDir(filepath.Dir(path)); err != nil {
		e := *failure.As(err)
		e.Fix += ", then run " + f.session.LoginCommand()
		return &e
	}
	if n := sweep(filepath.Dir(path), f.now()); n > 0 {
		safetext.Fprintf(f.out, f.secrets, "Removed %s left by an interrupted sign-in.\n", temporaryFiles(n))
	}
	var (
		tok *ssooidc.CreateTokenOutput
		reg registration
	)
	if f.device {
		tok, reg, err = f.deviceCode(ctx, path)
	} else {
		tok, reg, err = f.authCode(ctx, filepath.Dir(path))
	}
	if err != nil {
		return err
	}
	f.secrets.Add(aws.ToString(tok.AccessToken), aws.ToString(tok.RefreshToken))
	if aws.ToString(tok.AccessToken) == "" || tok.ExpiresIn <= 0 {
		return &failure.Error{Problem: fmt.Sprintf("IAM Identity Center answered the sign-in of %s without an access token or its lifetime", f.session),
			Fix: "run " + f.session.LoginCommand() + " again"}
	}
	t := ssotoken.Token{
		StartURL:              f.session.StartURL,
		Region:                f.session.Region,
		AccessToken:           aws.ToString(tok.AccessToken),
		ExpiresAt:             f.now().Add(time.Duration(tok.ExpiresIn) * time.Second),
		RefreshToken:          aws.ToString(tok.RefreshToken),
		ClientID:              reg.id,
		ClientSecret:          reg.secret,
		RegistrationExpiresAt: reg.expiresAt,
	}
	f.token = t
	if err := writeToken(path, t); err != nil {
		return &failure.Error{Problem: "signed in, but cannot write the token to " + path, Cause: failure.Reason(err),
			Fix: "check that directory's permissions, then run " + f.session.LoginCommand() + " again", Err: err}
	}
	safetext.Fprintf(f.out, f.secrets, "Signed in. The token of %s is valid until %s; it is in %s.\n", f.session, utcSecond(t.ExpiresAt).Format(time.RFC3339), path)
	return nil
}

// deviceCode signs in with the device code grant.
func (f *flow) deviceCode(ctx context.Context, path string) (*ssooidc.CreateTokenOutput, registration, error) {
	reg, err := f.registration(ctx, path)
	if err != nil {
		return nil, reg, err
	}
	auth, err := f.authorize(ctx, &reg)
	if err != nil {
		return nil, reg, err
	}
	f.prompt(auth)
	tok, err := f.poll(ctx, reg, auth)
	return tok, reg, err
}

// registration returns the client registration of the token cache file
// path when it is for this start URL and region and still valid for
// registrationMargin, else a new one.
func (f *flow) registration(ctx context.Context, path string) (registration, error) {
	t, err := ssotoken.Read(path)
	f.secrets.Add(t.Secrets()...)
	if errors.Is(err, safefile.ErrUntrusted) {
		safetext.Fprintf(f.out, f.secrets, "Not reading the old token: %s; signing in replaces it.\n", err)
	}
	if err == nil && t.ClientID != "" && t.ClientSecret != "" &&
		t.StartURL == f.session.StartURL && t.Region == f.session.Region &&
		t.RegistrationExpiresAt.After(f.now().Add(registrationMargin)) {
		return registration{id: t.ClientID, secret: t.ClientSecret, expiresAt: t.RegistrationExpiresAt, reused: true}, nil
	}
	return f.register(ctx)
}

// register registers this program as a public client of IAM Identity
// Center, with the session's scopes.
func (f *flow) register(ctx context.Context) (registration, error) {
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	out, err := f.client.RegisterClient(ctx, &ssooidc.RegisterClientInput{
		ClientName: aws.String(clientName),
		ClientType: aws.String("public"),
		Scopes:     f.session.Scopes,
	})
	if err != nil {
		return registration{}, f.failed("RegisterClient", err)
	}
	reg := registration{id: aws.ToString(out.ClientId), secret: aws.ToString(out.ClientSecret)}
	f.secrets.Add(reg.secret)
	if out.ClientSecretExpiresAt > 0 {
		reg.expiresAt = time.Unix(out.ClientSecretExpiresAt, 0)
	}
	return reg, nil
}

// authorize starts the device authorization. A reused registration that IAM
// Identity Center no longer knows is replaced by a new one, once.
func (f *flow) authorize(ctx context.Context, reg *registration) (*ssooidc.StartDeviceAuthorizationOutput, error) {
	start := func() (*ssooidc.StartDeviceAuthorizationOutput, error) {
		ctx, cancel := context.WithTimeout(ctx, callTimeout)
		defer cancel()
		return f.client.StartDeviceAuthorization(ctx, &ssooidc.StartDeviceAuthorizationInput{
			ClientId:     aws.String(reg.id),
			ClientSecret: aws.String(reg.secret),
			StartUrl:     aws.String(f.session.StartURL),
		})
	}
	auth, err := start()
	var invalid *types.InvalidClientException
	var unauthorized *types.UnauthorizedClientException
	if err != nil && reg.reused && (errors.As(err, &invalid) || errors.As(err, &unauthorized)) {
		if *reg, err = f.register(ctx); err != nil {
			return nil, err
		}
		auth, err = start()
	}
	if err != nil {
		return nil, f.failed("StartDeviceAuthorization", err)
	}
	f.secrets.Add(aws.ToString(auth.DeviceCode))
	return auth, nil
}

// prompt tells the user where to approve the sign-in, and opens the page.
// The user code is no secret: it only names this sign-in on the page, where
// the user must still sign in and approve. The code and the pages come from
// the service, so they are printed escaped, and a page is opened only if it
// is an https:// URL (see browsable).
func (f *flow) prompt(auth *ssooidc.StartDeviceAuthorizationOutput) {
	safetext.Fprintf(f.out, f.secrets, "%s\n", f.why)
	safetext.Fprintf(f.out, f.secrets, "Signing in to %s (%s).\nTo approve, open this page and enter the code %s:\n\n    %s\n\n",
		f.session.StartURL, f.session, aws.ToString(auth.UserCode), aws.ToString(auth.VerificationUri))
	if page := aws.ToString(auth.VerificationUriComplete); f.open != nil && page != "" {
		if err := browsable(page); err != nil {
			safetext.Fprintf(f.out, f.secrets, "Warning: not opening %s in a browser (%s); open the page above yourself.\n", page, err)
		} else if err := f.open(page); err != nil {
			safetext.Fprintf(f.out, f.secrets, "Cannot open a browser (%v); open the page yourself.\n", err)
		} else {
			safetext.Fprintf(f.out, f.secrets, "Opening the page, with the code filled in, in your browser.\n")
		}
	}
	if auth.ExpiresIn > 0 {
		safetext.Fprintf(f.out, f.secrets, "Waiting for the approval (the code expires in %s)...\n", minutes(auth.ExpiresIn))
	} else {
		safetext.Fprintf(f.out, f.secrets, "Waiting for the approval...\n")
	}
}

// poll waits for the user to approve the device authorization auth, and
// returns the tokens.
func (f *flow) poll(ctx context.Context, reg registration, auth *ssooidc.StartDeviceAuthorizationOutput) (*ssooidc.CreateTokenOutput, error) {
	p := poller{
		createToken: func(ctx context.Context) (*ssooidc.CreateTokenOutput, error) {
			ctx, cancel := context.WithTimeout(ctx, callTimeout)
			defer cancel()
			return f.client.CreateToken(ctx, &ssooidc.CreateTokenInput{
				ClientId:     aws.String(reg.id),
				ClientSecret: aws.String(reg.secret),
				DeviceCode:   auth.DeviceCode,
				GrantType:    aws.String(deviceGrant),
			})
		},
		interval: time.Duration(auth.Interval) * time.Second,
		now:      f.now,
		sleep:    f.sleep,
	}
	within := "" // how long the user has to approve, when known
	if auth.ExpiresIn > 0 {
		p.deadline = f.now().Add(time.Duration(auth.ExpiresIn) * time.Second)
		within = ", and approve it within " + minutes(auth.ExpiresIn)
	}
	tok, err := p.poll(ctx)
	var (
		expired *types.ExpiredTokenException
		denied  *types.AccessDeniedException
	)
	switch {
	case err == nil:
		return tok, nil
	case errors.Is(err, errCodeExpired) || errors.As(err, &expired):
		return nil, &failure.Error{Problem: fmt.Sprintf("the sign-in code expired before the sign-in of %s was approved", f.session),
			Fix: "run " + f.session.LoginCommand() + " again" + within}
	case errors.As(err, &denied):
		return nil, &failure.Error{Problem: fmt.Sprintf("the sign-in of %s was denied", f.session), Cause: apiReason(denied),
			Fix: "run " + f.session.LoginCommand() + " again, and choose Allow", Err: err}
	case ctx.Err() != nil:
		return nil, &failure.Error{Problem: fmt.Sprintf("stopped waiting for the sign-in of %s", f.session), Cause: ctx.Err().Error(),
			Fix: "run " + f.session.LoginCommand() + " again", Err: err}
	}
	return nil, f.failed("CreateToken", err)
}

// failed explains a failed call of operation to IAM Identity Center: what
// failed and why in a few words; the SDK's whole error is for --debug.
func (f *flow) failed(operation string, err error) error {
	var api smithy.APIError
	if errors.As(err, &api) {
		return &failure.Error{Problem: fmt.Sprintf("IAM Identity Center refused %s for %s", operation, f.session), Cause: apiReason(api),
			Fix: "check sso_start_url and sso_region, then retry", Err: err}
	}
	return &failure.Error{Problem: "cannot reach IAM Identity Center in " + f.session.Region, Cause: failure.Reason(err),
		Fix: "check the network path to AWS and sso_region, then retry", Err: err}
}

// apiReason is an API error's code, and its message when it has one.
func apiReason(err smithy.APIError) string {
	if m := err.ErrorMessage(); m != "" {
		return err.ErrorCode() + ": " + m
	}
	return err.ErrorCode()
}

// minutes says how long seconds is, in whole minutes from two minutes on.
func minutes(seconds int32) string {
	d := time.Duration(seconds) * time.Second
	if d < 2*time.Minute {
		return d.String()
	}
	return fmt.Sprintf("%d minutes", d/time.Minute)
}
