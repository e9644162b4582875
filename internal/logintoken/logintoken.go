// Package logintoken is the token file of a console sign-in session (the
// AWS CLI's "aws login", 2.32+), as the AWS CLI writes it and the AWS SDKs
// read and refresh it: ~/.aws/login/cache/<hex SHA-256 of the
// login_session>.json. It holds the session's temporary credentials, its
// refresh token and the P-256 key its DPoP proofs are signed with. This is
// its format, its path, and its one reader, which login, logout, doctor and
// get's check of the file share.
package logintoken

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials/logincreds"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/failure"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/safefile"
)

// Client IDs of AWS Sign-In's two developer-tool clients, as the AWS CLI
// names them: same-device redirects to a loopback listener, cross-device
// shows a code to paste.
const (
	SameDeviceClient  = "arn:aws:signin:::devtools/same-device"
	CrossDeviceClient = "arn:aws:signin:::devtools/cross-device"
)

// Token is a token file. The fields are the AWS CLI's, in its order; the
// AWS SDK for Go rewrites the file on refresh with an identityToken in
// place of idToken, which Read accepts.
type Token struct {
	AccessToken   AccessToken `json:"accessToken"`
	TokenType     string      `json:"tokenType"`
	ClientID      string      `json:"clientId"`
	RefreshToken  string      `json:"refreshToken"`
	IDToken       string      `json:"idToken"`
	DPoPKey       string      `json:"dpopKey"`
	IdentityToken string      `json:"identityToken,omitempty"` // the SDK's name for idToken
}

// AccessToken is the session's temporary credentials. ExpiresAt is RFC
// 3339 in UTC, to the second.
type AccessToken struct {
	AccessKeyID     string    `json:"accessKeyId"`
	SecretAccessKey string    `json:"secretAccessKey"`
	SessionToken    string    `json:"sessionToken"`
	AccountID       string    `json:"accountId"`
	ExpiresAt       time.Time `json:"expiresAt"`
}

// Path is the token file of session, where the AWS SDK reads it:
// AWS_LOGIN_CACHE_DIRECTORY, else ~/.aws/login/cache, and the hex SHA-256
// of the session.
func Path(session string) (string, error) {
	p, err := logincreds.StandardCachedTokenFilepath(session, os.Getenv("AWS_LOGIN_CACHE_DIRECTORY"))
	if err != nil {
		return "", &failure.Error{Problem: "cannot find the console sign-in token cache", Cause: failure.Reason(err), Fix: "set HOME to your home directory", Err: err}
	}
	return p, nil
}

// Read reads the token file path by the rules of internal/safefile (see
// ssotoken.Read): a FIFO or a link there is refused at once, with an error
// matching safefile.ErrUntrusted. A file the SDK could not use (no keys,
// no expiry, no refresh token or no key) is an error that says so; the
// Token holds what the file had, for its Secrets.
func Read(path string) (Token, error) {
	b, err := safefile.ReadFile(path, safefile.MaxSmallFile)
	if err != nil {
		return Token{}, err
	}
	var t Token
	if err := json.Unmarshal(b, &t); err != nil {
		return t, &failure.Error{Problem: path + " is not a console sign-in token file", Cause: failure.Reason(err), Err: err}
	}
	a := t.AccessToken
	if a.AccessKeyID == "" || a.SecretAccessKey == "" || a.SessionToken == "" || a.ExpiresAt.IsZero() || t.RefreshToken == "" || t.ClientID == "" || t.DPoPKey == "" {
		return t, &failure.Error{Problem: path + " is not a console sign-in token file", Cause: "it lacks keys, expiresAt, refreshToken, clientId or dpopKey"}
	}
	return t, nil
}

// Secrets are the values of t that no message may print.
func (t Token) Secrets() []string {
	return []string{t.AccessToken.SecretAccessKey, t.AccessToken.SessionToken, t.RefreshToken, t.DPoPKey}
}

// Marshal is t as the AWS CLI writes it, times in UTC to the second.
func (t Token) Marshal() ([]byte, error) {
	t.AccessToken.ExpiresAt = t.AccessToken.ExpiresAt.UTC().Truncate(time.Second)
	return json.Marshal(t)
}

// EncodeKey is key as the AWS CLI writes it in dpopKey: the SEC 1 DER of
// the private key in a PEM "EC PRIVATE KEY" block, in lines of 64.
func EncodeKey(key *ecdsa.PrivateKey) (string, error) {
	der, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return "", err
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der})), nil
}

// DecodeKey parses a dpopKey: a P-256 key in SEC 1 ("EC PRIVATE KEY", the
// AWS CLI's) or PKCS #8 ("PRIVATE KEY") form.
func DecodeKey(s string) (*ecdsa.PrivateKey, error) {
	block, _ := pem.Decode([]byte(s))
	if block == nil {
		return nil, errors.New("no PEM block")
	}
	var key *ecdsa.PrivateKey
	switch block.Type {
	case "EC PRIVATE KEY":
		k, err := x509.ParseECPrivateKey(block.Bytes)
		if err != nil {
			return nil, err
		}
		key = k
	case "PRIVATE KEY":
		k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return nil, err
		}
		ec, ok := k.(*ecdsa.PrivateKey)
		if !ok {
			return nil, errors.New("not an EC key")
		}
		key = ec
	default:
		return nil, errors.New("a " + strings.ToLower(block.Type) + " block, not a private key")
	}
	if key.Curve != elliptic.P256() {
		return nil, errors.New("not a P-256 key")
	}
	return key, nil
}
