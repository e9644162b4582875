package awscreds

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
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

// keyEnv are the environment variables that choose where credentials come
// from; their values (paths and URLs, no secrets) go into the key.
var keyEnv = []string{
	"AWS_ROLE_ARN", "AWS_ROLE_SESSION_NAME", "AWS_WEB_IDENTITY_TOKEN_FILE",
	"AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
	"AWS_EC2_METADATA_DISABLED", "AWS_EC2_METADATA_SERVICE_ENDPOINT", "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE",
	"AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL_SSO", "AWS_ENDPOINT_URL_SSO_OIDC",
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

// credentialKey returns the cache key of the credentials of profile sc (nil
// for none) with this process's environment: a SHA-256 of what identifies
// them in the configuration. That is the profile's settings with those of
// its source profiles, and the environment variables that choose a source
// or its endpoint; together they decide the SDK's chain. None of it is a
// secret (a static source profile counts by its access key id, which is not
// one), and the fields are written length-first, so that no two
// configurations share a key.
func credentialKey(sc *config.SharedConfig) string {
	h := sha256.New()
	var buf []byte
	field := func(s string) {
		buf = strconv.AppendInt(buf[:0], int64(len(s)), 10)
		buf = append(append(buf, ':'), s...)
		h.Write(buf)
	}
	field("git-credential-codecommit cache key v1")
	for p := sc; p != nil; p = p.Source {
		duration := ""
		if p.RoleDurationSeconds != nil {
			duration = p.RoleDurationSeconds.String()
		}
		startURL, ssoRegion := p.SSOStartURL, p.SSORegion
		if p.SSOSession != nil {
			startURL, ssoRegion = p.SSOSession.SSOStartURL, p.SSOSession.SSORegion
		}
		for _, v := range []string{"profile", p.Profile, p.RoleARN, p.RoleSessionName, p.ExternalID, duration,
			p.CredentialSource, p.CredentialProcess, p.WebIdentityTokenFile,
			p.SSOSessionName, startURL, ssoRegion, p.SSOAccountID, p.SSORoleName, p.Credentials.AccessKeyID} {
			field(v)
		}
	}
	for _, k := range keyEnv {
		field(k)
		field(os.Getenv(k))
	}
	return hex.EncodeToString(h.Sum(nil))
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
