// Package awscreds resolves AWS credentials through the standard chain of
// aws-sdk-go-v2 (environment, shared config profiles, IAM Identity Center,
// assume-role, web identity, container and instance metadata) and explains
// its failures as an *Error: what failed, why, and what to do.
//
// Credentials from sources that fetch them are shared between processes
// through internal/credcache, and those the AWS CLI cached are read through
// internal/awsclicache. internal/awsconfig is the one mirror of the SDK's
// rules for which files, profile, region and source it uses;
// internal/procprovider runs a profile's own credential_process.
package awscreds

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/ec2rolecreds"
	"github.com/aws/aws-sdk-go-v2/credentials/endpointcreds"
	"github.com/aws/aws-sdk-go-v2/credentials/processcreds"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go/logging"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/awsclicache"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/awsconfig"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/credcache"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/procprovider"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/redact"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/safefile"
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
	// processes of the user.
	NoCache bool
	// Debugf, when set, is told what the cache does.
	Debugf func(format string, args ...any)
	// Notef, when set, writes what the cache has to tell the user even
	// when credentials are found (credcache.Cache.Notef).
	Notef func(format string, args ...any)
	// ProcessStderr receives what a profile's credential_process writes on
	// its stderr (its messages, an MFA prompt); nil discards it. The
	// process never gets the caller's stdin (internal/procprovider).
	ProcessStderr io.Writer
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
// Errors are *Error, safe to print: they carry no secret and say what to do.
// The secrets it learns go to the request's (internal/redact, from ctx).
func Resolve(ctx context.Context, o Options) (Resolved, error) {
	if r, ok := o.fromEnvironment(); ok {
		return r, nil
	}
	files, err := awsconfig.Load(ctx, o.Profile)
	if err != nil {
		return Resolved{}, err
	}
	c := o.cache()
	if r, ok := o.fromCache(c, files); ok {
		return r, nil
	}
	if err := o.checkSSOToken(ctx, files); err != nil {
		return Resolved{}, err
	}
	if err := o.checkLoginToken(ctx, files); err != nil {
		return Resolved{}, err
	}
	secrets := redact.FromContext(ctx)
	metadata := &instanceMetadata{debugf: o.Debugf}
	cfg, err := config.LoadDefaultConfig(ctx, o.loadOptions(ctx, files, metadata)...)
	metadata.cfg = &cfg
	if err == nil && cfg.Credentials == nil {
		err = errors.New("no credential provider")
	}
	if err != nil {
		return Resolved{}, explain(err, secrets, files, nil)
	}
	var sources []aws.CredentialSource
	if ps, ok := cfg.Credentials.(aws.CredentialProviderSource); ok {
		sources = ps.ProviderSources()
	}
	creds, err := o.retrieve(ctx, c, cfg, sources, func(err error) error { return explain(err, secrets, files, sources) })
	if err != nil {
		return Resolved{}, err
	}
	if !creds.HasKeys() {
		return Resolved{}, &Error{
			Problem: fmt.Sprintf("the credentials of profile %q have no access key id or no secret key", files.Profile),
			Fix:     "check them with: aws configure list --profile " + files.Profile,
		}
	}
	return Resolved{Credentials: creds, Region: cfg.Region, Profile: files.Profile}, nil
}

