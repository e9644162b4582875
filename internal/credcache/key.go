package credcache

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/config"
)

// keyEnv are the environment variables that choose where credentials come
// from; their values (paths and URLs, no secrets) go into the key.
var keyEnv = []string{
	"AWS_ROLE_ARN", "AWS_ROLE_SESSION_NAME", "AWS_WEB_IDENTITY_TOKEN_FILE",
	"AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
	"AWS_EC2_METADATA_DISABLED", "AWS_EC2_METADATA_SERVICE_ENDPOINT", "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE",
	"AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL_SSO", "AWS_ENDPOINT_URL_SSO_OIDC",
}

// Key returns the cache key of the credentials of profile sc (nil for none)
// with this process's environment: a SHA-256 of what identifies them in the
// configuration. That is the profile's settings with those of its source
// profiles, and the environment variables that choose a source or its
// endpoint; together they decide the SDK's chain. None of it is a secret (a
// static source profile counts by its access key id, which is not one), and
// the fields are written length-first, so that no two configurations share
// a key.
func Key(sc *config.SharedConfig) string {
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
