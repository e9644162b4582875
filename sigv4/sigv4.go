// Package sigv4 computes the username and password that AWS CodeCommit
// accepts over HTTPS: an AWS Signature Version 4 signature over the
// repository path and host, in the exact form the AWS CLI's credential
// helper (aws codecommit credential-helper) produces, and when git should
// stop using it.
//
// [SignURL] is the entry point for a Go program that has AWS credentials and
// a repository URL (any partition, FIPS or VPC endpoint, with or without a
// port); see the package example. Everything here is a pure function of its
// arguments, on the standard library only: the package keeps no state and
// knows nothing of where credentials come from.
//
// The generic core ([SigningKey], [StringToSign], [Signature]) follows
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
// and is checked against the AWS SigV4 test suite in testdata.
package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"
)

// Algorithm is the only signing algorithm this package implements.
const Algorithm = "AWS4-HMAC-SHA256"

// Service is the SigV4 service name CodeCommit's git endpoint signs for.
const Service = "codecommit"

// PasswordLifetime is how long CodeCommit accepts a signed password: about
// 15 minutes after its timestamp, as its user guide says.
const PasswordLifetime = 15 * time.Minute

// ExpiryMargin is taken off PasswordLifetime for a password's Expires. Git
// 2.40+ drops a password at its password_expiry_utc, and storing helpers
// (cache, wincred, libsecret, osxkeychain) forget it. Dropping it early
// costs one more signature; dropping it late costs a 403 that git never
// answers with "erase". A minute covers ordinary clock skew against AWS.
const ExpiryMargin = time.Minute

// Credentials are the AWS keys a password is signed with.
type Credentials struct {
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string    // empty for long-term keys
	Expires         time.Time // when the keys expire; zero if they do not
}

// Password is a CodeCommit git password and the values it was computed from.
// CanonicalRequest and StringToSign hold no secret and may be logged;
// Username may hold a session token and Password is a bearer secret, so
// neither may be.
type Password struct {
	Username string
	Password string
	// Expires is when to stop using the password (git's
	// password_expiry_utc): PasswordLifetime less ExpiryMargin after it was
	// signed, or when the credentials expire if that is sooner.
	Expires          time.Time
	CanonicalRequest string
	StringToSign     string
}

// CodeCommit signs the repository path for host and region at time t, the
// way the AWS CLI's credential helper does:
//
//   - host may carry a ":port"; it is cut at the first colon before signing.
//   - path is what git sends: the URL path without its leading slash. It is
//     signed as "/" + path, cut at the first '?' or '#' as a URL parser would.
//   - The canonical request is "GIT\n<path>\n\nhost:<host>\n\nhost\n": no
//     query, one signed header, and an empty payload-hash line.
//   - The string to sign carries the timestamp without its trailing "Z"; the
//     password carries it with the "Z", followed by the hex signature.
//   - The username is the access key id, followed by "%" and the session
//     token when there is one.
//
// Only the second of t counts for the signature; Expires is computed from t
// itself.
func CodeCommit(c Credentials, region, host, path string, t time.Time) Password {
	t = t.UTC()
	stamp := t.Format("20060102T150405")
	host, _, _ = strings.Cut(host, ":")
	path = "/" + path
	if i := strings.IndexAny(path, "?#"); i >= 0 {
		path = path[:i]
	}
	creq := "GIT\n" + path + "\n\nhost:" + host + "\n\nhost\n"
	sts := StringToSign(stamp, Scope(t, region, Service), creq)
	sig := Signature(SigningKey(c.SecretAccessKey, t, region, Service), sts)

	user := c.AccessKeyID
	if c.SessionToken != "" {
		user += "%" + c.SessionToken
	}
	return Password{
		Username:         user,
		Password:         stamp + "Z" + sig,
		Expires:          expiry(t, c.Expires),
		CanonicalRequest: creq,
		StringToSign:     sts,
	}
}

// expiry is when a password signed at t with credentials expiring at
// credsExpire (zero: never) is to be dropped.
func expiry(t, credsExpire time.Time) time.Time {
	e := t.Add(PasswordLifetime - ExpiryMargin)
	if !credsExpire.IsZero() && credsExpire.Before(e) {
		return credsExpire
	}
	return e
}

// Scope returns the credential scope "YYYYMMDD/region/service/aws4_request".
func Scope(t time.Time, region, service string) string {
	return t.UTC().Format("20060102") + "/" + region + "/" + service + "/aws4_request"
}

// StringToSign returns the SigV4 string to sign for a canonical request.
// timestamp is written as given: standard SigV4 uses "20060102T150405Z",
// CodeCommit's git password the same without the "Z".
func StringToSign(timestamp, scope, canonicalRequest string) string {
	sum := sha256.Sum256([]byte(canonicalRequest))
	return Algorithm + "\n" + timestamp + "\n" + scope + "\n" + hex.EncodeToString(sum[:])
}

// SigningKey derives the SigV4 signing key for the day of t, region and
// service from a secret access key.
func SigningKey(secret string, t time.Time, region, service string) []byte {
	k := hmacSHA256([]byte("AWS4"+secret), t.UTC().Format("20060102"))
	k = hmacSHA256(k, region)
	k = hmacSHA256(k, service)
	return hmacSHA256(k, "aws4_request")
}

// Signature returns the lowercase hex HMAC-SHA256 of stringToSign under key.
func Signature(key []byte, stringToSign string) string {
	return hex.EncodeToString(hmacSHA256(key, stringToSign))
}

func hmacSHA256(key []byte, data string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(data))
	return h.Sum(nil)
}