// loadOptions are the options of LoadDefaultConfig for o: the profile and
// region asked for, a credential_process run by internal/procprovider
// (the profile's own, or the one a role is assumed with), metadata as the
// client of instance metadata, token files read by the rules (tokenFile),
// and the SDK's log lines (its warnings) under --debug only.
func (o Options) loadOptions(ctx context.Context, files awsconfig.Config, metadata *instanceMetadata) []func(*config.LoadOptions) error {
	opts := []func(*config.LoadOptions) error{
		config.WithEC2RoleCredentialOptions(func(o *ec2rolecreds.Options) { o.Client = metadata }),
		config.WithLogger(o.sdkLogger()),
	}
	if o.Profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(o.Profile))
	}
	if o.Region != "" {
		opts = append(opts, config.WithRegion(o.Region))
	} else if o.DefaultRegion != "" {
		opts = append(opts, config.WithDefaultRegion(o.DefaultRegion))
	}
	opts = append(opts, config.WithWebIdentityRoleCredentialOptions(func(w *stscreds.WebIdentityRoleOptions) {
		if f, ok := w.TokenRetriever.(stscreds.IdentityTokenFile); ok {
			w.TokenRetriever = tokenFile(f)
		}
	}), config.WithEndpointCredentialOptions(func(e *endpointcreds.Options) {
		if f := os.Getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"); f != "" && e.AuthorizationTokenProvider != nil {
			e.AuthorizationTokenProvider = tokenFile(f)
		}
	}))
	deadline, _ := ctx.Deadline()
	if command, ok := files.DirectProcess(o.Profile != ""); ok {
		opts = append(opts, config.WithCredentialsProvider(procprovider.Provider{Command: command, Deadline: deadline, Stderr: o.ProcessStderr}))
	} else if command, ok := files.ChainedProcess(o.Profile != ""); ok {
		source := aws.NewCredentialsCache(procprovider.Provider{Command: command, Deadline: deadline, Stderr: o.ProcessStderr})
		opts = append(opts, config.WithAssumeRoleCredentialOptions(func(ar *stscreds.AssumeRoleOptions) {
			ar.Client = sourcedByProcess(ar.Client, source)
		}))
	}
	return opts
}

// sdkLogger is where the SDK's clients log: --debug lines, or nowhere. The
// SDK's default is the process's stderr, where a warning such as "falling
// back to IMDSv1" would break the rule of one line per failure.
func (o Options) sdkLogger() logging.Logger {
	if o.Debugf == nil {
		return logging.Nop{}
	}
	return logging.LoggerFunc(func(c logging.Classification, format string, v ...any) {
		o.Debugf("AWS SDK "+string(c)+": "+format, v...)
	})
}

// fromEnvironment answers keys in the environment without loading the
// shared configuration, when that cannot change the answer: the SDK takes
// them (awsconfig.EnvKeysDecide), and the region is known without the
// profile's: asked for, in the environment, or the host's (DefaultRegion),
// which get signs for whatever else is configured. The SDK takes such keys
// with no network call; LoadDefaultConfig would still read both config
// files and parse AWS_CA_BUNDLE, which costs milliseconds on every git
// authentication in a CI job that sets it.
func (o Options) fromEnvironment() (Resolved, bool) {
	env, err := config.NewEnvConfig()
	if err != nil || !awsconfig.EnvKeysDecide(env, o.Profile) {
		return Resolved{}, false
	}
	region := awsconfig.Config{Env: env}.Region(o.Region, o.DefaultRegion)
	if region == "" {
		return Resolved{}, false
	}
	return Resolved{Credentials: env.Credentials, Region: region, Profile: "default"}, true
}

// cache returns the credential cache, or nil when it is off or there is
// no cache directory.
func (o Options) cache() *credcache.Cache {
	if o.NoCache {
		return nil
	}
	c, err := credcache.Open(o.Debugf)
	if err != nil {
		if o.Debugf != nil {
			o.Debugf("cache: no cache directory (%v), going on uncached", err)
		}
		return nil
	}
	c.Transient = transient
	c.Notef = o.Notef
	return c
}

// fromCache answers from the cache without building the SDK's credential
// chain: the profile's settings and the environment name the entry, and an
// entry exists only if a full resolution of the same settings wrote it, so
// only for sources that fetch. Keys in the environment come first for the
// SDK unless a profile is named, and are never cached: then there is nothing
// to look up.
func (o Options) fromCache(c *credcache.Cache, cfg awsconfig.Config) (Resolved, bool) {
	if c == nil || !awsconfig.Fetching(cfg.Sources(o.Profile != "")) {
		return Resolved{}, false
	}
	creds, ok := c.Load(credcache.Key(&cfg.Shared))
	if !ok {
		return Resolved{}, false
	}
	c.Debugf("cache: answered without building the credential chain")
	return Resolved{Credentials: creds, Region: cfg.Region(o.Region, o.DefaultRegion), Profile: cfg.Profile}, true
}

