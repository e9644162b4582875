package awsconfig

// Every rule of precedence of aws-sdk-go-v2's default configuration that
// this program relies on is here, and precedence_test.go checks each one
// against the SDK itself (config.LoadDefaultConfig), so that an SDK upgrade
// that changes one fails a test rather than a user:
//
//   - which files: files;
//   - which profile: profileName;
//   - which region: Region;
//   - which source of credentials, for a profile and an environment:
//     Sources, with what follows from it: Fetching, DirectProcess,
//     ChainedProcess, SSOTokenKey, LoginSession, and EnvKeysDecide for the
//     path that reads no file.

import (
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
)

// files are the config and credentials files the SDK reads with env:
// AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/config and
// ~/.aws/credentials.
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

// profileName is the profile the SDK loads: the one named in code
// (config.WithSharedConfigProfile, our --profile), else AWS_PROFILE, else
// AWS_DEFAULT_PROFILE, else "default". named says whether one was named,
// in code or in the environment: the SDK then fails on a profile that does
// not exist, and accepts a missing "default".
func profileName(explicit string, env config.EnvConfig) (name string, named bool) {
	for _, p := range []string{explicit, env.SharedConfigProfile} {
		if p != "" {
			return p, true
		}
	}
	return "default", false
}

// Region is the region the SDK would use: explicit (config.WithRegion: the
// --region flag, or a region named in a URL), else AWS_REGION, else
// AWS_DEFAULT_REGION, else the profile's, else fallback
// (config.WithDefaultRegion).
func (c Config) Region(explicit, fallback string) string {
	for _, r := range []string{explicit, c.Env.Region, c.Shared.Region} {
		if r != "" {
			return r
		}
	}
	return fallback
}

// Sources are the credential sources the SDK's default chain reports for c
// (aws.CredentialProviderSource), from the first it goes through to the
// last. explicit says whether the profile was named in code
// (config.WithSharedConfigProfile): then keys and a web identity in the
// environment do not come first, as they otherwise do, in that order.
// After them, the profile's own rules apply (profileSources).
func (c Config) Sources(explicit bool) []aws.CredentialSource {
	switch {
	case explicit:
	case c.Env.Credentials.HasKeys():
		return []aws.CredentialSource{aws.CredentialSourceEnvVars}
	case c.Env.WebIdentityTokenFilePath != "":
		return []aws.CredentialSource{aws.CredentialSourceEnvVarsSTSWebIDToken}
	}
	sources, role := profileSources(nil, &c.Shared, c.Env)
	if role {
		sources = append(sources, aws.CredentialSourceSTSAssumeRole)
	}
	return sources
}

// profileSources appends to chain the sources of profile p, in the SDK's
// order: a source_profile (whose own sources come first), the profile's
// static keys, credential_source, web_identity_token_file, IAM Identity
// Center (sso_session, or the legacy sso_* settings), login_session,
// credential_process, then the environment's container endpoint, and
// instance metadata when nothing else is set. role says whether the chain
// ends in assuming a role: p's role_arn, or one of its source profiles',
// except after a web identity, which assumes its role itself. The SDK
// names the assumed role once, however many roles a chain assumes.
func profileSources(chain []aws.CredentialSource, p *config.SharedConfig, env config.EnvConfig) (_ []aws.CredentialSource, role bool) {
	add := func(s ...aws.CredentialSource) { chain = append(chain, s...) }
	switch {
	case p.Source != nil:
		chain, role = profileSources(append(chain, aws.CredentialSourceProfileSourceProfile), p.Source, env)
	case p.Credentials.HasKeys():
		add(aws.CredentialSourceProfile)
	case p.CredentialSource != "":
		add(aws.CredentialSourceProfileNamedProvider)
		switch p.CredentialSource {
		case "Ec2InstanceMetadata":
			add(aws.CredentialSourceIMDS)
		case "Environment", "EcsContainer": // the SDK names both HTTP
			add(aws.CredentialSourceHTTP)
		}
	case p.WebIdentityTokenFile != "":
		return append(chain, aws.CredentialSourceProfileSTSWebIDToken), false
	case legacySSO(p):
		add(aws.CredentialSourceProfileSSOLegacy, aws.CredentialSourceSSOLegacy)
		if p.SSOSession != nil {
			add(aws.CredentialSourceProfileSSO)
		}
	case p.SSOSessionName != "":
		add(aws.CredentialSourceSSO)
		if p.SSOSession != nil {
			add(aws.CredentialSourceProfileSSO)
		}
	case p.LoginSession != "":
		add(aws.CredentialSourceProfileLogin, aws.CredentialSourceLogin)
	case p.CredentialProcess != "":
		add(aws.CredentialSourceProfileProcess, aws.CredentialSourceProcess)
	case env.ContainerCredentialsRelativePath != "" || env.ContainerCredentialsEndpoint != "":
		add(aws.CredentialSourceHTTP)
	default:
		add(aws.CredentialSourceIMDS)
	}
	return chain, role || p.RoleARN != ""
}

