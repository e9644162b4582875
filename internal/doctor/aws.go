package doctor

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/git-credential-codecommit/git-credential-codecommit/helper"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/awsconfig"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/awscreds"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/failure"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/login"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/redact"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/ssotoken"
)

// checkCredentials checks the credentials the helper would get, with the
// flags on its command line in git's configuration unless Options set
// them, and notes them for the checks that use them.
func (d *doctor) checkCredentials(ctx context.Context) []Check {
	if d.o.Profile != "" {
		d.flags.Profile = d.o.Profile
	}
	if d.o.Region != "" {
		d.flags.Region = d.o.Region
	}
	c, creds, credsOK := checkCredentials(ctx, d.flags, urlRegion(d.target), d.o.Now())
	d.creds, d.credsOK = creds, credsOK
	return []Check{c}
}

// checkCredentials resolves AWS credentials as the helper would and reports
// their source, access key id and expiry at now, never their secrets.
func checkCredentials(ctx context.Context, f helper.Getter, hostRegion string, now time.Time) (Check, awscreds.Resolved, bool) {
	c, err := awscreds.Resolve(ctx, awscreds.Options{Profile: f.Profile, Region: f.Region, DefaultRegion: hostRegion})
	if err != nil {
		if e := failure.As(err); e != nil {
			return fail("credentials", e.Finding(), strings.TrimPrefix(e.Fix, "run: ")), c, false
		}
		return fail("credentials", failure.OneLine(err), ""), c, false
	}
	redact.FromContext(ctx).Add(c.SecretAccessKey, c.SessionToken)
	detail := fmt.Sprintf("access key id %s from %s", c.AccessKeyID, c.Source)
	if f.Profile != "" {
		detail += fmt.Sprintf(", profile %q", c.Profile)
	}
	left := c.Expires.Sub(now)
	at := c.Expires.UTC().Format(time.RFC3339)
	renew := "renew them where they come from (" + c.Source + ")"
	switch {
	case !c.CanExpire:
		return ok("credentials", detail+"; they do not expire"), c, true
	case left <= 0:
		return fail("credentials", detail+"; they expired at "+at, renew), c, false
	case left < soonExpiry:
		return warn("credentials", detail+fmt.Sprintf("; they expire at %s, in %s, sooner than a signed password would", at, left.Round(time.Second)), renew), c, true
	}
	return ok("credentials", detail+fmt.Sprintf("; they expire at %s, in %s", at, roundDuration(left))), c, true
}

// checkSSOToken reports, for a profile on IAM Identity Center, the token
// its role credentials come from: when it expires, and whether the AWS SDK
// can renew it with its refresh token or only a sign-in can. A token that
// is missing or expired for good fails, unless the credentials check found
// role credentials cached from it: git then works until they expire. A
// token that only a sign-in renews warns an hour before it expires; one
// with a refresh token does not, since its access token lives about an
// hour and is renewed without the user.
//
// The check is skipped for profiles without IAM Identity Center settings,
// and for configurations that do not load: the credentials check reports
// those.
func (d *doctor) checkSSOToken(ctx context.Context) []Check {
	if d.credsOK && d.creds.Source == config.CredentialsSourceName {
		return []Check{skip("sso", "the credentials come from keys in the environment, not from IAM Identity Center")}
	}
	s, err := login.FindSession(ctx, d.flags.Profile, "")
	if err != nil {
		why := "no IAM Identity Center session found for the profile"
		if e := failure.As(err); e != nil {
			why = e.Finding()
		}
		return []Check{skip("sso", why)}
	}
	path, err := s.CacheFile()
	if err != nil {
		return []Check{skip("sso", "no IAM Identity Center token file for "+s.String())}
	}
	return []Check{ssoTokenCheck(ctx, s, path, d.creds, d.credsOK, d.o.Now())}
}

// ssoTokenCheck checks the token of session s, in the file path, at now.
func ssoTokenCheck(ctx context.Context, s login.Session, path string, creds awscreds.Resolved, credsOK bool, now time.Time) Check {
	fix := s.LoginCommand()
	bad := func(detail string) Check {
		if credsOK && creds.CanExpire {
			return warn("sso", detail+fmt.Sprintf("; git works with role credentials cached from it until %s", creds.Expires.UTC().Format(time.RFC3339)), fix)
		}
		return fail("sso", detail, fix)
	}
	what := fmt.Sprintf("the IAM Identity Center token of %s", s)
	t, err := ssotoken.Read(path)
	redact.FromContext(ctx).Add(t.Secrets()...)
	left := t.ExpiresAt.Sub(now)
	at := t.ExpiresAt.UTC().Format(time.RFC3339)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return bad(fmt.Sprintf("%s is missing: no %s", what, path))
	case err != nil:
		return bad(fmt.Sprintf("%s cannot be read (%s)", what, failure.OneLine(err)))
	case t.CanRefresh(now) && left > 0:
		return ok("sso", fmt.Sprintf("%s expires at %s, in %s; the AWS SDK renews it with its refresh token", what, at, roundDuration(left)))
	case t.CanRefresh(now) && credsOK:
		return ok("sso", fmt.Sprintf("%s expired at %s; the AWS SDK renews it with its refresh token when it is next used", what, at))
	case t.CanRefresh(now):
		// The credentials check tried the refresh token, and it failed.
		return bad(fmt.Sprintf("%s expired at %s, and its refresh token did not renew it", what, at))
	case left <= 0:
		return bad(fmt.Sprintf("%s expired at %s, and only a sign-in renews it", what, at))
	case left < ssoTokenWarn:
		return warn("sso", fmt.Sprintf("%s expires at %s, in %s, and only a sign-in renews it", what, at, roundDuration(left)), fix)
	}
	return ok("sso", fmt.Sprintf("%s expires at %s, in %s; only a sign-in renews it", what, at, roundDuration(left)))
}

// roundDuration is d to the minute, without the trailing "0s" (1h5m), or to
// the second below a minute.
func roundDuration(d time.Duration) string {
	if d < time.Minute {
		return d.Round(time.Second).String()
	}
	return strings.TrimSuffix(d.Round(time.Minute).String(), "0s")
}

// configuredRegion returns region when it is set, else the region the AWS
// configuration names for profile (the SDK's choice when empty), or "".
func configuredRegion(ctx context.Context, profile, region string) string {
	if region != "" {
		return region
	}
	cfg, err := awsconfig.Load(ctx, profile)
	if err != nil {
		return ""
	}
	return cfg.Region("", "")
}

// checkRegion checks the region of the URL the url check found, against
// the credentials' or, without them, the configured one.
func (d *doctor) checkRegion(ctx context.Context) []Check {
	hostRegion := urlRegion(d.target)
	if hostRegion == "" {
		return []Check{skip("region", "no CodeCommit URL to check")}
	}
	configured := d.creds.Region
	if !d.credsOK {
		configured = configuredRegion(ctx, d.flags.Profile, d.flags.Region)
	}
	return []Check{checkRegion(hostRegion, configured)}
}

// checkRegion reports the region passwords are signed for, which every
// CodeCommit host name carries, and the region of the AWS calls that get
// credentials (STS, IAM Identity Center) when another one is configured.
func checkRegion(hostRegion, configured string) Check {
	detail := hostRegion + ", from the host name"
	if configured != "" && configured != hostRegion {
		detail += "; AWS calls for credentials use " + configured + ", the configured region"
	}
	return ok("region", detail)
}
