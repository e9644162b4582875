package login

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/signin"
	signintypes "github.com/aws/aws-sdk-go-v2/service/signin/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/logging"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/awsconfigfile"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/awscreds"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/failure"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/logintoken"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/redact"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/safefile"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/safetext"
)

// ConsoleOptions say which profile to sign in with console credentials
// (login --console), and how.
type ConsoleOptions struct {
	// Profile is the profile to use or create; empty is AWS_PROFILE, else
	// "default".
	Profile string
	// Region is the region of AWS Sign-In, and the one written into a
	// profile that has none; empty is the configured region.
	Region string
	// Remote chooses the cross-device sign-in: the URL is opened on
	// another device, and the code it shows is pasted here.
	Remote bool
	// NoBrowser leaves opening the page to the user.
	NoBrowser bool
	// Stdin is where a cross-device code is read from.
	Stdin io.Reader
	// Stderr receives the prompts and what was done.
	Stderr io.Writer
}

// consoleFlow is one console sign-in.
type consoleFlow struct {
	o        ConsoleOptions
	p        consoleProfile
	region   string
	out      io.Writer
	open     func(url string) error // nil leaves the page to the user
	wait     time.Duration          // for the redirect
	now      func() time.Time
	secrets  *redact.Set
	getenv   func(string) string
	verifier string
	state    string
	key      *ecdsa.PrivateKey
}

// Console signs in with the credentials of the AWS console (AWS Sign-In,
// as "aws login" does), writes the session's token file where the AWS SDK
// reads and refreshes it, and sets login_session (and region, when the
// profile has none) in the profile, which it creates if needed.
func Console(ctx context.Context, o ConsoleOptions) error {
	ctx, _ = redact.Ensure(ctx)
	f := &consoleFlow{o: o, out: o.Stderr, wait: callbackWait, now: time.Now, secrets: redact.FromContext(ctx), getenv: os.Getenv}
	if f.out == nil {
		f.out = io.Discard
	}
	if !o.NoBrowser {
		f.open = openBrowser
	}
	return f.run(ctx)
}

func (f *consoleFlow) run(ctx context.Context) error {
	p, err := findConsoleProfile(ctx, f.o.Profile)
	if err != nil {
		return err
	}
	f.p = p
	if err := p.usable(); err != nil {
		return err
	}
	if f.region = firstOf(f.o.Region, f.getenv("AWS_REGION"), f.getenv("AWS_DEFAULT_REGION"), p.region); f.region == "" {
		return &failure.Error{Problem: fmt.Sprintf("no AWS region for profile %q", p.name), Cause: "AWS Sign-In is regional", Fix: "give --region REGION (it is written into the profile)"}
	}
	if !matches(regionPattern, f.region) {
		return &failure.Error{Problem: fmt.Sprintf("%q is not an AWS region", f.region), Fix: "give --region REGION, as us-east-1"}
	}
	client, base, err := f.client(ctx)
	if err != nil {
		return err
	}
	if f.key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
		return err
	}
	f.verifier, f.state = pkceVerifier(), uuid()
	var clientID string
	finish := func(code, redirect string) error {
		f.secrets.Add(code)
		tok, session, err := f.exchange(ctx, client, clientID, code, redirect)
		if err != nil {
			return err
		}
		return f.save(tok, session)
	}
	if f.remote() {
		clientID = logintoken.CrossDeviceClient
		redirect := base + "/v1/sessions/confirmation"
		code, err := f.crossDevice(base, clientID, redirect)
		if err != nil {
			return err
		}
		return finish(code, redirect)
	}
	clientID = logintoken.SameDeviceClient
	return f.sameDevice(ctx, base, clientID, finish)
}