// legacySSO reports whether the SDK counts p as a legacy IAM Identity
// Center profile: any of the sso_* settings but sso_session. (A profile
// with an sso_session and an sso_account_id counts as both.)
func legacySSO(p *config.SharedConfig) bool {
	return p.SSORegion != "" || p.SSOAccountID != "" || p.SSOStartURL != "" || p.SSORoleName != ""
}

// Fetching reports whether a chain of sources (the SDK's, or Sources')
// fetches credentials that the cache shared by processes may keep: a role,
// IAM Identity Center, web identity, container or instance credentials.
// Not keys in the environment or in a profile, which are never written
// anywhere; nor what a credential_process printed, which the AWS CLI never
// caches either and which may depend on anything of the process's (its
// environment, its directory, the time): only a role assumed with it is
// kept, as the AWS CLI keeps it.
func Fetching(sources []aws.CredentialSource) bool {
	role := slices.Contains(sources, aws.CredentialSourceSTSAssumeRole)
	return slices.ContainsFunc(sources, func(s aws.CredentialSource) bool {
		switch s {
		case aws.CredentialSourceSTSAssumeRole, aws.CredentialSourceSTSAssumeRoleWebID,
			aws.CredentialSourceEnvVarsSTSWebIDToken, aws.CredentialSourceProfileSTSWebIDToken,
			aws.CredentialSourceSSO, aws.CredentialSourceSSOLegacy,
			aws.CredentialSourceHTTP, aws.CredentialSourceIMDS, aws.CredentialSourceLogin:
			return true
		case aws.CredentialSourceProcess:
			return role
		}
		return false
	})
}

// DirectProcess returns the profile's credential_process when the SDK takes
// the credentials from it and from nothing else: no role is assumed with
// them, and nothing comes before it.
func (c Config) DirectProcess(explicit bool) (string, bool) {
	direct := []aws.CredentialSource{aws.CredentialSourceProfileProcess, aws.CredentialSourceProcess}
	if !slices.Equal(c.Sources(explicit), direct) {
		return "", false
	}
	return c.Shared.CredentialProcess, true
}

// ChainedProcess returns the credential_process whose credentials the SDK
// assumes a role with: that of the profile where the chain's source_profile
// links end, when the chain goes through a process and assumes a role.
func (c Config) ChainedProcess(explicit bool) (string, bool) {
	sources := c.Sources(explicit)
	if !slices.Contains(sources, aws.CredentialSourceProfileProcess) || !slices.Contains(sources, aws.CredentialSourceSTSAssumeRole) {
		return "", false
	}
	p := &c.Shared
	for p.Source != nil {
		p = p.Source
	}
	return p.CredentialProcess, true
}

// SSOTokenKey names the IAM Identity Center token cache file the SDK reads
// for c (ssocreds.StandardCachedTokenFilepath), or "" when it reads none.
func (c Config) SSOTokenKey(explicit bool) string {
	return SSOTokenKey(&c.Shared, c.Sources(explicit))
}

// SSOTokenKey names the token cache file of a chain through IAM Identity
// Center, given the profile sc the SDK loaded and the chain's sources: the
// last profile of the chain is the one that uses it (the SDK walks
// source_profile to the end), and the key is its sso-session's name, or a
// legacy profile's start URL. It is "" for a chain that does not go through
// IAM Identity Center.
func SSOTokenKey(sc *config.SharedConfig, sources []aws.CredentialSource) string {
	if sc == nil || !slices.Contains(sources, aws.CredentialSourceSSO) && !slices.Contains(sources, aws.CredentialSourceSSOLegacy) {
		return ""
	}
	p := sc
	for p.Source != nil {
		p = p.Source
	}
	if p.SSOSessionName != "" {
		return p.SSOSessionName
	}
	return p.SSOStartURL
}

// LoginSession is the login_session of a chain through a console sign-in
// (the SDK's logincreds), given the profile sc the SDK loaded and the
// chain's sources: that of the last profile of the chain, as for
// SSOTokenKey. It is "" for a chain that does not go through one.
func LoginSession(sc *config.SharedConfig, sources []aws.CredentialSource) string {
	if sc == nil || !slices.Contains(sources, aws.CredentialSourceLogin) {
		return ""
	}
	p := sc
	for p.Source != nil {
		p = p.Source
	}
	return p.LoginSession
}

// EnvKeysDecide reports, from the environment alone, whether the SDK takes
// the keys in it, with no profile named in code: then it reads no file to
// find credentials. It asks too that no profile is named in the
// environment, which the SDK would fail on were it missing.
func EnvKeysDecide(env config.EnvConfig, explicit string) bool {
	_, named := profileName(explicit, env)
	return !named && env.Credentials.HasKeys()
}
