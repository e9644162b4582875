package fakecodecommit

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"strings"
	"time"
)

// KeyLookup returns the secret key and session token ("" for none) of a
// known access key id.
type KeyLookup func(accessKeyID string) (secret, sessionToken string, ok bool)

// PasswordLifetime is how long a signed password is accepted: 15 minutes
// either side of its timestamp.
const PasswordLifetime = 15 * time.Minute

// The errors Verify returns. Their text says why a password is refused and
// never holds a secret key, a session token or a signature.
var (
	ErrUnknownKey        = errors.New("unknown access key id")
	ErrSessionToken      = errors.New("session token does not match")
	ErrMalformedPassword = errors.New("malformed password")
	ErrExpired           = errors.New("password timestamp outside the 15-minute window")
	ErrNoRegion          = errors.New("host names no codecommit region")
	ErrSignature         = errors.New("signature does not match")
)

// stampLayout is the password's timestamp as it appears in the string to
// sign; the password itself carries it followed by "Z".
const stampLayout = "20060102T150405"

// Verify checks a CodeCommit git username and password for host (which may
// carry ":port") and repository path ("/v1/repos/NAME") at time now, as
// CodeCommit does. It returns the access key id and nil, or an error saying
// why the password is refused (one of the Err variables of this package).
//
// It is written from the description of the algorithm, not from the
// project's signer, so that each checks the other.
func Verify(username, password, host, repoPath string, lookup KeyLookup, now time.Time) (accessKeyID string, err error) {
	id, token, _ := strings.Cut(username, "%")
	if id == "" || lookup == nil {
		return "", ErrUnknownKey
	}
	secret, knownToken, ok := lookup(id)
	if !ok {
		return "", ErrUnknownKey
	}
	if subtle.ConstantTimeCompare([]byte(token), []byte(knownToken)) != 1 {
		return "", ErrSessionToken
	}

	stamp, sig, ok := parsePassword(password)
	if !ok {
		return "", ErrMalformedPassword
	}
	t, err := time.Parse(stampLayout, stamp)
	if err != nil {
		return "", ErrMalformedPassword
	}
	if d := now.Sub(t); d > PasswordLifetime || d < -PasswordLifetime {
		return "", ErrExpired
	}

	hostname, _, _ := strings.Cut(host, ":")
	region, ok := regionOf(hostname)
	if !ok {
		return "", ErrNoRegion
	}

	canonical := "GIT\n" + repoPath + "\n\nhost:" + hostname + "\n\nhost\n"
	digest := sha256.Sum256([]byte(canonical))
	date := stamp[:8]
	toSign := "AWS4-HMAC-SHA256\n" + stamp + "\n" +
		date + "/" + region + "/codecommit/aws4_request\n" +
		hex.EncodeToString(digest[:])

	key := mac([]byte("AWS4"+secret), date)
	for _, part := range []string{region, "codecommit", "aws4_request"} {
		key = mac(key, part)
	}
	if !hmac.Equal(sig, mac(key, toSign)) {
		return "", ErrSignature
	}
	return id, nil
}

// parsePassword splits "YYYYMMDDTHHMMSSZ" + 64 lowercase hex digits into the
// timestamp without its "Z" and the decoded signature.
func parsePassword(p string) (stamp string, sig []byte, ok bool) {
	if len(p) != len(stampLayout)+1+64 {
		return "", nil, false
	}
	for i := 0; i < len(stampLayout)+1; i++ {
		c := p[i]
		switch i {
		case 8:
			ok = c == 'T'
		case 15:
			ok = c == 'Z'
		default:
			ok = '0' <= c && c <= '9'
		}
		if !ok {
			return "", nil, false
		}
	}
	hexSig := p[len(stampLayout)+1:]
	for i := 0; i < len(hexSig); i++ {
		if c := hexSig[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return "", nil, false
		}
	}
	sig, err := hex.DecodeString(hexSig)
	if err != nil {
		return "", nil, false
	}
	return p[:len(stampLayout)], sig, true
}

// regionOf returns the region a CodeCommit git host name (without port)
// names. The accepted forms are git-codecommit.REGION.SUFFIX,
// git-codecommit-fips.REGION.SUFFIX and, for VPC endpoints,
// vpce-ID.git-codecommit[-fips].REGION.vpce.SUFFIX, where SUFFIX is one or
// more DNS labels.
func regionOf(host string) (string, bool) {
	labels := strings.Split(host, ".")
	for _, l := range labels {
		if l == "" {
			return "", false
		}
	}
	vpce := strings.HasPrefix(labels[0], "vpce-") && len(labels[0]) > len("vpce-")
	if vpce {
		labels = labels[1:]
	}
	if len(labels) < 3 || labels[0] != "git-codecommit" && labels[0] != "git-codecommit-fips" {
		return "", false
	}
	region, suffix := labels[1], labels[2:]
	if vpce {
		if suffix[0] != "vpce" {
			return "", false
		}
		suffix = suffix[1:]
	}
	if len(suffix) == 0 || !regionName(region) {
		return "", false
	}
	return region, true
}

// regionName reports whether s looks like an AWS region: lowercase letters,
// digits and hyphens.
func regionName(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return s != ""
}

func mac(key []byte, data string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(data))
	return h.Sum(nil)
}
