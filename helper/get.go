package helper

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/awscreds"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/codecommit"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/failure"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/redact"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/safetext"
	"github.com/git-credential-codecommit/git-credential-codecommit/sigv4"
)

// PasswordLifetime is how long CodeCommit accepts a signed password; the
// rule for password_expiry_utc is sigv4's (sigv4.Password.Expires).
const PasswordLifetime = sigv4.PasswordLifetime

// getTimeout bounds a whole get. Each credential source has shorter time-outs
// of its own; this is the backstop for a connection that accepts and never
// answers, so git is never left waiting forever.
const getTimeout = 2 * time.Minute

// Getter answers git's "get" for CodeCommit. Its zero value works: it signs
// with the SDK's default credential chain, at time.Now, and writes no debug
// lines.
//
// That chain is the program's: it may keep role credentials in a cache under
// the user's home, read the AWS CLI's cache, and run a profile's
// credential_process. A library that wants none of it sets Resolve, for
// instance to FromProvider(cfg.Credentials, cfg.Region); or, to sign a URL
// without git's protocol, calls sigv4.SignURL.
type Getter struct {
	Profile         string // --profile; empty lets the SDK choose
	Region          string // --region; signs for it when the host names no region
	IgnoreHostCheck bool   // sign for any https host, as the AWS CLI's flag does
	NoCache         bool   // do not share role credentials between processes
	Debug           bool   // write the signing steps, never a secret, to Stderr
	Stderr          io.Writer
	Now             func() time.Time // nil means time.Now
	// Resolve gets the AWS credentials; nil means the SDK's default chain
	// with this program's cache and explanations.
	Resolve func(context.Context, CredentialsQuery) (Credentials, error)
}

// CredentialsQuery is what a Getter asks Resolve for.
type CredentialsQuery struct {
	Profile       string // Getter.Profile
	Region        string // Getter.Region
	DefaultRegion string // the host's region, for role sources when nothing configures one
	NoCache       bool   // Getter.NoCache
	// ProcessStderr is where a profile's credential_process writes its
	// errors (Getter.Stderr); nil discards them.
	ProcessStderr io.Writer
	// Debugf, set under Getter.Debug, writes one --debug line; it redacts
	// the get's secrets.
	Debugf func(format string, args ...any)
}

// Credentials are what Resolve answers: the keys, and the region and
// profile the configuration named (either may be empty).
type Credentials struct {
	aws.Credentials
	Region  string
	Profile string
}

// FromProvider returns a Resolve that retrieves credentials from p (for
// instance an aws.Config's Credentials, which caches them) and reports
// region as the configured one. It ignores the query's profile and cache
// settings: p was configured already.
func FromProvider(p aws.CredentialsProvider, region string) func(context.Context, CredentialsQuery) (Credentials, error) {
	return func(ctx context.Context, _ CredentialsQuery) (Credentials, error) {
		c, err := p.Retrieve(ctx)
		if err != nil {
			return Credentials{}, &failure.Error{Problem: "cannot get AWS credentials from the provider", Fix: "check its configuration", Err: err}
		}
		return Credentials{Credentials: c, Region: region}, nil
	}
}

// sdkChain is the default Resolve: the SDK's default chain through
// internal/awscreds.
func sdkChain(ctx context.Context, q CredentialsQuery) (Credentials, error) {
	o := awscreds.Options{
		Profile: q.Profile, Region: q.Region, DefaultRegion: q.DefaultRegion, NoCache: q.NoCache, Debugf: q.Debugf,
		ProcessStderr: q.ProcessStderr,
	}
	if q.ProcessStderr != nil { // the get's stderr: the cache's notices go there too
		o.Notef = func(format string, args ...any) {
			fmt.Fprintf(q.ProcessStderr, "git-credential-codecommit: "+format+"\n", args...)
		}
	}
	r, err := awscreds.Resolve(ctx, o)
	return Credentials{Credentials: r.Credentials, Region: r.Region, Profile: r.Profile}, err
}

// Serve reads one credential request from stdin and writes the answer to
// stdout. It writes nothing when the request is not for CodeCommit over
// https, so that git asks its next helper. On error it writes nothing to
// stdout and returns an error that is safe to print.
func (g *Getter) Serve(ctx context.Context, stdin io.Reader, stdout io.Writer) error {
	req, err := ReadRequest(stdin)
	if err != nil {
		return err
	}
	return g.Get(ctx, req, stdout)
}

