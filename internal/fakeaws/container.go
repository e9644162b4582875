package fakeaws

import (
	"net/http"
	"time"
)

// containerPath is the path of the credentials on the container endpoint, as
// on EKS Pod Identity's agent.
const containerPath = "/v1/credentials"

// Container fakes the container credentials endpoint of ECS, CodeBuild and
// EKS Pod Identity. It issues keys whose id starts with "ASIACONT", valid for
// 6 hours, and serves them until 15 minutes before they expire.
//
// GET of its URL answers the credentials as JSON (AccessKeyId,
// SecretAccessKey, Token, Expiration) when the Authorization header equals
// the token given to StartContainer exactly; otherwise it answers 403 with a
// JSON error ({"code": ..., "message": ...}), the form the SDK reads.
//
// The fake is simpler than the real endpoints: it serves one role, answers
// no RoleArn or AccountId, and its error codes are its own.
type Container struct {
	// URL is the full URI of the credentials, for
	// AWS_CONTAINER_CREDENTIALS_FULL_URI.
	URL string

	authToken string
	creds     *rotating
	srv       *server
}

// StartContainer starts a container credentials fake that requires authToken
// in the Authorization header (an empty authToken requires no header) and
// issues its first credentials into keys.
func StartContainer(keys *Keys, authToken string) (*Container, error) {
	srv, err := listen()
	if err != nil {
		return nil, err
	}
	c := &Container{
		URL:       srv.url + containerPath,
		authToken: authToken,
		creds:     newRotating(keys, "ASIACONT", 6*time.Hour),
		srv:       srv,
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+containerPath, c.handle)
	srv.serve(mux)
	return c, nil
}

// Close stops the fake.
func (c *Container) Close() { c.srv.close() }

// Requests returns how many requests the fake received, of any kind.
func (c *Container) Requests() int { return c.srv.requests() }

// FailNext makes the next len(f) requests for credentials answer these
// faults, in order, as JSON errors.
func (c *Container) FailNext(f ...Fault) { c.srv.failNext(f) }

// Issued returns the credentials the fake currently serves.
func (c *Container) Issued() Credentials { return c.creds.current() }

type containerError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func (c *Container) handle(w http.ResponseWriter, r *http.Request) {
	if f, ok := c.srv.begin(r, "credentials"); ok {
		writeJSON(w, f.Status, containerError{f.Code, f.Message})
		return
	}
	if r.Header.Get("Authorization") != c.authToken {
		writeJSON(w, http.StatusForbidden, containerError{"AccessDeniedException", "The authorization token is not valid."})
		return
	}
	k := c.creds.current()
	writeJSON(w, http.StatusOK, map[string]string{
		"AccessKeyId":     k.AccessKeyID,
		"SecretAccessKey": k.SecretAccessKey,
		"Token":           k.SessionToken,
		"Expiration":      k.Expiration.Format(time.RFC3339),
	})
}
