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

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/awsclicache"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/awsconfig"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/credcache"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/procprovider"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/redact"
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
	secrets := redact.FromContext(ctx)
	cfg, err := config.LoadDefaultConfig(ctx, o.loadOptions(ctx, files)...)
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
// region asked for, and a profile's own credential_process run by
// internal/procprovider when the SDK would take the credentials from it
// directly.
func (o Options) loadOptions(ctx context.Context, files awsconfig.Config) []func(*config.LoadOptions) error {
	var opts []func(*config.LoadOptions) error
	if o.Profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(o.Profile))
	}
	if o.Region != "" {
		opts = append(opts, config.WithRegion(o.Region))
	} else if o.DefaultRegion != "" {
		opts = append(opts, config.WithDefaultRegion(o.DefaultRegion))
	}
	if command, ok := files.DirectProcess(o.Profile != ""); ok {
		deadline, _ := ctx.Deadline()
		opts = append(opts, config.WithCredentialsProvider(procprovider.Provider{Command: command, Deadline: deadline, Stderr: o.ProcessStderr}))
	}
	return opts
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
	creds, err := c.Retrieve(ctx, credcache.Key(sc), awsconfig.SSOTokenKey(sc, sources), func(ctx context.Context) (aws.Credentials, error) {
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

// sharedConfig returns the loaded profile of cfg, if any.
func sharedConfig(cfg aws.Config) *config.SharedConfig {
	for _, s := range cfg.ConfigSources {
		if sc, ok := s.(config.SharedConfig); ok {
			return &sc
		}
	}
	return nil
}