// Get answers req; see Serve.
func (g *Getter) Get(ctx context.Context, req Request, stdout io.Writer) error {
	if req.Protocol != "https" {
		return nil // never sign for plain http: the password would travel in clear
	}
	hostRegion, ok := codecommit.Region(req.Host)
	if !ok && !g.IgnoreHostCheck {
		return nil
	}
	if req.Path == "" {
		return &failure.Error{Problem: "git sent no repository path, which the password signs", Fix: "run: git config --global credential.https://" + req.Host + ".useHttpPath true"}
	}

	ctx, cancel := context.WithTimeout(ctx, getTimeout)
	defer cancel()
	// The secrets this get learns are redacted from what it prints, and
	// forgotten with it, unless the caller's context carries a Set of its
	// own.
	ctx, secrets := redact.Ensure(ctx)
	d := debug{w: g.Stderr, secrets: secrets, on: g.Debug}
	c, region, now, err := g.credentials(ctx, hostRegion, d)
	if err != nil {
		return err
	}
	creds := sigv4.Credentials{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken}
	if c.CanExpire {
		creds.Expires = c.Expires
	}
	p := sigv4.CodeCommit(creds, region, req.Host, req.Path, now)
	// The password goes to stdout only; should any message ever quote it,
	// or its signature, it is redacted there.
	_, signature, _ := strings.Cut(p.Password, "Z")
	secrets.Add(c.SecretAccessKey, c.SessionToken, p.Password, signature)

	d.printf("region %s", region)
	d.printf("credential source %s, profile %q", c.Source, c.Profile)
	d.printf("access key id %s", c.AccessKeyID)
	d.block("canonical request", p.CanonicalRequest)
	d.block("string to sign", p.StringToSign)
	d.printf("password_expiry_utc %s", p.Expires.UTC().Format(time.RFC3339))
	_, err = io.WriteString(stdout, "username="+p.Username+"\npassword="+p.Password+
		"\npassword_expiry_utc="+strconv.FormatInt(p.Expires.Unix(), 10)+"\n")
	return err
}

// credentials resolves the AWS credentials for a get, the region to sign
// for (the host's, else the configured one) and the time to sign at, once
// they are in hand. It refuses credentials that have expired by then or
// would break the protocol's lines.
func (g *Getter) credentials(ctx context.Context, hostRegion string, d debug) (c Credentials, region string, now time.Time, err error) {
	q := CredentialsQuery{Profile: g.Profile, Region: g.Region, DefaultRegion: hostRegion, NoCache: g.NoCache, ProcessStderr: g.Stderr}
	if g.Debug {
		q.Debugf = d.printf
	}
	resolve := g.Resolve
	if resolve == nil {
		resolve = sdkChain
	}
	c, err = resolve(ctx, q)
	if err != nil {
		return Credentials{}, "", now, err // its Detail, the SDK's own words, is the caller's to print under --debug
	}
	region = hostRegion
	if region == "" {
		region = c.Region // --region, else AWS_REGION/AWS_DEFAULT_REGION, else the profile's
	}
	if region == "" {
		return Credentials{}, "", now, awscreds.NoRegion(c.Profile, "pass --region")
	}
	now = time.Now()
	if g.Now != nil {
		now = g.Now()
	}
	if c.CanExpire && !c.Expires.After(now) {
		return Credentials{}, "", now, &failure.Error{Problem: fmt.Sprintf("the AWS credentials from %s expired at %s", c.Source, c.Expires.UTC().Format(time.RFC3339)), Fix: "refresh them and retry"}
	}
	if err := checkPrintable(c.AccessKeyID, c.SessionToken); err != nil {
		return Credentials{}, "", now, &failure.Error{Problem: fmt.Sprintf("the AWS credentials from %s %v", c.Source, err), Cause: "git's credential protocol cannot carry them", Fix: "fix their source"}
	}
	return c, region, now, nil
}

// checkPrintable rejects values that would break or inject lines of the
// credential protocol.
func checkPrintable(values ...string) error {
	for _, v := range values {
		if strings.ContainsAny(v, "\n\r\x00") {
			return errors.New("hold a newline or NUL byte")
		}
	}
	return nil
}

// debug writes --debug lines to w when on, redacted with the get's secrets.
// With no w it writes nothing.
type debug struct {
	w       io.Writer
	secrets *redact.Set
	on      bool
}

// printf writes one --debug line. It quotes hosts, profiles, paths and the
// SDK's messages, so the line is redacted and escaped whole.
func (d debug) printf(format string, args ...any) {
	if !d.on || d.w == nil {
		return
	}
	fmt.Fprintf(d.w, "git-credential-codecommit: debug: %s\n", safetext.Clean(d.secrets, fmt.Sprintf(format, args...)))
}

// debugBlock writes text of several lines under a --debug line naming it,
// each line indented. The layout is the text's own; each line is redacted
// and escaped, which escapes the host and path inside (ReadRequest lets no
// newline into either).
func (d debug) block(name, text string) {
	if !d.on || d.w == nil {
		return
	}
	var b strings.Builder
	b.WriteString("git-credential-codecommit: debug: " + name + ":\n")
	for line := range strings.SplitSeq(strings.TrimSuffix(text, "\n"), "\n") {
		b.WriteString("    " + safetext.Clean(d.secrets, line) + "\n")
	}
	io.WriteString(d.w, b.String())
}
