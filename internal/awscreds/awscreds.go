// Package awscreds resolves AWS credentials through the standard chain of
// aws-sdk-go-v2 (environment, shared config profiles, IAM Identity Center,
// assume-role, web identity, container and instance metadata) and explains
// its failures as an *Error: what failed, why, and what to do.
//
// Credentials from sources that fetch them are shared between processes
// through internal/credcache, and those the AWS CLI cached are read through
// internal/awsclicache. Config (config.go) is the one mirror of the SDK's
// rules for which files, profile and region it uses.
package awscreds

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/awsclicache"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/credcache"
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
func Resolve(ctx context.Context, o Options) (Resolved, error) {
	if r, ok := o.fromEnvironment(); ok {
		return r, nil
	}
	files, err := LoadConfig(ctx, o.Profile)
	if err != nil {
		return Resolved{}, err
	}
	c := o.cache()
	if r, ok := o.fromCache(c, files); ok {
		return r, nil
	}
	if err := o.checkSSOToken(files); err != nil {
		return Resolved{}, err
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
	if command, ok := ownProcess(files, o.Profile != ""); ok {
		deadline, _ := ctx.Deadline()
		opts = append(opts, config.WithCredentialsProvider(processProvider{command, deadline}))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return Resolved{}, explain(err, files, nil)
	}
	if cfg.Credentials == nil {
		return Resolved{}, explain(errors.New("no credential provider"), files, nil)
	}
	var sources []aws.CredentialSource
	if ps, ok := cfg.Credentials.(aws.CredentialProviderSource); ok {
		sources = ps.ProviderSources()
	}
	creds, err := o.retrieve(ctx, c, cfg, sources, func(err error) error { return explain(err, files, sources) })
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

// fromEnvironment answers keys in the environment without loading the
// shared configuration, when that cannot change the answer: no profile is
// named (the SDK would then prefer the profile, or fail on a missing one),
// and the region is known without the profile's: asked for, in the
// environment, or the host's (DefaultRegion), which get signs for whatever
// else is configured. The SDK takes such keys before any other source, with
// no network call; LoadDefaultConfig would still read both config files and
// parse AWS_CA_BUNDLE, which costs milliseconds on every git authentication
// in a CI job that sets it.
func (o Options) fromEnvironment() (Resolved, bool) {
	if o.Profile != "" || os.Getenv("AWS_PROFILE") != "" || os.Getenv("AWS_DEFAULT_PROFILE") != "" {
		return Resolved{}, false
	}
	env, err := config.NewEnvConfig()
	if err != nil || !env.Credentials.HasKeys() {
		return Resolved{}, false
	}
	region := o.Region
	for _, r := range []string{env.Region, o.DefaultRegion} {
		if region == "" {
			region = r
		}
	}
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
	return c
}

// fromCache answers from the cache without building the SDK's credential
// chain: the profile's settings and the environment name the entry, and an
// entry exists only if a full resolution of the same settings wrote it, so
// only for sources that fetch. Keys in the environment come first for the
// SDK unless a profile is named, and are never cached: then there is nothing
// to look up.
func (o Options) fromCache(c *credcache.Cache, cfg Config) (Resolved, bool) {
	if c == nil || !cfg.fetches(o.Profile != "") {
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
	if c == nil || !fetches(sources) {
		return fetch(ctx)
	}
	sc := sharedConfig(cfg)
	creds, err := c.Retrieve(ctx, credcache.Key(sc), ssoSession(sc, sources), func(ctx context.Context) (aws.Credentials, error) {
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

// fetchingSources are the credential sources that make a network call or run
// a process, and whose credentials are therefore worth caching. Keys in the
// environment or in a profile are never cached, nor written anywhere.
var fetchingSources = []aws.CredentialSource{
	aws.CredentialSourceSTSAssumeRole,
	aws.CredentialSourceSTSAssumeRoleWebID,
	aws.CredentialSourceEnvVarsSTSWebIDToken,
	aws.CredentialSourceProfileSTSWebIDToken,
	aws.CredentialSourceSSO,
	aws.CredentialSourceSSOLegacy,
	aws.CredentialSourceProcess,
	aws.CredentialSourceHTTP,
	aws.CredentialSourceIMDS,
	aws.CredentialSourceLogin,
}

func fetches(sources []aws.CredentialSource) bool {
	return slices.ContainsFunc(sources, func(s aws.CredentialSource) bool { return slices.Contains(fetchingSources, s) })
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