// remote says whether the sign-in is the cross-device one, and why on
// stderr: --remote, or an SSH session without a display, where the
// browser's redirect to this machine's loopback cannot arrive.
func (f *consoleFlow) remote() bool {
	ssh := f.getenv("SSH_CONNECTION") != "" || f.getenv("SSH_TTY") != ""
	display := f.getenv("DISPLAY") != "" || f.getenv("WAYLAND_DISPLAY") != ""
	switch {
	case f.o.Remote:
		safetext.Fprintf(f.out, f.secrets, "Signing in across devices (--remote): open the page anywhere, then paste the code it shows.\n")
		return true
	case ssh && !display:
		safetext.Fprintf(f.out, f.secrets, "Signing in across devices: this is an SSH session without a display, so a browser here cannot be sent back to this machine.\n")
		return true
	}
	return false
}

// client is a Sign-In client for the region, configured as the SDK
// configures the one that refreshes the session (AWS_ENDPOINT_URL_SIGNIN
// and the profile's endpoint settings apply), and the base URL of its
// endpoint, which the authorize and confirmation pages are on.
func (f *consoleFlow) client(ctx context.Context) (*signin.Client, string, error) {
	var cfg aws.Config
	var err error
	if f.p.exists {
		cfg, err = config.LoadDefaultConfig(ctx, config.WithRegion(f.region), config.WithCredentialsProvider(aws.AnonymousCredentials{}),
			config.WithSharedConfigProfile(f.p.name), config.WithLogger(logging.Nop{}))
	} else {
		// A profile yet to be made, which AWS_PROFILE may name already:
		// LoadDefaultConfig would fail on it. The environment's settings
		// (AWS_ENDPOINT_URL_SIGNIN) are all there is.
		var env config.EnvConfig
		if env, err = config.NewEnvConfig(); err == nil {
			cfg = aws.Config{Region: f.region, Credentials: aws.AnonymousCredentials{}, ConfigSources: []any{env}}
		}
	}
	if err != nil {
		return nil, "", &failure.Error{Problem: "cannot load the AWS configuration", Cause: failure.Reason(err), Fix: "fix it, then run " + f.command() + " again", Err: err}
	}
	var o signin.Options
	client := signin.NewFromConfig(cfg, func(opts *signin.Options) { o = opts.Copy() })
	ep, err := o.EndpointResolverV2.ResolveEndpoint(ctx, signin.EndpointParameters{Region: aws.String(o.Region), Endpoint: o.BaseEndpoint,
		UseFIPS: aws.Bool(o.EndpointOptions.UseFIPSEndpoint == aws.FIPSEndpointStateEnabled), UseDualStack: aws.Bool(o.EndpointOptions.UseDualStackEndpoint == aws.DualStackEndpointStateEnabled)})
	if err != nil {
		return nil, "", &failure.Error{Problem: "no AWS Sign-In endpoint for region " + f.region, Cause: failure.Reason(err), Fix: "check --region, or set AWS_ENDPOINT_URL_SIGNIN", Err: err}
	}
	return client, ep.URI.Scheme + "://" + ep.URI.Host, nil
}

// authorizeURL is the AWS CLI's /v1/authorize query: its parameters in its
// order, and the S256 code challenge last, unpadded.
func (f *consoleFlow) authorizeURL(base, clientID, redirect string) string {
	sum := sha256.Sum256([]byte(f.verifier))
	q := []string{"response_type=code", "client_id=" + url.QueryEscape(clientID), "state=" + url.QueryEscape(f.state),
		"code_challenge_method=SHA-256", "scope=openid", "redirect_uri=" + url.QueryEscape(redirect),
		"code_challenge=" + base64.RawURLEncoding.EncodeToString(sum[:])}
	return base + "/v1/authorize?" + strings.Join(q, "&")
}

