package credcache

import (
	"crypto/sha256"
	"encoding/hex"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/config"
)

// keyEnv are the environment variables that choose where credentials come
// from; their values (paths and URLs, no secrets) go into the key.
var keyEnv = []string{
	"AWS_ROLE_ARN", "AWS_ROLE_SESSION_NAME", "AWS_WEB_IDENTITY_TOKEN_FILE",
	"AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
	"AWS_EC2_METADATA_DISABLED", "AWS_EC2_METADATA_SERVICE_ENDPOINT", "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE",
	"AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL_SSO", "AWS_ENDPOINT_URL_SSO_OIDC",
	"AWS_ENDPOINT_URL_SIGNIN", "AWS_LOGIN_CACHE_DIRECTORY",
	"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "AWS_USE_FIPS_ENDPOINT", "AWS_USE_DUALSTACK_ENDPOINT",
}

// keyServices are the services of a profile's [services] section whose
// settings (their endpoint_url) change where credentials are fetched.
var keyServices = []string{"sts", "sso", "sso_oidc", "ssooidc", "sso-oidc", "signin"}

// Key returns the cache key of the credentials of profile sc (nil for none)
// with this process's environment: a SHA-256 of what identifies them in the
// configuration. That is every setting of the profile and of its source
// profiles that changes what the SDK fetches or from where (role, session
// name, external id, duration, MFA serial, credential source and process,
// web identity token file, IAM Identity Center session, account and role,
// the endpoints of STS, IAM Identity Center and Sign-In), the identity behind
// credential_source = Environment, and the environment variables that
// choose a source or its endpoint. None of it is a secret (a static source
// profile counts by its access key id, which is not one), and the fields are
// written length-first, so that no two configurations share a key.
func Key(sc *config.SharedConfig) string {
	h := sha256.New()
	var buf []byte
	field := func(s string) {
		buf = strconv.AppendInt(buf[:0], int64(len(s)), 10)
		buf = append(append(buf, ':'), s...)
		h.Write(buf)
	}
	field("git-credential-codecommit cache key v2")
	for p := sc; p != nil; p = p.Source {
		duration := ""
		if p.RoleDurationSeconds != nil {
			duration = p.RoleDurationSeconds.String()
		}
		startURL, ssoRegion := p.SSOStartURL, p.SSORegion
		if p.SSOSession != nil {
			startURL, ssoRegion = p.SSOSession.SSOStartURL, p.SSOSession.SSORegion
		}
		identity := ""
		if strings.EqualFold(p.CredentialSource, "Environment") {
			identity = os.Getenv("AWS_ACCESS_KEY_ID") // whose keys the role is assumed with
		}
		ignoreEndpoints := ""
		if p.IgnoreConfiguredEndpoints != nil {
			ignoreEndpoints = strconv.FormatBool(*p.IgnoreConfiguredEndpoints)
		}
		for _, v := range []string{"profile", p.Profile, p.RoleARN, p.RoleSessionName, p.ExternalID, duration, p.MFASerial,
			p.CredentialSource, identity, p.CredentialProcess, p.WebIdentityTokenFile, p.LoginSession,
			p.SSOSessionName, startURL, ssoRegion, p.SSOAccountID, p.SSORoleName, p.Credentials.AccessKeyID,
			p.BaseEndpoint, ignoreEndpoints, strconv.Itoa(int(p.UseFIPSEndpoint)), strconv.Itoa(int(p.UseDualStackEndpoint)),
			p.EC2IMDSEndpoint, strconv.Itoa(int(p.EC2IMDSEndpointMode))} {
			field(v)
		}
		for _, svc := range keyServices {
			settings := p.Services.ServiceValues[svc]
			for _, k := range slices.Sorted(maps.Keys(settings)) {
				field(svc + "." + k)
				field(settings[k])
			}
		}
	}
	for _, k := range keyEnv {
		field(k)
		field(os.Getenv(k))
	}
	return hex.EncodeToString(h.Sum(nil))
}
