// Package awscreds resolves AWS credentials through the standard chain of
// aws-sdk-go-v2 (environment, shared config profiles, IAM Identity Center,
// assume-role, web identity, container and instance metadata) and turns its
// failures into one line that says what to do.
package awscreds

import (
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/processcreds"
	"github.com/aws/aws-sdk-go-v2/credentials/ssocreds"
	"github.com/aws/smithy-go"
)

// Options select where credentials come from.
type Options struct {
	// Profile names the shared config profile. Empty lets the SDK choose:
	// AWS_PROFILE, then "default". A profile named here beats credentials in
	// the environment, as it does for the AWS CLI's --profile.
	Profile string
	// Region, when set, overrides every configured region.
	Region string
	// DefaultRegion is used when nothing configures a region, so that
	// role-based sources (STS, SSO) work without one.
	DefaultRegion string
	// NoCache turns off the cache of role credentials shared by all
	// processes of the user (see cache.go).
	NoCache bool
	// Debugf, when set, is told what the cache does.
	Debugf func(format string, args ...any)
}

// Resolved is the outcome of a successful Resolve.
type Resolved struct {
	aws.Credentials
	// Region is the region the configuration resolved to; it may be empty.
	Region string
	// Profile is the shared config profile that was used.
	Profile string
}

// Resolve loads the shared configuration and retrieves credentials.
//
// Credentials in the environment are returned without any network call.
// Errors are safe to print: they carry no secret and end with what to do.
func Resolve(ctx context.Context, o Options) (Resolved, error) {
	if r, ok := o.fromEnvironment(); ok {
		return r, nil
	}
	c := o.cache()
	if r, ok := o.fromCache(ctx, c); ok {
		return r, nil
	}
	var opts []func(*config.LoadOptions) error
	if o.Profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(o.Profile))
	}
	if o.Region != "" {
		opts = append(opts, config.WithRegion(o.Region))
	} else if o.DefaultRegion != "" {
		opts = append(opts, config.WithDefaultRegion(o.DefaultRegion))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return Resolved{}, explain(err, profileName(o.Profile, nil), nil)
	}
	profile := profileName(o.Profile, cfg.ConfigSources)
	if cfg.Credentials == nil {
		return Resolved{}, explain(errors.New("no credential provider"), profile, nil)
	}
	var sources []aws.CredentialSource
	if ps, ok := cfg.Credentials.(aws.CredentialProviderSource); ok {
		sources = ps.ProviderSources()
	}
	creds, err := o.retrieve(ctx, c, cfg, sources)
	if err != nil {
		return Resolved{}, explain(err, profile, sources)
	}
	if !creds.HasKeys() {
		return Resolved{}, fmt.Errorf("the credentials of profile %q have no access key id or no secret key; check them with: aws configure list --profile %s", profile, profile)
	}
	return Resolved{Credentials: creds, Region: cfg.Region, Profile: profile}, nil
}

// fromEnvironment answers keys in the environment without loading the
// shared configuration, when that cannot change the answer: no profile is
// named (the SDK would then prefer the profile, or fail on a missing one),
// and the region is known without the profile's. The SDK takes such keys
// before any other source, with no network call; LoadDefaultConfig would
// still read both config files and parse AWS_CA_BUNDLE, which costs
// milliseconds on every git authentication in a CI job that sets it.
func (o Options) fromEnvironment() (Resolved, bool) {
	if o.Profile != "" || os.Getenv("AWS_PROFILE") != "" || os.Getenv("AWS_DEFAULT_PROFILE") != "" {
		return Resolved{}, false
	}
	env, err := config.NewEnvConfig()
	if err != nil || !env.Credentials.HasKeys() {
		return Resolved{}, false
	}
	region := o.Region
	if region == "" {
		region = env.Region
	}
	if region == "" {
		return Resolved{}, false
	}
	return Resolved{Credentials: env.Credentials, Region: region, Profile: "default"}, true
}

// cache returns the credential cache, or nil when it is off or there is
// no cache directory.
func (o Options) cache() *cache {
	if o.NoCache {
		return nil
	}
	debugf := o.Debugf
	if debugf == nil {
		debugf = func(string, ...any) {}
	}
	dir, err := defaultCacheDir()
	if err != nil {
		debugf("cache: no cache directory (%v), going on uncached", err)
		return nil
	}
	return &cache{dir: dir, now: time.Now, debugf: debugf}
}

