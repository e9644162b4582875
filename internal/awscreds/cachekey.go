package awscreds

import (
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
)

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

// keyMaterial is what identifies credentials in the configuration: the chain
// of sources, the profile's settings with those of its source profiles, and
// the environment variables that choose a source or its endpoint. It holds
// no secret (a static source profile is named by its access key id, which is
// not one), so that a cache file's name reveals nothing.
type keyMaterial struct {
	Version int
	Sources []aws.CredentialSource
	Profile *profileKey
	Env     map[string]string
}

type profileKey struct {
	Name, RoleARN, RoleSessionName, ExternalID, Duration          string
	CredentialSource, CredentialProcess, WebIdentityTokenFile     string
	SSOSession, SSOStartURL, SSORegion, SSOAccountID, SSORoleName string
	AccessKeyID                                                   string
	Source                                                        *profileKey
}

// keyEnv are the environment variables that choose where credentials come
// from; their values (paths and URLs, no secrets) go into the key.
var keyEnv = []string{
	"AWS_ROLE_ARN", "AWS_ROLE_SESSION_NAME", "AWS_WEB_IDENTITY_TOKEN_FILE",
	"AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
	"AWS_EC2_METADATA_SERVICE_ENDPOINT", "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE",
	"AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL_SSO", "AWS_ENDPOINT_URL_SSO_OIDC",
}

func newProfileKey(sc *config.SharedConfig) *profileKey {
	if sc == nil {
		return nil
	}
	k := &profileKey{
		Name: sc.Profile, RoleARN: sc.RoleARN, RoleSessionName: sc.RoleSessionName, ExternalID: sc.ExternalID,
		CredentialSource: sc.CredentialSource, CredentialProcess: sc.CredentialProcess, WebIdentityTokenFile: sc.WebIdentityTokenFile,
		SSOSession: sc.SSOSessionName, SSOStartURL: sc.SSOStartURL, SSORegion: sc.SSORegion,
		SSOAccountID: sc.SSOAccountID, SSORoleName: sc.SSORoleName,
		AccessKeyID: sc.Credentials.AccessKeyID,
		Source:      newProfileKey(sc.Source),
	}
	if sc.SSOSession != nil {
		k.SSOStartURL, k.SSORegion = sc.SSOSession.SSOStartURL, sc.SSOSession.SSORegion
	}
	if sc.RoleDurationSeconds != nil {
		k.Duration = sc.RoleDurationSeconds.String()
	}
	return k
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

// credentialKey returns the cache key of cfg's credentials.
func credentialKey(cfg aws.Config, sources []aws.CredentialSource) (string, error) {
	m := keyMaterial{Version: entryVersion, Sources: sources, Profile: newProfileKey(sharedConfig(cfg)), Env: map[string]string{}}
	for _, k := range keyEnv {
		if v := os.Getenv(k); v != "" {
			m.Env[k] = v
		}
	}
	return cacheKey(m)
}

// awsCLICacheFile returns the file in which the AWS CLI caches the
// credentials of sc, with its own key derivation (botocore's
// AssumeRoleCredentialFetcher and SSOCredentialFetcher), or "" when it
// caches none for sc. The helper reads these files, so that a user who ran
// aws a minute ago pays no STS or SSO call; it never writes them: the AWS
// CLI owns their format and takes no lock.
func awsCLICacheFile(home string, sc *config.SharedConfig, sources []aws.CredentialSource) string {
	if sc == nil {
		return ""
	}
	var args string
	switch {
	case sc.RoleARN != "" && sc.WebIdentityTokenFile == "" && sc.MFASerial == "" && slices.Contains(sources, aws.CredentialSourceSTSAssumeRole):
		// json.dumps(args, sort_keys=True) of AssumeRole's arguments, with
		// Python's default separators. A RoleSessionName is left out when
		// the CLI would generate one.
		var kv []string
		if sc.RoleDurationSeconds != nil {
			kv = append(kv, fmt.Sprintf(`"DurationSeconds": %d`, int(sc.RoleDurationSeconds.Seconds())))
		}
		if sc.ExternalID != "" {
			kv = append(kv, `"ExternalId": `+pyQuote(sc.ExternalID))
		}
		kv = append(kv, `"RoleArn": `+pyQuote(sc.RoleARN))
		if sc.RoleSessionName != "" {
			kv = append(kv, `"RoleSessionName": `+pyQuote(sc.RoleSessionName))
		}
		args = "{" + strings.Join(kv, ", ") + "}"
	case sc.SSOAccountID != "" && sc.SSORoleName != "":
		// json.dumps(args, sort_keys=True, separators=(',', ':')).
		if sc.SSOSessionName != "" {
			args = `{"accountId":` + pyQuote(sc.SSOAccountID) + `,"roleName":` + pyQuote(sc.SSORoleName) + `,"sessionName":` + pyQuote(sc.SSOSessionName) + `}`
		} else {
			args = `{"accountId":` + pyQuote(sc.SSOAccountID) + `,"roleName":` + pyQuote(sc.SSORoleName) + `,"startUrl":` + pyQuote(sc.SSOStartURL) + `}`
		}
	default:
		return ""
	}
	sum := sha1.Sum([]byte(args))
	return filepath.Join(home, ".aws", "cli", "cache", hex.EncodeToString(sum[:])+".json")
}

// pyQuote quotes s as Python's json.dumps does by default (ensure_ascii).
func pyQuote(s string) string {
	b, _ := json.Marshal(s) // escapes ", \ and control characters as Python does, except below
	q := string(b)
	q = strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&").Replace(q)
	var out strings.Builder
	for _, r := range q {
		switch {
		case r < 0x80:
			out.WriteRune(r)
		case r <= 0xffff:
			fmt.Fprintf(&out, `\u%04x`, r)
		default:
			r -= 0x10000
			fmt.Fprintf(&out, `\u%04x\u%04x`, 0xd800+(r>>10), 0xdc00+(r&0x3ff))
		}
	}
	return out.String()
}

// readAWSCLICache returns the credentials of an AWS CLI cache file that has
// more than the AWS CLI's own 15-minute window left.
func readAWSCLICache(path string, now time.Time) (aws.Credentials, bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		return aws.Credentials{}, false
	}
	var f struct {
		Credentials struct {
			AccessKeyID, SecretAccessKey, SessionToken, Expiration, AccountID string
		}
	}
	if json.Unmarshal(b, &f) != nil || f.Credentials.AccessKeyID == "" || f.Credentials.SecretAccessKey == "" {
		return aws.Credentials{}, false
	}
	c := f.Credentials
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05MST", "2006-01-02T15:04:05Z0700"} {
		exp, err := time.Parse(layout, c.Expiration)
		if err != nil {
			continue
		}
		if exp.Sub(now) <= maxMargin {
			return aws.Credentials{}, false
		}
		return aws.Credentials{
			AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken,
			AccountID: c.AccountID, Source: "AWS CLI cache " + path, CanExpire: true, Expires: exp,
		}, true
	}
	return aws.Credentials{}, false
}