// retrieve gets cfg's credentials through the cache c, when c is not nil
// and the sources fetch them, and turns a failure into an *Error with
// explain. It returns by ctx's deadline whatever the source does: the SDK's
// providers honour the context, but a credential process of a chain the
// SDK runs itself can leave it waiting.
func (o Options) retrieve(ctx context.Context, c *credcache.Cache, cfg aws.Config, sources []aws.CredentialSource, explain func(error) error) (aws.Credentials, error) {
	fetch := func(ctx context.Context) (aws.Credentials, error) {
		creds, err := withDeadline(ctx, cfg.Credentials.Retrieve)
		if err != nil {
			return creds, explain(err)
		}
		return creds, nil
	}
	if c == nil || !awsconfig.Fetching(sources) {
		return fetch(ctx)
	}
	sc := sharedConfig(cfg)
	tag := awsconfig.SSOTokenKey(sc, sources)
	if session := awsconfig.LoginSession(sc, sources); session != "" {
		tag = credcache.LoginTag(session)
	}
	creds, err := c.Retrieve(ctx, credcache.Key(sc), tag, func(ctx context.Context) (aws.Credentials, error) {
		if home, err := os.UserHomeDir(); err == nil && filepath.IsAbs(home) {
			if f := awsclicache.File(home, sc, sources); f != "" {
				if creds, ok := awsclicache.Read(f, c.Now(), c.Debugf); ok {
					c.Debugf("cache: using the AWS CLI's %s", f)
					return creds, nil
				}
			}
		}
		return fetch(ctx)
	})
	var ae *Error
	if err != nil && !errors.As(err, &ae) {
		err = explain(err) // the lock's deadline, or another process's failure
	}
	return creds, err
}

// tokenFile is a web identity or container authorization token file, read
// as safefile.ReadNamed reads: the SDK's own readers take whatever the path
// gives, a link to /dev/zero until memory runs out.
type tokenFile string

// GetIdentityToken implements stscreds.IdentityTokenRetriever.
func (f tokenFile) GetIdentityToken() ([]byte, error) {
	return safefile.ReadNamed(string(f), safefile.MaxSmallFile)
}

// GetToken implements endpointcreds.AuthTokenProvider.
func (f tokenFile) GetToken() (string, error) {
	b, err := f.GetIdentityToken()
	return string(b), err
}

// sourcedByProcess returns the STS client c of a role the SDK assumes, with
// source as its credentials when the SDK would take them from its own
// credential_process provider, which waits for the process's output to
// close rather than for the process to end: the hop of a chain right after
// the process, and no other.
func sourcedByProcess(c stscreds.AssumeRoleAPIClient, source aws.CredentialsProvider) stscreds.AssumeRoleAPIClient {
	sc, ok := c.(*sts.Client)
	if !ok || !aws.IsCredentialsProvider(sc.Options().Credentials, (*processcreds.Provider)(nil)) {
		return c
	}
	return processSourced{c, source}
}

// processSourced is an STS client that signs AssumeRole with creds.
type processSourced struct {
	stscreds.AssumeRoleAPIClient
	creds aws.CredentialsProvider
}

func (p processSourced) AssumeRole(ctx context.Context, in *sts.AssumeRoleInput, optFns ...func(*sts.Options)) (*sts.AssumeRoleOutput, error) {
	return p.AssumeRoleAPIClient.AssumeRole(ctx, in, append(optFns, func(o *sts.Options) { o.Credentials = p.creds })...)
}

// withDeadline calls retrieve, and returns by ctx's deadline.
func withDeadline(ctx context.Context, retrieve func(context.Context) (aws.Credentials, error)) (aws.Credentials, error) {
	type result struct {
		creds aws.Credentials
		err   error
	}
	done := make(chan result, 1)
	go func() {
		creds, err := retrieve(ctx)
		done <- result{creds, err}
	}()
	select {
	case r := <-done:
		return r.creds, r.err
	case <-ctx.Done():
		return aws.Credentials{}, ctx.Err()
	}
}

// sharedConfig returns the loaded profile of cfg, if any.
func sharedConfig(cfg aws.Config) *config.SharedConfig {
	for _, s := range cfg.ConfigSources {
		if sc, ok := s.(config.SharedConfig); ok {
			return &sc
		}
	}
	return nil
}
