package login

import (
	"context"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/signin"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// dpopProof is a DPoP proof (RFC 9449) of key for a POST to htu at now, in
// the AWS CLI's form: an ES256 JWS whose header carries the public key as
// a JWK, whose payload has htm, htu, iat and a random jti, and whose
// signature is r || s, 32 bytes each.
func dpopProof(key *ecdsa.PrivateKey, htu string, now time.Time) (string, error) {
	pub, err := key.PublicKey.ECDH()
	if err != nil {
		return "", err
	}
	point := pub.Bytes() // 0x04 || X || Y, 32 bytes each
	header, err := json.Marshal(struct {
		Typ string            `json:"typ"`
		Alg string            `json:"alg"`
		JWK map[string]string `json:"jwk"`
	}{"dpop+jwt", "ES256", map[string]string{"kty": "EC", "x": b64url(point[1:33]), "y": b64url(point[33:65]), "crv": "P-256"}})
	if err != nil {
		return "", err
	}
	payload, err := json.Marshal(struct {
		Htm string `json:"htm"`
		Htu string `json:"htu"`
		Iat int64  `json:"iat"`
		Jti string `json:"jti"`
	}{"POST", htu, now.Unix(), uuid()})
	if err != nil {
		return "", err
	}
	input := b64url(header) + "." + b64url(payload)
	digest := sha256.Sum256([]byte(input))
	r, s, err := ecdsa.Sign(rand.Reader, key, digest[:])
	if err != nil {
		return "", err
	}
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	return input + "." + b64url(sig), nil
}

func b64url(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// uuid is a random (version 4) UUID.
func uuid() string {
	b := make([]byte, 16)
	rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// withDPoP signs every request of a Sign-In client with a DPoP proof of
// key for its URL, as the last step before it is sent.
func withDPoP(key *ecdsa.PrivateKey, now func() time.Time) func(*signin.Options) {
	return signin.WithAPIOptions(func(stack *middleware.Stack) error {
		return stack.Finalize.Add(middleware.FinalizeMiddlewareFunc("DPoP", func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
			req, ok := in.Request.(*smithyhttp.Request)
			if !ok {
				return middleware.FinalizeOutput{}, middleware.Metadata{}, fmt.Errorf("unexpected request type %T", in.Request)
			}
			p, err := dpopProof(key, req.URL.String(), now())
			if err != nil {
				return middleware.FinalizeOutput{}, middleware.Metadata{}, err
			}
			req.Header.Set("DPoP", p)
			return next.HandleFinalize(ctx, in)
		}), middleware.After)
	})
}
