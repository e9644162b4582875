package awscreds

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/processcreds"
	"github.com/aws/aws-sdk-go-v2/credentials/ssocreds"
	"github.com/aws/smithy-go"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/credcache"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/failure"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/redact"
)

// Error is a failure to get AWS credentials or to read the AWS
// configuration: the program's one error type (internal/failure).
type Error = failure.Error

// scrubbed is an SDK error whose text is scrub's: what --debug shows of it
// (Error.Detail) never holds what a credential process printed.
type scrubbed struct{ err error }

func (s scrubbed) Error() string { return scrub(nil, s.err) }
func (s scrubbed) Unwrap() error { return s.err }

// ProfileNotFound is the error for a named profile that is in neither
// file the SDK read.
func ProfileNotFound(profile, configFile, credentialsFile string) *Error {
	return &Error{
		Problem: fmt.Sprintf("AWS profile %q does not exist in %s or %s", profile, configFile, credentialsFile),
		Fix:     "check its name, or create it: aws configure --profile " + profile,
	}
}

// NoRegion is the error for a profile with no region where one is needed;
// also says what else gives one ("pass --region", …).
func NoRegion(profile, also string) *Error {
	fix := "set AWS_REGION, or region in the profile"
	if also != "" {
		fix += ", or " + also
	}
	return &Error{Problem: fmt.Sprintf("no AWS region is set for profile %q", profile), Fix: fix}
}

// LoginCommand is the command that signs in to the IAM Identity Center
// session of profile.
func LoginCommand(profile string) string {
	return "git-credential-codecommit login --profile " + profile
}

// ssoExpired is the error for an IAM Identity Center session whose token
// has expired or was never there.
func ssoExpired(profile, cause string, err error) *Error {
	return &Error{
		Problem: fmt.Sprintf("the SSO session of profile %q has expired or is missing", profile),
		Cause:   cause,
		Fix:     "run: " + LoginCommand(profile),
		Err:     err,
	}
}

// explain turns an SDK error into an *Error: what failed, a short reason,
// and what to do. A chain such as SSO -> AssumeRole lists every step; the
// checks run from the step that talks to STS last back to the first source,
// and an API error of STS pins the failure on the role itself.
func explain(err error, cfg Config, sources []aws.CredentialSource) *Error {
	profile := cfg.Profile
	cause := shortCause(cfg.secrets, err)
	err = scrubbed{err}
	e := func(problem, fix string) *Error {
		return &Error{Problem: problem, Cause: cause, Fix: fix, Err: err}
	}
	var (
		notExist config.SharedConfigProfileNotExistError
		shared   *credcache.SharedFailure
	)
	if errors.As(err, &shared) {
		return &Error{Problem: shared.Message, Err: err} // another process's line, as it reported it
	}
	if errors.As(err, &notExist) {
		return ProfileNotFound(notExist.Profile, cfg.ConfigFile, cfg.CredentialsFile)
	}
	has := func(want ...aws.CredentialSource) bool {
		for _, s := range sources {
			for _, w := range want {
				if s == w {
					return true
				}
			}
		}
		return false
	}
	if errors.Is(err, context.DeadlineExceeded) {
		if has(aws.CredentialSourceProcess) {
			return &Error{Problem: fmt.Sprintf("credential_process of profile %q did not finish in time", profile), Fix: "run it by hand to see why", Err: err}
		}
		return e(fmt.Sprintf("timed out getting AWS credentials for profile %q", profile), "check the network path to AWS and retry")
	}
	switch {
	case has(aws.CredentialSourceSTSAssumeRole) && isAPIError(err, "STS") && transient(err):
		return e(fmt.Sprintf("assuming the role of profile %q failed", profile), "STS is throttling or failing: retry in a minute")
	case has(aws.CredentialSourceSTSAssumeRole) && isAPIError(err, "STS"):
		return e(fmt.Sprintf("assuming the role of profile %q failed", profile), "check role_arn and that the source credentials may assume it")
	case has(aws.CredentialSourceEnvVarsSTSWebIDToken, aws.CredentialSourceProfileSTSWebIDToken):
		return e(fmt.Sprintf("assuming a role with a web identity token failed for profile %q", profile), "check AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE and the role's trust policy")
	case has(aws.CredentialSourceSSO, aws.CredentialSourceSSOLegacy):
		if isAPIError(err, "SSO") && !isAPIError(err, "SSO", "UnauthorizedException") {
			return e(fmt.Sprintf("IAM Identity Center (SSO) refused role credentials for profile %q", profile), "check sso_account_id and sso_role_name")
		}
		return ssoExpired(profile, cause, err)
	case has(aws.CredentialSourceHTTP):
		return e("no credentials from the container endpoint", "check AWS_CONTAINER_CREDENTIALS_*_URI, its token and the task's role")
	case has(aws.CredentialSourceProcess):
		return e(fmt.Sprintf("credential_process of profile %q failed", profile), "run it by hand to see why")
	case has(aws.CredentialSourceIMDS) && has(aws.CredentialSourceProfileNamedProvider):
		return e(fmt.Sprintf("EC2 instance metadata gave no credentials for profile %q", profile), "check the instance's IAM role and that IMDS is reachable")
	case has(aws.CredentialSourceIMDS):
		// The SDK falls back to IMDS only when nothing else is configured.
		return noCredentials(cfg.secrets, profile, err)
	case has(aws.CredentialSourceSTSAssumeRole):
		return e(fmt.Sprintf("assuming the role of profile %q failed", profile), "check role_arn, source_profile and the network path to STS")
	}
	return e(fmt.Sprintf("cannot get AWS credentials for profile %q", profile), "check it with: aws configure list --profile "+profile)
}