// fromCache answers from the cache without building the SDK's credential
// chain: the profile's settings and the environment name the entry, and an
// entry exists only if a full resolution of the same settings wrote it, so
// only for sources that fetch. Keys in the environment come first for the
// SDK unless a profile is named, and are never cached: then there is nothing
// to look up.
func (o Options) fromCache(ctx context.Context, c *cache) (Resolved, bool) {
	if c == nil {
		return Resolved{}, false
	}
	env, err := config.NewEnvConfig()
	if err != nil || env.Credentials.HasKeys() && o.Profile == "" {
		return Resolved{}, false
	}
	sc, profile, err := LoadProfile(ctx, env, o.Profile)
	if err != nil {
		return Resolved{}, false // the full resolution explains it
	}
	creds, ok := c.load(credentialKey(&sc))
	if !ok {
		return Resolved{}, false
	}
	c.debugf("cache: answered without building the credential chain")
	// The region as LoadDefaultConfig orders it.
	region := o.Region
	for _, r := range []string{env.Region, sc.Region, o.DefaultRegion} {
		if region == "" {
			region = r
		}
	}
	return Resolved{Credentials: creds, Region: region, Profile: profile}, true
}

// LoadProfile loads the shared config profile named name, else the one
// LoadDefaultConfig would pick (AWS_PROFILE, else "default"), from the files
// it would read (AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE, else
// ~/.aws/config and ~/.aws/credentials), and returns it with its name. A
// missing profile is a config.SharedConfigProfileNotExistError when it was
// named, and an empty profile otherwise, as LoadDefaultConfig takes it.
func LoadProfile(ctx context.Context, env config.EnvConfig, name string) (config.SharedConfig, string, error) {
	if name == "" {
		name = env.SharedConfigProfile
	}
	named := name != ""
	if !named {
		name = "default"
	}
	sc, err := config.LoadSharedConfigProfile(ctx, name, func(lo *config.LoadSharedConfigOptions) {
		if env.SharedConfigFile != "" {
			lo.ConfigFiles = []string{env.SharedConfigFile}
		}
		if env.SharedCredentialsFile != "" {
			lo.CredentialsFiles = []string{env.SharedCredentialsFile}
		}
	})
	var notExist config.SharedConfigProfileNotExistError
	if errors.As(err, &notExist) && !named {
		return config.SharedConfig{}, name, nil
	}
	return sc, name, err
}

// retrieve gets cfg's credentials through the cache c, when c is not nil
// and the sources fetch them.
func (o Options) retrieve(ctx context.Context, c *cache, cfg aws.Config, sources []aws.CredentialSource) (aws.Credentials, error) {
	if c == nil || !fetches(sources) {
		return cfg.Credentials.Retrieve(ctx)
	}
	return c.retrieve(ctx, credentialKey(sharedConfig(cfg)), ssoSession(sharedConfig(cfg), sources), func(ctx context.Context) (aws.Credentials, error) {
		if home, err := os.UserHomeDir(); err == nil {
			if f := awsCLICacheFile(home, sharedConfig(cfg), sources); f != "" {
				if creds, ok := readAWSCLICache(f, c.now()); ok {
					c.debugf("cache: using the AWS CLI's %s", f)
					return creds, nil
				}
			}
		}
		return cfg.Credentials.Retrieve(ctx)
	})
}

// ssoSession names the IAM Identity Center session of a chain that goes
// through one: the sso-session's name, or a legacy profile's start URL, as
// the token cache names them.
func ssoSession(sc *config.SharedConfig, sources []aws.CredentialSource) string {
	if !slices.Contains(sources, aws.CredentialSourceSSO) && !slices.Contains(sources, aws.CredentialSourceSSOLegacy) {
		return ""
	}
	for p := sc; p != nil; p = p.Source {
		if p.SSOSessionName != "" {
			return p.SSOSessionName
		}
		if p.SSOStartURL != "" {
			return p.SSOStartURL
		}
	}
	return ""
}

// profileName is the profile the SDK used: the one asked for, else the one
// the loaded shared config names, else AWS_PROFILE, else "default".
func profileName(asked string, sources []any) string {
	if asked != "" {
		return asked
	}
	for _, s := range sources {
		if sc, ok := s.(config.SharedConfig); ok && sc.Profile != "" {
			return sc.Profile
		}
	}
	for _, k := range []string{"AWS_PROFILE", "AWS_DEFAULT_PROFILE"} {
		if p := os.Getenv(k); p != "" {
			return p
		}
	}
	return "default"
}

