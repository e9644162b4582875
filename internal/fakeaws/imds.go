package fakeaws

import (
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"
)

const (
	imdsTokenTTLHeader = "X-Aws-Ec2-Metadata-Token-Ttl-Seconds"
	imdsTokenHeader    = "X-Aws-Ec2-Metadata-Token"
	imdsCredsPath      = "/latest/meta-data/iam/security-credentials/"
)

// IMDS fakes the EC2 instance metadata service of an instance with an IAM
// role that requires IMDSv2 (session tokens). It issues keys whose id starts
// with "ASIAIMDS", valid for 6 hours, and serves them until 15 minutes before
// they expire.
//
// It answers what the SDK's ec2rolecreds provider asks:
//   - PUT /latest/api/token with X-aws-ec2-metadata-token-ttl-seconds between
//     1 and 21600 answers a session token, echoing the TTL header; without
//     the header or outside that range, 400.
//   - GET /latest/meta-data/iam/security-credentials/ answers the role name
//     and GET /latest/meta-data/iam/security-credentials/ROLE the role's
//     credentials as JSON. Both need a valid, unexpired session token in
//     X-aws-ec2-metadata-token, else 401, which makes the SDK fetch a new
//     token and try again.
//
// The fake is simpler than EC2: every other path under /latest/meta-data/
// is 404 (after the token check), a wrong method is 405, LastUpdated is the
// time of the answer, and the X-Forwarded-For check EC2 makes on token
// requests is not made.
type IMDS struct {
	// URL is the endpoint, for AWS_EC2_METADATA_SERVICE_ENDPOINT.
	URL string

	role  string
	creds *rotating
	srv   *server

	mu     sync.Mutex
	tokens map[string]time.Time // session token → expiry
}

// StartIMDS starts an instance metadata fake for an instance whose IAM role
// is named role, and issues its first credentials into keys.
func StartIMDS(keys *Keys, role string) (*IMDS, error) {
	srv, err := listen()
	if err != nil {
		return nil, err
	}
	m := &IMDS{
		URL:    srv.url,
		role:   role,
		creds:  newRotating(keys, "ASIAIMDS", 6*time.Hour),
		srv:    srv,
		tokens: make(map[string]time.Time),
	}
	mux := http.NewServeMux()
	mux.HandleFunc("PUT /latest/api/token", m.token)
	mux.HandleFunc("GET /latest/meta-data/", m.metadata)
	srv.serve(mux)
	return m, nil
}

// Close stops the fake.
func (m *IMDS) Close() { m.srv.close() }

// Requests returns how many requests the fake received, of any kind.
func (m *IMDS) Requests() int { return m.srv.requests() }

// CredentialFetches returns how many GETs of the role's credentials the fake
// received, refused ones included.
func (m *IMDS) CredentialFetches() int { return m.srv.callCount("credentials") }

// Issued returns the credentials the fake currently serves.
func (m *IMDS) Issued() Credentials { return m.creds.current() }

func (m *IMDS) token(w http.ResponseWriter, r *http.Request) {
	ttl, err := strconv.Atoi(r.Header.Get(imdsTokenTTLHeader))
	if err != nil || ttl < 1 || ttl > 21600 {
		http.Error(w, "Bad Request", http.StatusBadRequest)
		return
	}
	token := randomBase64(42)
	m.mu.Lock()
	m.tokens[token] = time.Now().Add(time.Duration(ttl) * time.Second)
	m.mu.Unlock()
	w.Header().Set(imdsTokenTTLHeader, strconv.Itoa(ttl))
	w.Header().Set("Content-Type", "text/plain")
	io.WriteString(w, token)
}

func (m *IMDS) metadata(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == imdsCredsPath+m.role {
		m.srv.begin(r, "credentials")
	}
	m.mu.Lock()
	expires, ok := m.tokens[r.Header.Get(imdsTokenHeader)]
	m.mu.Unlock()
	if !ok || time.Now().After(expires) {
		http.Error(w, "Unauthorized", http.StatusUnauthorized)
		return
	}
	switch r.URL.Path {
	case imdsCredsPath:
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, m.role)
	case imdsCredsPath + m.role:
		c := m.creds.current()
		now := time.Now().UTC().Truncate(time.Second)
		// EC2 sends this JSON as text/plain.
		w.Header().Set("Content-Type", "text/plain")
		writeJSON(w, http.StatusOK, map[string]string{
			"Code":            "Success",
			"LastUpdated":     now.Format(time.RFC3339),
			"Type":            "AWS-HMAC",
			"AccessKeyId":     c.AccessKeyID,
			"SecretAccessKey": c.SecretAccessKey,
			"Token":           c.SessionToken,
			"Expiration":      c.Expiration.Format(time.RFC3339),
		})
	default:
		http.NotFound(w, r)
	}
}