// sameDevice opens the authorize page, waits for the browser's redirect
// to the loopback listener (loopback.go, shared with IAM Identity Center's
// sign-in), and finishes the sign-in with its code and the redirect URI.
// The browser's page shows the outcome once finish is done.
func (f *consoleFlow) sameDevice(ctx context.Context, base, clientID string, finish func(code, redirect string) error) error {
	lb, err := listenLoopback(callbackPath)
	if err != nil {
		var e *failure.Error
		if errors.As(err, &e) {
			err = &failure.Error{Problem: e.Problem, Cause: e.Cause, Fix: "run " + f.command() + " --remote", Err: e.Err}
		}
		return err
	}
	page := f.authorizeURL(base, clientID, lb.redirectURI())
	safetext.Fprintf(f.out, f.secrets, "Signing in to AWS with your console credentials for profile %q.\nTo approve, open this page:\n\n    %s\n\n", f.p.name, page)
	if f.open != nil {
		if err := f.open(page); err != nil {
			safetext.Fprintf(f.out, f.secrets, "Cannot open a browser (%v); open the page yourself.\n", err)
		} else {
			safetext.Fprintf(f.out, f.secrets, "Opening the page in your browser.\n")
		}
	}
	within := f.wait.String()
	if f.wait >= 2*time.Minute {
		within = minutes(int32(f.wait / time.Second))
	}
	safetext.Fprintf(f.out, f.secrets, "Waiting for the browser to come back to %s (for %s)...\n", lb.host(), within)
	a, err := lb.wait(ctx, f.wait)
	switch {
	case errors.Is(err, errCallbackTimeout):
		err = &failure.Error{Problem: "the browser did not come back within " + within,
			Fix: "run " + f.command() + " again, with --remote for a browser elsewhere"}
	case errors.As(err, new(refused)):
		err = &failure.Error{Problem: "refused a request to the sign-in's listener", Cause: err.Error(), Fix: "run " + f.command() + " again"}
	case err != nil:
		err = &failure.Error{Problem: "stopped waiting for the console sign-in", Cause: err.Error(), Fix: "run " + f.command() + " again", Err: err}
	default:
		q := a.query
		res := callbackResult{code: q.Get("code"), state: q.Get("state"), errCode: q.Get("error"), errDescription: q.Get("error_description")}
		f.secrets.Add(res.code)
		if err = f.check(res); err == nil {
			err = finish(res.code, lb.redirectURI())
		}
	}
	lb.close(a, err) // the page says what the terminal says
	return err
}

// callbackResult is what a redirect, or a pasted code, brought.
type callbackResult struct{ code, state, errCode, errDescription string }

// check refuses a redirect that is not the answer to this sign-in.
func (f *consoleFlow) check(res callbackResult) error {
	again := "run " + f.command() + " again"
	switch {
	case subtle.ConstantTimeCompare([]byte(res.state), []byte(f.state)) != 1:
		return &failure.Error{Problem: "the sign-in answer is not for this sign-in", Cause: "its state differs", Fix: again}
	case res.errCode == "access_denied":
		return &failure.Error{Problem: "the console sign-in was denied", Cause: safetext.Line(res.errDescription), Fix: again + ", and allow it"}
	case res.errCode != "":
		return &failure.Error{Problem: "AWS Sign-In refused the sign-in", Cause: safetext.Line(res.errCode + ": " + res.errDescription), Fix: again}
	case res.code == "":
		return &failure.Error{Problem: "the sign-in answer has no authorization code", Fix: again}
	}
	return nil
}

// maxPasted bounds the line read for a cross-device code.
const maxPasted = 4096

// crossDevice prints the authorize page and reads the code it shows.
func (f *consoleFlow) crossDevice(base, clientID, redirect string) (string, error) {
	page := f.authorizeURL(base, clientID, redirect)
	safetext.Fprintf(f.out, f.secrets, "Signing in to AWS with your console credentials for profile %q.\nOpen this page in a browser, on any device:\n\n    %s\n\nThen enter the authorization code it shows: ", f.p.name, page)
	var line string
	var err error
	if f.o.Stdin != nil {
		line, err = bufio.NewReaderSize(io.LimitReader(f.o.Stdin, maxPasted), maxPasted).ReadString('\n')
	}
	fmt.Fprintln(f.out) // a terminal echoes the line; a pipe does not, and what follows must start a line
	if err != nil && !errors.Is(err, io.EOF) || f.o.Stdin == nil {
		return "", &failure.Error{Problem: "cannot read the authorization code", Cause: "no input", Fix: "run " + f.command() + " in a terminal, and paste the code"}
	}
	f.secrets.Add(strings.TrimSpace(line))
	res, ok := parsePastedCode(line)
	if !ok {
		return "", &failure.Error{Problem: "the pasted text is not an authorization code of AWS Sign-In", Fix: "run " + f.command() + " again, and paste the whole code the page shows"}
	}
	f.secrets.Add(res.code)
	if err := f.check(res); err != nil {
		return "", err
	}
	return res.code, nil
}

