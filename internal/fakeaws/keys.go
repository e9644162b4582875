// Package fakeaws provides loopback fakes of the AWS services that issue
// credentials, for tests and demonstrations that must never reach AWS:
// STS, EC2 instance metadata (IMDSv2), the container credentials endpoint of
// ECS, CodeBuild and EKS, IAM Identity Center (the SSO portal and
// SSO-OIDC), and AWS Sign-In's console sign-in for developer tools.
//
// Each fake is a plain http server on 127.0.0.1 with an ephemeral port. Point
// the AWS SDK at a fake with the environment variables a user would set:
//
//	STS             AWS_ENDPOINT_URL_STS
//	IMDS            AWS_EC2_METADATA_SERVICE_ENDPOINT (with AWS_EC2_METADATA_DISABLED unset or false)
//	Container       AWS_CONTAINER_CREDENTIALS_FULL_URI and AWS_CONTAINER_AUTHORIZATION_TOKEN[_FILE]
//	IdentityCenter  AWS_ENDPOINT_URL_SSO and AWS_ENDPOINT_URL_SSO_OIDC
//	SignIn          AWS_ENDPOINT_URL_SIGNIN
//
// The fakes record every credential they issue in one shared Keys, through
// which STS authenticates its callers and a fake CodeCommit server can check
// passwords.
//
// The fakes answer in the wire formats of the real services, as the AWS SDK
// for Go v2 reads them, and are simpler than the services elsewhere; the doc
// comment of each fake lists where.
package fakeaws

import (
	"crypto/rand"
	"encoding/base64"
	"sync"
	"time"
)

// Credentials are AWS keys a fake issued or was told about.
type Credentials struct {
	AccessKeyID, SecretAccessKey, SessionToken string
	// Expiration is when temporary credentials expire; it is zero for
	// long-term keys.
	Expiration time.Time
}

// Keys is a concurrency-safe registry of every credential the fakes know,
// shared by all fakes and by the fake CodeCommit server, which verifies
// passwords through Lookup.
type Keys struct {
	mu   sync.Mutex
	byID map[string]Credentials
}

// NewKeys returns an empty registry.
func NewKeys() *Keys {
	return &Keys{byID: make(map[string]Credentials)}
}

// Add records c, replacing the credentials with the same access key id.
func (k *Keys) Add(c Credentials) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.byID[c.AccessKeyID] = c
}

// Issue makes, records and returns new temporary credentials whose access key
// id starts with prefix (for example "ASIASTS"), with a random secret key and
// session token, expiring at expires, truncated to the second as the services
// send it. Access key ids are unique and 20 characters long, like AWS's; the
// characters after the prefix are random upper-case letters and digits.
// Issue panics if prefix is longer than 16 characters.
func (k *Keys) Issue(prefix string, expires time.Time) Credentials {
	if len(prefix) > 16 {
		panic("fakeaws: access key id prefix " + prefix + " is longer than 16 characters")
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	for {
		// rand.Text is 26 characters of the base32 alphabet: A-Z and 2-7.
		id := prefix + rand.Text()[:20-len(prefix)]
		if _, taken := k.byID[id]; taken {
			continue
		}
		c := Credentials{
			AccessKeyID:     id,
			SecretAccessKey: randomBase64(30), // 40 characters, as AWS's
			SessionToken:    randomBase64(144),
			Expiration:      expires.UTC().Truncate(time.Second),
		}
		k.byID[id] = c
		return c
	}
}

// Lookup returns the secret key and session token recorded for accessKeyID.
// It does not look at expiry; Get returns the expiration too.
func (k *Keys) Lookup(accessKeyID string) (secret, sessionToken string, ok bool) {
	c, ok := k.Get(accessKeyID)
	return c.SecretAccessKey, c.SessionToken, ok
}

// Get returns the credentials recorded for accessKeyID.
func (k *Keys) Get(accessKeyID string) (Credentials, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	c, ok := k.byID[accessKeyID]
	return c, ok
}

// randomBase64 returns n random bytes in standard base64.
func randomBase64(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return base64.StdEncoding.EncodeToString(b)
}
