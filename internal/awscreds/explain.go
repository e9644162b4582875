package awscreds

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/awsconfig"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/credcache"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/redact"
)

// fault is a failure of the SDK's chain, as explain's rules read it.
type fault struct {
	err     error // scrubbed: its text never holds what a process printed
	cause   string
	sources []aws.CredentialSource
	cfg     awsconfig.Config
	secrets *redact.Set
}

// has reports whether the chain went through any of sources.
func (f fault) has(sources ...aws.CredentialSource) bool {
	return slices.ContainsFunc(f.sources, func(s aws.CredentialSource) bool { return slices.Contains(sources, s) })
}

// sts reports whether the chain assumes a role and STS answered with an
// API error: that pins the failure on the role itself.
func (f fault) sts() bool {
	return f.has(aws.CredentialSourceSTSAssumeRole) && isAPIError(f.err, "STS")
}

// says is the *Error of problem and fix, with f's cause and error.
func (f fault) says(problem, fix string) *Error {
	return &Error{Problem: problem, Cause: f.cause, Fix: fix, Err: f.err}
}

// rule is one case of explain: the first rule whose when holds says what
// failed.
type rule struct {
	name string
	when func(fault) bool
	say  func(fault) *Error
}

// rules are explain's cases, checked in this order, which matters:
//
//  1. failures that are not the chain's own come first: another process's
//     failure it shares, a profile that does not exist, a deadline (a
//     chain that runs a process, or not), but not instance metadata's own
//     time-out (instanceMetadata);
//  2. then, in a chain of several steps, the step that talks to STS last
//     (an API error of STS pins the failure on the role), then the first
//     source, from the most specific to the least: web identity, IAM
//     Identity Center, console sign-in, container, process, instance metadata named by
//     credential_source, instance metadata as the SDK's last resort;
//  3. then a role whose source failed without an STS answer, and last
//     anything else.
//
// TestExplainRules has a case for each rule that the rules before it do
// not catch.
func rules() []rule {
	has := func(s ...aws.CredentialSource) func(fault) bool { return func(f fault) bool { return f.has(s...) } }
	return []rule{
		{"shared", func(f fault) bool { return errors.As(f.err, new(*credcache.SharedFailure)) },
			func(f fault) *Error {
				var shared *credcache.SharedFailure
				errors.As(f.err, &shared)
				return &Error{Problem: shared.Message, Err: f.err} // another process's line, as it reported it
			}},
		{"no such profile", func(f fault) bool { return errors.As(f.err, new(config.SharedConfigProfileNotExistError)) },
			func(f fault) *Error {
				var notExist config.SharedConfigProfileNotExistError
				errors.As(f.err, &notExist)
				return awsconfig.ProfileNotFound(notExist.Profile, f.cfg.ConfigFile, f.cfg.CredentialsFile)
			}},
		{"process deadline", func(f fault) bool {
			return errors.Is(f.err, context.DeadlineExceeded) && f.has(aws.CredentialSourceProcess)
		}, func(f fault) *Error {
			return &Error{Problem: fmt.Sprintf("credential_process of profile %q did not finish in time", f.cfg.Profile), Fix: "run it by hand to see why", Err: f.err}
		}},
		{"deadline", func(f fault) bool {
			return errors.Is(f.err, context.DeadlineExceeded) && !errors.As(f.err, new(unanswered))
		}, func(f fault) *Error {
			return f.says(fmt.Sprintf("timed out getting AWS credentials for profile %q", f.cfg.Profile), "check the network path to AWS and retry")
		}},
		{"STS throttles", func(f fault) bool { return f.sts() && transient(f.err) }, func(f fault) *Error {
			return f.says(fmt.Sprintf("assuming the role of profile %q failed", f.cfg.Profile), "STS is throttling or failing: retry in a minute")
		}},
		{"STS refuses", fault.sts, func(f fault) *Error {
			return f.says(fmt.Sprintf("assuming the role of profile %q failed", f.cfg.Profile), "check role_arn and that the source credentials may assume it")
		}},
		{"web identity", has(aws.CredentialSourceEnvVarsSTSWebIDToken, aws.CredentialSourceProfileSTSWebIDToken), func(f fault) *Error {
			return f.says(fmt.Sprintf("assuming a role with a web identity token failed for profile %q", f.cfg.Profile), "check AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE and the role's trust policy")
		}},
		{"SSO refuses the role", func(f fault) bool {
			return f.has(aws.CredentialSourceSSO, aws.CredentialSourceSSOLegacy) && isAPIError(f.err, "SSO") && !isAPIError(f.err, "SSO", "UnauthorizedException")
		}, func(f fault) *Error {
			return f.says(fmt.Sprintf("IAM Identity Center (SSO) refused role credentials for profile %q", f.cfg.Profile), "check sso_account_id and sso_role_name")
		}},
		{"SSO session", has(aws.CredentialSourceSSO, aws.CredentialSourceSSOLegacy), func(f fault) *Error {
			return ssoExpired(f.cfg.Profile, f.cause, f.err)
		}},
		{"console sign-in", has(aws.CredentialSourceLogin), func(f fault) *Error {
			return f.says(fmt.Sprintf("the console sign-in session of profile %q has expired or is missing", f.cfg.Profile), "run: "+ConsoleLoginCommand(f.cfg.Profile))
		}},
		{"container", has(aws.CredentialSourceHTTP), func(f fault) *Error {
			return f.says("no credentials from the container endpoint", "check AWS_CONTAINER_CREDENTIALS_*_URI, its token and the task's role")
		}},
		{"process", has(aws.CredentialSourceProcess), func(f fault) *Error {
			return f.says(fmt.Sprintf("credential_process of profile %q failed", f.cfg.Profile), "run it by hand to see why")
		}},
		{"instance metadata named", func(f fault) bool {
			return f.has(aws.CredentialSourceIMDS) && f.has(aws.CredentialSourceProfileNamedProvider)
		}, func(f fault) *Error {
			return f.says(fmt.Sprintf("EC2 instance metadata gave no credentials for profile %q", f.cfg.Profile), "check the instance's IAM role and that IMDS is reachable")
		}},
		// The SDK falls back to IMDS only when nothing else is configured.
		{"nothing configured", has(aws.CredentialSourceIMDS), func(f fault) *Error {
			return noCredentials(f.secrets, f.cfg.Profile, f.err)
		}},
		{"role", has(aws.CredentialSourceSTSAssumeRole), func(f fault) *Error {
			return f.says(fmt.Sprintf("assuming the role of profile %q failed", f.cfg.Profile), "check role_arn, source_profile and the network path to STS")
		}},
		{"anything else", func(fault) bool { return true }, func(f fault) *Error {
			return f.says(fmt.Sprintf("cannot get AWS credentials for profile %q", f.cfg.Profile), "check it with: aws configure list --profile "+f.cfg.Profile)
		}},
	}
}

// explain turns an SDK error into an *Error: what failed, a short reason,
// and what to do, by the first of rules that holds. sources are those of
// the chain that failed (none when it could not be built).
func explain(err error, secrets *redact.Set, cfg awsconfig.Config, sources []aws.CredentialSource) *Error {
	f := fault{err: scrubbed{err}, cause: shortCause(secrets, err), sources: sources, cfg: cfg, secrets: secrets}
	rs := rules()
	for _, r := range rs {
		if r.when(f) {
			return r.say(f)
		}
	}
	return rs[len(rs)-1].say(f) // not reached: the last rule holds for every fault
}
