package helper

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/awscreds"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/codecommit"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/failure"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/redact"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/safetext"
	"github.com/git-credential-codecommit/git-credential-codecommit/sigv4"
)

// PasswordLifetime is how long CodeCommit accepts a signed password: about
// 15 minutes after its timestamp, as its user guide says.
const PasswordLifetime = 15 * time.Minute

// expiryMargin is taken off PasswordLifetime for password_expiry_utc. Git
// 2.40+ uses that line to drop a password, and storing helpers (cache,
// wincred, libsecret, osxkeychain) to forget it. Dropping it early costs one
// more run of this helper; dropping it late costs a 403 that git never
// answers with "erase". A minute covers ordinary clock skew against AWS.
const expiryMargin = time.Minute

// getTimeout bounds a whole get. Each credential source has shorter time-outs
// of its own; this is the backstop for a connection that accepts and never
// answers, so git is never left waiting forever.
const getTimeout = 2 * time.Minute

// Getter answers git's "get" for CodeCommit.
type Getter struct {
	Profile         string // --profile; empty lets the SDK choose
	Region          string // --region; signs for it when the host names no region
	IgnoreHostCheck bool   // sign for any https host, as the AWS CLI's flag does
	NoCache         bool   // do not share role credentials between processes
	Debug           bool   // write the signing steps, never a secret, to Stderr
	Stderr          io.Writer
	Now             func() time.Time
	// Resolve gets the AWS credentials; nil means awscreds.Resolve, the
	// SDK's chain. Tests set it to check the get flow without the SDK.
	Resolve func(context.Context, awscreds.Options) (awscreds.Resolved, error)
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
	d := debug{w: g.Stderr, secrets: secrets}
	o := awscreds.Options{
		Profile:       g.Profile,
		Region:        g.Region,
		DefaultRegion: hostRegion,
		NoCache:       g.NoCache,
		ProcessStderr: g.Stderr,
	}
	if g.Debug {
		o.Debugf = d.printf
	}
	resolve := g.Resolve
	if resolve == nil {
		resolve = awscreds.Resolve
	}
	c, err := resolve(ctx, o)
	if err != nil {
		return err // its Detail, the SDK's own words, is the caller's to print under --debug
	}
	region := hostRegion
	if region == "" {
		region = c.Region // --region, else AWS_REGION/AWS_DEFAULT_REGION, else the profile's
	}
	if region == "" {
		return awscreds.NoRegion(c.Profile, "pass --region")
	}

	now := g.Now()
	if c.CanExpire && !c.Expires.After(now) {
		return &failure.Error{Problem: fmt.Sprintf("the AWS credentials from %s expired at %s", c.Source, c.Expires.UTC().Format(time.RFC3339)), Fix: "refresh them and retry"}
	}
	if err := checkPrintable(c.AccessKeyID, c.SessionToken); err != nil {
		return &failure.Error{Problem: fmt.Sprintf("the AWS credentials from %s %v", c.Source, err), Cause: "git's credential protocol cannot carry them", Fix: "fix their source"}
	}

	p := sigv4.CodeCommit(sigv4.Credentials{
		AccessKeyID:     c.AccessKeyID,
		SecretAccessKey: c.SecretAccessKey,
		SessionToken:    c.SessionToken,
	}, region, req.Host, req.Path, now)
	// The password goes to stdout only; should any message ever quote it,
	// or its signature, it is redacted there.
	_, signature, _ := strings.Cut(p.Password, "Z")
	secrets.Add(c.SecretAccessKey, c.SessionToken, p.Password, signature)

	expiry := now.Add(PasswordLifetime - expiryMargin)
	if c.CanExpire && c.Expires.Before(expiry) {
		expiry = c.Expires
	}

	if g.Debug {
		d.printf("region %s", region)
		d.printf("credential source %s, profile %q", c.Source, c.Profile)
		d.printf("access key id %s", c.AccessKeyID)
		d.block("canonical request", p.CanonicalRequest)
		d.block("string to sign", p.StringToSign)
		d.printf("password_expiry_utc %s", expiry.UTC().Format(time.RFC3339))
	}
	var out bytes.Buffer
	out.WriteString("username=" + p.Username + "\n")
	out.WriteString("password=" + p.Password + "\n")
	out.WriteString("password_expiry_utc=" + strconv.FormatInt(expiry.Unix(), 10) + "\n")
	_, err = stdout.Write(out.Bytes())
	return err
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

// debug writes --debug lines to w, redacted with the get's secrets.
type debug struct {
	w       io.Writer
	secrets *redact.Set
}

// printf writes one --debug line. It quotes hosts, profiles, paths and the
// SDK's messages, so the line is redacted and escaped whole.
func (d debug) printf(format string, args ...any) {
	fmt.Fprintf(d.w, "git-credential-codecommit: debug: %s\n", safetext.Clean(d.secrets, fmt.Sprintf(format, args...)))
}

// debugBlock writes text of several lines under a --debug line naming it,
// each line indented. The layout is the text's own; each line is redacted
// and escaped, which escapes the host and path inside (ReadRequest lets no
// newline into either).
func (d debug) block(name, text string) {
	var b strings.Builder
	b.WriteString("git-credential-codecommit: debug: " + name + ":\n")
	for line := range strings.SplitSeq(strings.TrimSuffix(text, "\n"), "\n") {
		b.WriteString("    " + safetext.Clean(d.secrets, line) + "\n")
	}
	io.WriteString(d.w, b.String())
}