// parsePastedCode reads the code the cross-device page shows, as the AWS
// CLI does: the base64 of "state=STATE&code=CODE".
func parsePastedCode(line string) (callbackResult, bool) {
	s := strings.TrimSpace(line)
	raw, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		if raw, err = base64.RawStdEncoding.DecodeString(s); err != nil {
			return callbackResult{}, false
		}
	}
	q, err := url.ParseQuery(string(raw))
	if err != nil || q.Get("state") == "" || q.Get("code") == "" {
		return callbackResult{}, false
	}
	return callbackResult{code: q.Get("code"), state: q.Get("state")}, true
}

// exchange redeems the code for the session's credentials, with a DPoP
// proof of the new key, and returns the token file's content and the
// session: the ID token's subject.
func (f *consoleFlow) exchange(ctx context.Context, client *signin.Client, clientID, code, redirect string) (logintoken.Token, string, error) {
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	out, err := client.CreateOAuth2Token(ctx, &signin.CreateOAuth2TokenInput{TokenInput: &signintypes.CreateOAuth2TokenRequestBody{
		ClientId: aws.String(clientID), GrantType: aws.String("authorization_code"), Code: aws.String(code),
		CodeVerifier: aws.String(f.verifier), RedirectUri: aws.String(redirect),
	}}, withDPoP(f.key, f.now))
	if err != nil {
		var api smithy.APIError
		if errors.As(err, &api) {
			return logintoken.Token{}, "", &failure.Error{Problem: "AWS Sign-In refused the authorization code", Cause: f.secrets.String(apiReason(api)), Fix: "run " + f.command() + " again", Err: err}
		}
		return logintoken.Token{}, "", &failure.Error{Problem: "cannot reach AWS Sign-In in " + f.region, Cause: failure.Reason(err), Fix: "check the network path to AWS and --region, then retry", Err: err}
	}
	t := out.TokenOutput
	bad := &failure.Error{Problem: "AWS Sign-In answered without the session's credentials", Fix: "run " + f.command() + " again"}
	if t == nil || t.AccessToken == nil || t.ExpiresIn == nil || *t.ExpiresIn <= 0 {
		return logintoken.Token{}, "", bad
	}
	a := t.AccessToken
	f.secrets.Add(aws.ToString(a.SecretAccessKey), aws.ToString(a.SessionToken), aws.ToString(t.RefreshToken))
	session, account := sessionOf(aws.ToString(t.IdToken))
	if aws.ToString(a.AccessKeyId) == "" || aws.ToString(a.SecretAccessKey) == "" || aws.ToString(a.SessionToken) == "" || aws.ToString(t.RefreshToken) == "" || session == "" {
		return logintoken.Token{}, "", bad
	}
	key, err := logintoken.EncodeKey(f.key)
	if err != nil {
		return logintoken.Token{}, "", err
	}
	f.secrets.Add(key)
	return logintoken.Token{
		AccessToken: logintoken.AccessToken{AccessKeyID: aws.ToString(a.AccessKeyId), SecretAccessKey: aws.ToString(a.SecretAccessKey),
			SessionToken: aws.ToString(a.SessionToken), AccountID: account, ExpiresAt: f.now().Add(time.Duration(*t.ExpiresIn) * time.Second)},
		TokenType: aws.ToString(t.TokenType), ClientID: clientID, RefreshToken: aws.ToString(t.RefreshToken), IDToken: aws.ToString(t.IdToken), DPoPKey: key,
	}, session, nil
}

