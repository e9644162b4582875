package awscreds

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/redact"
)

// Config is the shared configuration LoadDefaultConfig would use, found as
// it finds it, from the environment and the files only: this is the one
// place that mirrors the SDK's rules of precedence (which files, which
// profile, which region), for get, login, logout, the remote helper and
// doctor.
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
	// secrets are the request's (internal/redact): LoadConfig adds the
	// profile's to them, and errors about it are redacted with them.
	secrets *redact.Set
}

// LoadConfig loads the configuration of profile, the SDK's choice when
// empty. A profile that was named (here or by AWS_PROFILE) and does not
// exist is an *Error that names the file; so is a file that does not parse.
func LoadConfig(ctx context.Context, profile string) (Config, error) {
	env, err := config.NewEnvConfig()
	if err != nil {
		return Config{}, &Error{Problem: "cannot read the AWS settings in the environment", Cause: oneLine(err), Fix: "check the AWS_ variables", Err: err}
	}
	c := Config{Env: env, Profile: profile, secrets: redact.FromContext(ctx)}
	c.ConfigFile, c.CredentialsFile = files(env)
	if c.Profile == "" {
		c.Profile = env.SharedConfigProfile
	}
	named := c.Profile != ""
	if !named {
		c.Profile = "default"
	}
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
		return c, &Error{Problem: fmt.Sprintf("cannot read AWS profile %q from %s", c.Profile, c.ConfigFile), Cause: oneLine(err), Fix: "fix the file", Err: err}
	}
	c.noteSecrets()
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

// files are the config and credentials files the SDK reads with env.
func files(env config.EnvConfig) (configFile, credentialsFile string) {
	configFile, credentialsFile = env.SharedConfigFile, env.SharedCredentialsFile
	if configFile == "" {
		configFile = config.DefaultSharedConfigFilename()
	}
	if credentialsFile == "" {
		credentialsFile = config.DefaultSharedCredentialsFilename()
	}
	return configFile, credentialsFile
}

// Region is the region the SDK would use: explicit (the --region flag, or
// a region named in a URL), else AWS_REGION or AWS_DEFAULT_REGION, else the
// profile's, else fallback.
func (c Config) Region(explicit, fallback string) string {
	for _, r := range []string{explicit, c.Env.Region, c.Shared.Region} {
		if r != "" {
			return r
		}
	}
	return fallback
}

// UseFIPS reports whether FIPS endpoints are asked for: AWS_USE_FIPS_ENDPOINT,
// else the profile's use_fips_endpoint.
func (c Config) UseFIPS() bool {
	if c.Env.UseFIPSEndpoint != aws.FIPSEndpointStateUnset {
		return c.Env.UseFIPSEndpoint == aws.FIPSEndpointStateEnabled
	}
	return c.Shared.UseFIPSEndpoint == aws.FIPSEndpointStateEnabled
}

// fetches reports whether the SDK would fetch the credentials of c (and so
// whether they may be in the cache): not keys in the environment, which come
// first unless a profile is named explicitly, nor a profile's own static
// keys; anything else (a role, IAM Identity Center, a process, web identity,
// container or instance credentials) is fetched.
func (c Config) fetches(explicitProfile bool) bool {
	if !explicitProfile && c.Env.Credentials.HasKeys() {
		return false
	}
	if !explicitProfile && c.Env.WebIdentityTokenFilePath != "" {
		return true
	}
	return c.Shared.Source != nil || c.Shared.RoleARN != "" || !c.Shared.Credentials.HasKeys()
}
