package fakeaws

import (
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"
)

// dpopSkew is how far a DPoP proof's iat may be from the fake's clock.
const dpopSkew = 5 * time.Minute

// verifyDPoP verifies the DPoP proof of a request to htu (RFC 9449,
// section 4.3) and returns the JWK thumbprint (RFC 7638) of its key. It
// remembers the proof's jti, so that a replayed proof is refused.
func (s *SignIn) verifyDPoP(headers []string, htu string) (string, error) {
	if len(headers) != 1 {
		return "", fmt.Errorf("%d DPoP headers, not 1", len(headers))
	}
	parts := strings.Split(headers[0], ".")
	if len(parts) != 3 {
		return "", errors.New("not a JWS in compact form")
	}
	var header struct {
		Typ string `json:"typ"`
		Alg string `json:"alg"`
		JWK struct {
			Kty, Crv, X, Y, D string
		} `json:"jwk"`
	}
	var payload struct {
		Jti string `json:"jti"`
		Htm string `json:"htm"`
		Htu string `json:"htu"`
		Iat *int64 `json:"iat"`
	}
	if err := decodeSegment(parts[0], &header); err != nil {
		return "", fmt.Errorf("header: %v", err)
	}
	if err := decodeSegment(parts[1], &payload); err != nil {
		return "", fmt.Errorf("payload: %v", err)
	}
	switch {
	case header.Typ != "dpop+jwt":
		return "", fmt.Errorf("typ %q", header.Typ)
	case header.Alg != "ES256":
		return "", fmt.Errorf("alg %q", header.Alg)
	case header.JWK.Kty != "EC" || header.JWK.Crv != "P-256":
		return "", errors.New("the jwk is not a P-256 key")
	case header.JWK.D != "":
		return "", errors.New("the jwk holds the private key")
	case payload.Htm != "POST":
		return "", fmt.Errorf("htm %q", payload.Htm)
	case payload.Htu != htu:
		return "", fmt.Errorf("htu %q, not %q", payload.Htu, htu)
	case payload.Iat == nil || time.Since(time.Unix(*payload.Iat, 0)).Abs() > dpopSkew:
		return "", errors.New("iat missing or too far from now")
	case payload.Jti == "":
		return "", errors.New("no jti")
	}
	x, errX := coordinate(header.JWK.X)
	y, errY := coordinate(header.JWK.Y)
	if errX != nil || errY != nil {
		return "", errors.New("a jwk coordinate is not base64url of at most 32 bytes")
	}
	// On the curve? crypto/ecdh checks; crypto/ecdsa's Verify would panic
	// or fail obscurely on a point that is not.
	if _, err := ecdh.P256().NewPublicKey(append(append([]byte{4}, x...), y...)); err != nil {
		return "", errors.New("the jwk is not a point of P-256")
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || len(sig) != 64 {
		return "", errors.New("the signature is not 64 bytes of base64url (r || s)")
	}
	pub := &ecdsa.PublicKey{Curve: elliptic.P256(), X: new(big.Int).SetBytes(x), Y: new(big.Int).SetBytes(y)}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if !ecdsa.Verify(pub, digest[:], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])) {
		return "", errors.New("the signature does not verify")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.jtis[payload.Jti] {
		return "", errors.New("jti replayed")
	}
	s.jtis[payload.Jti] = true
	thumb := sha256.Sum256(fmt.Appendf(nil, `{"crv":"P-256","kty":"EC","x":%q,"y":%q}`,
		base64.RawURLEncoding.EncodeToString(x), base64.RawURLEncoding.EncodeToString(y)))
	return base64.RawURLEncoding.EncodeToString(thumb[:]), nil
}

// decodeSegment decodes a base64url JSON segment of a JWS into v.
func decodeSegment(seg string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		return errors.New("not base64url")
	}
	return json.Unmarshal(b, v)
}

// coordinate decodes a jwk coordinate to 32 bytes. RFC 7518 asks for the
// full 32, but the AWS SDK for Go (credentials/logincreds, v1.21) drops a
// coordinate's leading zero bytes, so a shorter one is padded: refusing it
// would fail one refresh in about 128.
func coordinate(s string) ([]byte, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) == 0 || len(b) > 32 {
		return nil, errors.New("bad coordinate")
	}
	return append(make([]byte, 32-len(b)), b...), nil
}