// sessionPattern is a session ARN fit for the config file: an IAM user or
// root, or an assumed role's session (federated console users), with no
// white space or brackets, and a 12-digit account. Its resource, the third
// group, is at most maxResource bytes: checked apart, because a {1,512}
// here compiled into 512 copies of the class, 5.7 ms and 350 KB at the
// start of every run of the program, get included.
var sessionPattern = regexp.MustCompile(`^arn:aws[a-z-]*:(iam|sts)::(\d{12}):([A-Za-z0-9+=,.@_/:-]+)$`)

const maxResource = 512

// sessionOf returns the subject of an ID token (a JWT, whose signature the
// token endpoint's TLS vouches for, as for the AWS CLI) and the account in
// it, or "" when it is not a session ARN.
func sessionOf(idToken string) (session, account string) {
	parts := strings.Split(idToken, ".")
	if len(parts) != 3 {
		return "", ""
	}
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	var claims struct {
		Sub string `json:"sub"`
	}
	if err != nil || json.Unmarshal(b, &claims) != nil {
		return "", ""
	}
	m := sessionPattern.FindStringSubmatch(claims.Sub)
	if m == nil || len(m[3]) > maxResource {
		return "", ""
	}
	return claims.Sub, m[2]
}

// save writes the token file, then the profile.
func (f *consoleFlow) save(tok logintoken.Token, session string) error {
	path, err := logintoken.Path(session)
	if err != nil {
		return err
	}
	b, err := tok.Marshal()
	if err == nil {
		if err = cacheDir(filepath.Dir(path)); err == nil {
			err = safefile.WriteFile(path, b)
		}
	}
	if err != nil {
		return &failure.Error{Problem: "signed in, but cannot write the session's token to " + path, Cause: failure.Reason(err),
			Fix: "check that directory's permissions, then run " + f.command() + " again", Err: err}
	}
	keys := []awsconfigfile.Key{{Name: "login_session", Value: session}}
	if f.p.region == "" {
		keys = append(keys, awsconfigfile.Key{Name: "region", Value: f.region})
	}
	if f.p.session != session || f.p.region == "" {
		if err := awsconfigfile.Update(f.p.configFile, awsconfigfile.Section{Header: awsconfigfile.Profile(f.p.name), Keys: keys}); err != nil {
			return &failure.Error{Problem: fmt.Sprintf("signed in, but cannot write profile %q to %s", f.p.name, f.p.configFile), Cause: failure.Reason(err),
				Fix: fmt.Sprintf("add login_session = %s to the profile yourself", session), Err: err}
		}
	}
	switch {
	case f.p.session != "" && f.p.session != session:
		safetext.Fprintf(f.out, f.secrets, "Profile %q used the session %s; it now uses %s.\n", f.p.name, f.p.session, session)
	case f.p.session == "":
		safetext.Fprintf(f.out, f.secrets, "Profile %q in %s now uses the session %s.\n", f.p.name, f.p.configFile, session)
	}
	safetext.Fprintf(f.out, f.secrets, "Signed in as %s. The credentials are valid until %s, and the AWS SDK renews them; the session is in %s.\n",
		session, tok.AccessToken.ExpiresAt.UTC().Truncate(time.Second).Format(time.RFC3339), path)
	return nil
}

// command is the command that signs in to the profile again.
func (f *consoleFlow) command() string { return awscreds.ConsoleLoginCommand(f.p.name) }

// pkceVerifier is a PKCE code verifier: 64 random characters of the
// unreserved set, as the AWS CLI's, each drawn without bias.
func pkceVerifier() string {
	const set = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"
	const limit = 256 / len(set) * len(set) // bytes at or above it would favour the first characters
	v := make([]byte, 0, 64)
	b := make([]byte, 1)
	for len(v) < cap(v) {
		rand.Read(b)
		if int(b[0]) < limit {
			v = append(v, set[int(b[0])%len(set)])
		}
	}
	return string(v)
}

func firstOf(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