// explain turns an SDK error into one line: what failed, the SDK's reason
// with anything that looks like a secret removed, and what to do.
func explain(err error, profile string, sources []aws.CredentialSource) error {
	reason := scrub(err)

	var notExist config.SharedConfigProfileNotExistError
	if errors.As(err, &notExist) {
		p := notExist.Profile
		return fmt.Errorf("AWS profile %q does not exist in ~/.aws/config or ~/.aws/credentials; check --profile and AWS_PROFILE, or create it with: aws configure --profile %s", p, p)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("timed out getting AWS credentials for profile %q (%s); check the network path to AWS and retry", profile, reason)
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
	// A chain such as SSO -> AssumeRole lists every step; the checks run
	// from the step that talks to STS last back to the first source, and an
	// API error of STS pins the failure on the role itself.
	switch {
	case has(aws.CredentialSourceSTSAssumeRole) && isAPIError(err, "STS"):
		return fmt.Errorf("assuming the role of profile %q failed (%s); check role_arn and that the source credentials may assume it", profile, reason)
	case has(aws.CredentialSourceEnvVarsSTSWebIDToken, aws.CredentialSourceProfileSTSWebIDToken):
		return fmt.Errorf("assuming a role with a web identity token failed for profile %q (%s); check AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE and the role's trust policy", profile, reason)
	case has(aws.CredentialSourceSSO, aws.CredentialSourceSSOLegacy):
		if isAPIError(err, "SSO") && !isAPIError(err, "SSO", "UnauthorizedException") {
			return fmt.Errorf("IAM Identity Center (SSO) refused role credentials for profile %q (%s); check sso_account_id and sso_role_name", profile, reason)
		}
		return fmt.Errorf("the IAM Identity Center (SSO) session of profile %q has expired or is missing (%s); run: git-credential-codecommit login --profile %s", profile, reason, profile)
	case has(aws.CredentialSourceHTTP):
		return fmt.Errorf("the container credentials endpoint gave no credentials (%s); check AWS_CONTAINER_CREDENTIALS_FULL_URI or AWS_CONTAINER_CREDENTIALS_RELATIVE_URI, the authorization token, and that the task or build has a role", reason)
	case has(aws.CredentialSourceProcess):
		return fmt.Errorf("credential_process of profile %q failed (%s); run it by hand to see why", profile, reason)
	case has(aws.CredentialSourceIMDS) && has(aws.CredentialSourceProfileNamedProvider):
		return fmt.Errorf("the EC2 instance metadata service gave no credentials for profile %q (%s); check that the instance has an IAM role and that IMDS is reachable", profile, reason)
	case has(aws.CredentialSourceIMDS):
		// The SDK falls back to IMDS only when nothing else is configured.
		return fmt.Errorf("no AWS credentials found: none in the environment, none in profile %q, and none from the EC2 instance metadata service (%s); set AWS_PROFILE, run aws configure or git-credential-codecommit login, or on EC2 attach an instance role", profile, reason)
	case has(aws.CredentialSourceSTSAssumeRole):
		return fmt.Errorf("assuming the role of profile %q failed (%s); check role_arn, source_profile and the network path to STS", profile, reason)
	}
	return fmt.Errorf("cannot get AWS credentials for profile %q (%s); check the profile with: aws configure list --profile %s", profile, reason, profile)
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

// opaqueRun matches runs of the characters secrets are made of.
var opaqueRun = regexp.MustCompile(`[A-Za-z0-9+/=_-]{32,}`)

// scrub renders err on one line, without what a credential process printed
// and with every run that could be a secret replaced, so that no secret
// reaches stderr. A run could be a secret when it is long and mixes upper
// and lower case letters and digits, as secret access keys, session tokens
// and bearer tokens do; hex digests do not. Absolute paths stay, so that a
// message can still name the file it is about.
//
// The SDK is not known to put secrets in its errors except for the output
// of credential_process, handled first; the rest is defence in depth.
func scrub(err error) string {
	var pe *processcreds.ProviderError
	if errors.As(err, &pe) && strings.Contains(pe.Error(), "parse failed of process output") {
		return "its output is not the JSON credential_process must print"
	}
	var it *ssocreds.InvalidTokenError
	if errors.As(err, &it) && it.Err == nil {
		return "the cached token has expired"
	}
	s := strings.Join(strings.Fields(err.Error()), " ")
	s = strings.TrimPrefix(s, "failed to refresh cached credentials, ")
	return opaqueRun.ReplaceAllStringFunc(s, func(run string) string {
		if !strings.HasPrefix(run, "/") &&
			strings.ContainsAny(run, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") &&
			strings.ContainsAny(run, "abcdefghijklmnopqrstuvwxyz") &&
			strings.ContainsAny(run, "0123456789") {
			return "[redacted]"
		}
		return run
	})
}
