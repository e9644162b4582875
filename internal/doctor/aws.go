package doctor

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/git-credential-codecommit/git-credential-codecommit/helper"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/awsconfig"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/awscreds"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/login"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/redact"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/ssotoken"
)

// checkCredentials resolves AWS credentials as the helper would and reports
// their source, access key id and expiry, never their secrets.
func checkCredentials(ctx context.Context, f helper.Getter, hostRegion string) (Check, awscreds.Resolved, bool) {
	ctx, cancel := context.WithTimeout(ctx, credentialsTimeout)
	defer cancel()
	c, err := awscreds.Resolve(ctx, awscreds.Options{Profile: f.Profile, Region: f.Region, DefaultRegion: hostRegion})
	if err != nil {
		var e *awscreds.Error
		if errors.As(err, &e) {
			return fail("credentials", e.Finding(), strings.TrimPrefix(e.Fix, "run: ")), c, false
		}
		return fail("credentials", err.Error(), ""), c, false
	}
	redact.FromContext(ctx).Add(c.SecretAccessKey, c.SessionToken)
	detail := fmt.Sprintf("access key id %s from %s", c.AccessKeyID, c.Source)
	if f.Profile != "" {
		detail += fmt.Sprintf(", profile %q", c.Profile)
	}
	left := time.Until(c.Expires)
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
// Profiles without IAM Identity Center settings get no check (ok is
// false), nor do configurations that do not load: the credentials check
// reports those.
func checkSSOToken(ctx context.Context, profile string, creds awscreds.Resolved, credsOK bool) (c Check, checked bool) {
	if credsOK && creds.Source == config.CredentialsSourceName {
		return Check{}, false // keys in the environment beat the profile named by AWS_PROFILE
	}
	s, err := login.FindSession(ctx, profile, "")
	if err != nil {
		return Check{}, false
	}
	path, err := s.CacheFile()
	if err != nil {
		return Check{}, false
	}
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
	now := time.Now()
	left := t.ExpiresAt.Sub(now)
	at := t.ExpiresAt.UTC().Format(time.RFC3339)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return bad(fmt.Sprintf("%s is missing: no %s", what, path)), true
	case err != nil:
		return bad(fmt.Sprintf("%s cannot be read (%s)", what, oneLine(err))), true
	case t.CanRefresh(now) && left > 0:
		return ok("sso", fmt.Sprintf("%s expires at %s, in %s; the AWS SDK renews it with its refresh token", what, at, roundDuration(left))), true
	case t.CanRefresh(now) && credsOK:
		return ok("sso", fmt.Sprintf("%s expired at %s; the AWS SDK renews it with its refresh token when it is next used", what, at)), true
	case t.CanRefresh(now):
		// The credentials check tried the refresh token, and it failed.
		return bad(fmt.Sprintf("%s expired at %s, and its refresh token did not renew it", what, at)), true
	case left <= 0:
		return bad(fmt.Sprintf("%s expired at %s, and only a sign-in renews it", what, at)), true
	case left < ssoTokenWarn:
		return warn("sso", fmt.Sprintf("%s expires at %s, in %s, and only a sign-in renews it", what, at, roundDuration(left)), fix), true
	}
	return ok("sso", fmt.Sprintf("%s expires at %s, in %s; only a sign-in renews it", what, at, roundDuration(left))), true
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
func configuredRegion(profile, region string) string {
	if region != "" {
		return region
	}
	cfg, err := awsconfig.Load(context.Background(), profile)
	if err != nil {
		return ""
	}
	return cfg.Region("", "")
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

// checkOnline asks STS who the credentials are, and compares the local
// clock with the Date of STS's answer.
func checkOnline(ctx context.Context, c awscreds.Resolved, profile string) []Check {
	ctx, cancel := context.WithTimeout(ctx, stsTimeout)
	defer cancel()
	region := c.Region
	if region == "" {
		region = "us-east-1"
	}
	opts := []func(*config.LoadOptions) error{
		config.WithRegion(region),
		config.WithCredentialsProvider(aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return c.Credentials, nil
		})),
	}
	if profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(profile))
	}
	// LoadDefaultConfig, rather than a bare aws.Config, so that
	// AWS_ENDPOINT_URL_STS and the profile's endpoint settings apply.
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return []Check{fail("identity", fmt.Sprintf("cannot load the AWS configuration: %s", oneLine(err)), "")}
	}
	out, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	received := time.Now()
	var (
		checks []Check
		raw    *smithyhttp.Response
	)
	if err != nil {
		var re *smithyhttp.ResponseError
		if errors.As(err, &re) {
			raw = re.Response
		}
		checks = append(checks, fail("identity", fmt.Sprintf("STS GetCallerIdentity failed with these credentials (%s)", oneLine(err)), stsFix(err)))
	} else {
		raw, _ = awsmiddleware.GetRawResponse(out.ResultMetadata).(*smithyhttp.Response)
		checks = append(checks, ok("identity", fmt.Sprintf("%s (account %s)", aws.ToString(out.Arn), aws.ToString(out.Account))))
	}
	if raw == nil || raw.Response == nil || raw.StatusCode == 0 {
		return checks // no answer came
	}
	date, err := http.ParseTime(raw.Header.Get("Date"))
	if err != nil {
		return append(checks, warn("clock", "cannot compare the clock with AWS's: STS's answer has no valid Date header", ""))
	}
	return append(checks, clockCheck(received, date))
}

// oneLine puts err's text on one line.
func oneLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}

// stsFix says what to do about a failed GetCallerIdentity.
func stsFix(err error) string {
	var api smithy.APIError
	if errors.As(err, &api) {
		switch api.ErrorCode() {
		case "ExpiredToken", "ExpiredTokenException":
			return "renew the credentials: they have expired"
		case "InvalidClientTokenId", "UnrecognizedClientException":
			return "AWS does not know these credentials: check them with aws configure list, and renew them"
		case "SignatureDoesNotMatch":
			return "check the secret key, and that the clock is right"
		}
	}
	return "check the network path to STS (proxies, AWS_ENDPOINT_URL_STS) and retry"
}

// clockCheck compares the local time an answer arrived with the Date AWS
// sent, which has whole seconds.
func clockCheck(local, awsDate time.Time) Check {
	skew := local.Sub(awsDate)
	way := "ahead of"
	if skew < 0 {
		skew, way = -skew, "behind"
	}
	if skew < 2*time.Second {
		return ok("clock", "the local clock agrees with AWS's")
	}
	detail := fmt.Sprintf("the local clock is %s %s AWS's", skew.Round(time.Second), way)
	const fix = "set the clock right, and keep it so with NTP (for example: timedatectl set-ntp true)"
	switch {
	case skew > skewFail:
		return fail("clock", detail+": passwords carry the local time, and CodeCommit refuses them when it is more than about 15 minutes off", fix)
	case skew > skewWarn:
		return warn("clock", detail+": passwords carry the local time, and their 15 minutes run shorter", fix)
	}
	return ok("clock", detail)
}