// noCredentials is the error for a chain that found nothing: no keys in the
// environment, nothing in the profile, and instance metadata, the SDK's
// last resort, gave none.
func noCredentials(secrets *redact.Set, profile string, err error) *Error {
	imds := shortCause(secrets, err)
	if v, _ := strconv.ParseBool(os.Getenv("AWS_EC2_METADATA_DISABLED")); v {
		imds = "disabled"
	}
	return &Error{
		Problem: "no AWS credentials",
		Cause:   fmt.Sprintf("not in the environment or profile %q; EC2 metadata: %s", profile, imds),
		Fix:     "run: aws configure, or git-credential-codecommit login",
		Err:     err,
	}
}

// isAPIError reports whether err is an operation error of service whose
// API error code is one of codes (any code when none are given).
func isAPIError(err error, service string, codes ...string) bool {
	var op *smithy.OperationError
	if !errors.As(err, &op) || op.ServiceID != service {
		return false
	}
	if len(codes) == 0 {
		return true
	}
	var api smithy.APIError
	if !errors.As(err, &api) {
		return false
	}
	for _, c := range codes {
		if api.ErrorCode() == c {
			return true
		}
	}
	return false
}

// maxCause bounds a cause taken from the SDK's own words: messages stay
// one short line, and --debug shows the whole.
const maxCause = 60

// shortCause says in a few words why the SDK failed: an API error's code
// and short message, a network failure's kind, or the start of the SDK's
// text.
func shortCause(secrets *redact.Set, err error) string {
	var (
		api smithy.APIError
		dns *net.DNSError
		op  *net.OpError
		pe  *processcreds.ProviderError
		it  *ssocreds.InvalidTokenError
	)
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return "timed out"
	case errors.As(err, &it) && it.Err == nil:
		return "the cached token has expired"
	case errors.As(err, &pe) && strings.Contains(pe.Error(), "parse failed of process output"):
		return "its output is not the JSON credential_process must print"
	case errors.As(err, &api):
		if m := oneLine(errors.New(api.ErrorMessage())); m != "" && len(m) <= maxCause {
			return api.ErrorCode() + ": " + secrets.String(m)
		}
		return api.ErrorCode()
	case errors.As(err, &dns):
		return "cannot resolve " + dns.Name
	case errors.As(err, &op) && op.Op == "dial" && op.Addr != nil:
		why := op.Err
		var sys *os.SyscallError
		if errors.As(why, &sys) {
			why = sys.Err
		}
		return fmt.Sprintf("%s: %s", op.Addr, oneLine(why))
	case errors.As(err, &op):
		return oneLine(op.Err)
	case errors.Is(err, fs.ErrNotExist) && ssoTokenError(err):
		return "no cached token: not signed in on this machine"
	case strings.Contains(err.Error(), "cannot be refreshed") && ssoTokenError(err):
		return "the cached token has expired, and cannot be refreshed"
	}
	s := scrub(secrets, err)
	if len(s) > maxCause {
		s = strings.TrimSpace(s[:maxCause]) + "…"
	}
	return s
}

// ssoTokenError reports whether err came from the SDK's IAM Identity
// Center token provider, whose errors are plain text.
func ssoTokenError(err error) bool {
	return strings.Contains(err.Error(), "SSO token")
}

// oneLine renders err on one line.
func oneLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}

// scrub renders err on one line for a message: without what a credential
// process printed, which may hold secrets the process never handed over
// (so redact cannot know them), and with every secret of the request
// redacted (internal/redact).
func scrub(secrets *redact.Set, err error) string {
	var pe *processcreds.ProviderError
	if errors.As(err, &pe) && strings.Contains(pe.Error(), "parse failed of process output") {
		return "its output is not the JSON credential_process must print"
	}
	var it *ssocreds.InvalidTokenError
	if errors.As(err, &it) && it.Err == nil {
		return "the cached token has expired"
	}
	s := oneLine(err)
	s = strings.TrimPrefix(s, "failed to refresh cached credentials, ")
	return secrets.String(s)
}
