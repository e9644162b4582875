// Package awsconfig mirrors the shared configuration aws-sdk-go-v2 loads:
// which files, which profile (with its source profiles) and which region,
// found as the SDK finds them, from the environment and the files only,
// for get, login, logout, the remote helper and doctor. The SDK's rules of
// precedence, which source of credentials wins and which region, are all in
// precedence.go, each checked against the SDK itself by its test.
package awsconfig

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/failure"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/redact"
)

// Config is the shared configuration LoadDefaultConfig would use.
type Config struct {
	Env config.EnvConfig
	// Profile is the profile's name: the one asked for, else AWS_PROFILE
	// (or AWS_DEFAULT_PROFILE), else "default".
	Profile string
	// Shared is the profile, with its source profiles; it is empty for a
	// "default" profile that does not exist, which the SDK accepts.
	Shared config.SharedConfig
	// ConfigFile and CredentialsFile are the files read: AWS_CONFIG_FILE and
	// AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/config and ~/.aws/credentials.
	ConfigFile, CredentialsFile string
}

// Load loads the configuration of profile, the SDK's choice when empty, and
// adds the secrets in it to the request's (internal/redact, from ctx). A
// profile that was named (here or by AWS_PROFILE) and does not exist is a
// *failure.Error that names the files; so is a file that does not parse.
func Load(ctx context.Context, profile string) (Config, error) {
	env, err := config.NewEnvConfig()
	if err != nil {
		return Config{}, &failure.Error{Problem: "cannot read the AWS settings in the environment", Cause: failure.OneLine(err), Fix: "check the AWS_ variables", Err: err}
	}
	c := Config{Env: env}
	c.ConfigFile, c.CredentialsFile = files(env)
	var named bool
	c.Profile, named = profileName(profile, env)
	c.Shared, err = config.LoadSharedConfigProfile(ctx, c.Profile, func(o *config.LoadSharedConfigOptions) {
		o.ConfigFiles = []string{c.ConfigFile}
		o.CredentialsFiles = []string{c.CredentialsFile}
	})
	var notExist config.SharedConfigProfileNotExistError
	switch {
	case errors.As(err, &notExist) && !named:
		c.Shared = config.SharedConfig{}
	case errors.As(err, &notExist):
		return c, ProfileNotFound(notExist.Profile, c.ConfigFile, c.CredentialsFile)
	case err != nil:
		return c, &failure.Error{Problem: fmt.Sprintf("cannot read AWS profile %q from %s", c.Profile, c.ConfigFile), Cause: failure.OneLine(err), Fix: "fix the file", Err: err}
	}
	c.noteSecrets(redact.FromContext(ctx))
	return c, nil
}

// SharedFiles returns the config and credentials files the SDK reads.
func SharedFiles() (configFile, credentialsFile string, err error) {
	env, err := config.NewEnvConfig()
	if err != nil {
		return "", "", err
	}
	configFile, credentialsFile = files(env)
	return configFile, credentialsFile, nil
}

// UseFIPS reports whether FIPS endpoints are asked for: AWS_USE_FIPS_ENDPOINT,
// else the profile's use_fips_endpoint.
func (c Config) UseFIPS() bool {
	if c.Env.UseFIPSEndpoint != aws.FIPSEndpointStateUnset {
		return c.Env.UseFIPSEndpoint == aws.FIPSEndpointStateEnabled
	}
	return c.Shared.UseFIPSEndpoint == aws.FIPSEndpointStateEnabled
}

// ProfileNotFound is the error for a named profile that is in neither
// file the SDK read.
func ProfileNotFound(profile, configFile, credentialsFile string) *failure.Error {
	return &failure.Error{
		Problem: fmt.Sprintf("AWS profile %q does not exist in %s or %s", profile, configFile, credentialsFile),
		Fix:     "check its name, or create it: aws configure --profile " + profile,
	}
}
