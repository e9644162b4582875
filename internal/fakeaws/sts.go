package fakeaws

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
)

const (
	stsVersion   = "2011-06-15"
	stsNamespace = "https://sts.amazonaws.com/doc/2011-06-15/"
	// unknownAccount is the account of callers whose keys STS did not issue.
	unknownAccount = "123456789012"
)

// STS fakes the STS query API (form POST, XML answers, Version 2011-06-15):
// AssumeRole, AssumeRoleWithWebIdentity and GetCallerIdentity. AssumeRole
// issues keys whose id starts with "ASIASTS", AssumeRoleWithWebIdentity keys
// starting with "ASIAWEB".
//
// AssumeRole and GetCallerIdentity must be signed with SigV4 by a key Keys
// knows, unexpired, and with its session token in X-Amz-Security-Token when
// it has one; otherwise STS answers 403 MissingAuthenticationToken,
// InvalidClientTokenId or ExpiredToken. Errors are XML, as STS sends them:
// <ErrorResponse><Error><Type>Sender</Type><Code>...</Code><Message>...
// </Message></Error><RequestId>...</RequestId></ErrorResponse>, with Type
// Receiver for statuses of 500 and over.
//
// The fake is simpler than STS in these ways:
//   - It authenticates a request by the access key id in the Credential= part
//     of its Authorization header and does not verify the signature.
//     Presigned (query string) requests are refused.
//   - Any known key may assume any role ARN of the form
//     arn:PARTITION:iam::ACCOUNT:role/NAME: there are no trust or permission
//     policies.
//   - It ignores DurationSeconds, policies, tags, external ids, source
//     identities and MFA: issued credentials live as long as Duration says.
//   - AssumeRoleWithWebIdentity accepts exactly the token set with
//     SetWebIdentityToken, compared as a string, not as a JWT, and refuses
//     every other token with 403 AccessDenied (as STS does when the role's
//     trust policy does not match the token; a token STS cannot validate
//     gets InvalidIdentityToken, which the SDK retries).
//   - Answers carry Credentials and AssumedRoleUser but not PackedPolicySize,
//     SourceIdentity, or the Provider, Audience and
//     SubjectFromWebIdentityToken of AssumeRoleWithWebIdentity.
//   - GetCallerIdentity reports keys STS did not issue as the IAM user
//     "fakeaws" of account 123456789012.
//   - Other actions answer 400 InvalidAction.
type STS struct {
	// URL is the endpoint, for AWS_ENDPOINT_URL_STS.
	URL string

	keys *Keys
	srv  *server

	mu       sync.Mutex
	webToken string
	lifetime time.Duration
	callers  []Call
	issued   map[string]identity // who each access key id STS issued is
}

// Call is one call STS received.
type Call struct {
	// Action is the STS action, such as "AssumeRole".
	Action string
	// AccessKeyID is the key that signed the call; it is empty for unsigned
	// calls such as AssumeRoleWithWebIdentity.
	AccessKeyID string
	// RoleARN and RoleSessionName are the role asked for, if any.
	RoleARN, RoleSessionName string
	// Issued is the access key id of the credentials issued, or empty.
	Issued string
}

// StartSTS starts an STS fake that records the credentials it issues in keys
// and authenticates callers with them.
func StartSTS(keys *Keys) (*STS, error) {
	srv, err := listen()
	if err != nil {
		return nil, err
	}
	s := &STS{URL: srv.url, keys: keys, srv: srv, lifetime: time.Hour, issued: make(map[string]identity)}
	srv.serve(http.HandlerFunc(s.handle))
	return s, nil
}

// Close stops the fake.
func (s *STS) Close() { s.srv.close() }

// Calls returns how many calls of action ("AssumeRole",
// "AssumeRoleWithWebIdentity", "GetCallerIdentity") STS received, faulted and
// refused ones included.
func (s *STS) Calls(action string) int { return s.srv.callCount(action) }

// SetLatency makes STS wait d before every answer.
func (s *STS) SetLatency(d time.Duration) { s.srv.setLatency(d) }

// Hold makes STS keep every answer, the calls counted, until release is
// called (or the caller gives up): a call that takes exactly as long as a
// test needs.
func (s *STS) Hold() (release func()) { return s.srv.hold() }

// FailNext makes the next len(f) calls answer these faults, in order, as STS
// XML errors.
func (s *STS) FailNext(f ...Fault) { s.srv.failNext(f) }

// SetWebIdentityToken sets the only token AssumeRoleWithWebIdentity accepts.
// Until it is set, every token is refused.
func (s *STS) SetWebIdentityToken(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.webToken = token
}

// Duration sets the lifetime of the credentials STS issues from now on
// (default one hour).
func (s *STS) Duration(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lifetime = d
}

// Callers returns every call STS received, in order.
func (s *STS) Callers() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.callers...)
}

// stsResult is the Result element of an answer; the fields an action does not
// answer are left empty and omitted.
type stsResult struct {
	XMLName         xml.Name
	Credentials     *stsCredentials  `xml:",omitempty"`
	AssumedRoleUser *assumedRoleUser `xml:",omitempty"`
	UserID          string           `xml:"UserId,omitempty"`
	Account         string           `xml:",omitempty"`
	Arn             string           `xml:",omitempty"`
}

type stsCredentials struct {
	AccessKeyID     string `xml:"AccessKeyId"`
	SecretAccessKey string
	SessionToken    string
	Expiration      string
}

type assumedRoleUser struct {
	Arn           string
	AssumedRoleID string `xml:"AssumedRoleId"`
}

type stsResponse struct {
	XMLName   xml.Name
	Xmlns     string `xml:"xmlns,attr"`
	Result    *stsResult
	RequestID string `xml:"ResponseMetadata>RequestId"`
}

type stsError struct {
	XMLName   xml.Name `xml:"ErrorResponse"`
	Xmlns     string   `xml:"xmlns,attr"`
	Type      string   `xml:"Error>Type"`
	Code      string   `xml:"Error>Code"`
	Message   string   `xml:"Error>Message"`
	RequestID string   `xml:"RequestId"`
}

func (s *STS) handle(w http.ResponseWriter, r *http.Request) {
	r.ParseForm() // a malformed form leaves the fields empty, which is refused below
	c := Call{
		Action:          r.Form.Get("Action"),
		AccessKeyID:     signingKeyID(r),
		RoleARN:         r.Form.Get("RoleArn"),
		RoleSessionName: r.Form.Get("RoleSessionName"),
	}
	result, fault := s.answer(r, &c)
	s.mu.Lock()
	s.callers = append(s.callers, c)
	s.mu.Unlock()

	id := requestID()
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("X-Amzn-Requestid", id)
	var v any
	if fault != nil {
		typ := "Sender"
		if fault.Status >= 500 {
			typ = "Receiver"
		}
		v = stsError{Xmlns: stsNamespace, Type: typ, Code: fault.Code, Message: fault.Message, RequestID: id}
		w.WriteHeader(fault.Status)
	} else {
		result.XMLName.Local = c.Action + "Result"
		v = stsResponse{XMLName: xml.Name{Local: c.Action + "Response"}, Xmlns: stsNamespace, Result: result, RequestID: id}
	}
	b, _ := xml.Marshal(v)
	w.Write(b)
}

// answer handles a call and fills in c.Issued.
func (s *STS) answer(r *http.Request, c *Call) (*stsResult, *Fault) {
	if f, ok := s.srv.begin(r, c.Action); ok {
		return nil, &f
	}
	if v := r.Form.Get("Version"); v != stsVersion {
		return nil, &Fault{400, "InvalidAction", fmt.Sprintf("Could not find operation %s for version %s", c.Action, v)}
	}
	switch c.Action {
	case "AssumeRole":
		if f := s.authenticate(r, c.AccessKeyID); f != nil {
			return nil, f
		}
		return s.assume(c, "ASIASTS")
	case "AssumeRoleWithWebIdentity":
		s.mu.Lock()
		ok := s.webToken != "" && r.Form.Get("WebIdentityToken") == s.webToken
		s.mu.Unlock()
		if !ok {
			return nil, &Fault{403, "AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity"}
		}
		return s.assume(c, "ASIAWEB")
	case "GetCallerIdentity":
		if f := s.authenticate(r, c.AccessKeyID); f != nil {
			return nil, f
		}
		s.mu.Lock()
		who, ok := s.issued[c.AccessKeyID]
		s.mu.Unlock()
		if !ok {
			who = identity{arn: "arn:aws:iam::" + unknownAccount + ":user/fakeaws",
				userID: fakeID("AIDA", c.AccessKeyID), account: unknownAccount}
		}
		return &stsResult{UserID: who.userID, Account: who.account, Arn: who.arn}, nil
	}
	return nil, &Fault{400, "InvalidAction", fmt.Sprintf("Could not find operation %s for version %s", c.Action, stsVersion)}
}

// signingKeyID returns the access key id in the Credential= part of a SigV4
// Authorization header, or "".
func signingKeyID(r *http.Request) string {
	_, cred, ok := strings.Cut(r.Header.Get("Authorization"), "Credential=")
	if !ok {
		return ""
	}
	id, _, _ := strings.Cut(cred, "/")
	return id
}

// authenticate checks that the request was signed by a known, unexpired key
// with its session token.
func (s *STS) authenticate(r *http.Request, accessKeyID string) *Fault {
	if accessKeyID == "" {
		return &Fault{403, "MissingAuthenticationToken", "Request is missing Authentication Token"}
	}
	c, ok := s.keys.Get(accessKeyID)
	if !ok || r.Header.Get("X-Amz-Security-Token") != c.SessionToken {
		return &Fault{403, "InvalidClientTokenId", "The security token included in the request is invalid."}
	}
	if !c.Expiration.IsZero() && time.Now().After(c.Expiration) {
		return &Fault{403, "ExpiredToken", "The security token included in the request is expired"}
	}
	return nil
}

// assume issues credentials for the role of c.
func (s *STS) assume(c *Call, prefix string) (*stsResult, *Fault) {
	parts := strings.SplitN(c.RoleARN, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "iam" || parts[4] == "" ||
		!strings.HasPrefix(parts[5], "role/") || strings.HasSuffix(parts[5], "/") {
		return nil, &Fault{400, "ValidationError", fmt.Sprintf("%s is invalid", c.RoleARN)}
	}
	if c.RoleSessionName == "" {
		return nil, &Fault{400, "ValidationError", "1 validation error detected: Value null at 'roleSessionName' failed to satisfy constraint: Member must not be null"}
	}
	role := parts[5][strings.LastIndex(parts[5], "/")+1:]
	who := identity{
		arn:     fmt.Sprintf("arn:%s:sts::%s:assumed-role/%s/%s", parts[1], parts[4], role, c.RoleSessionName),
		userID:  fakeID("AROA", c.RoleARN) + ":" + c.RoleSessionName,
		account: parts[4],
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	k := s.keys.Issue(prefix, time.Now().Add(s.lifetime))
	c.Issued = k.AccessKeyID
	s.issued[k.AccessKeyID] = who

	return &stsResult{
		Credentials: &stsCredentials{
			AccessKeyID:     k.AccessKeyID,
			SecretAccessKey: k.SecretAccessKey,
			SessionToken:    k.SessionToken,
			Expiration:      k.Expiration.Format(time.RFC3339),
		},
		AssumedRoleUser: &assumedRoleUser{Arn: who.arn, AssumedRoleID: who.userID},
	}, nil
}

// identity is who a caller is, as GetCallerIdentity answers.
type identity struct{ arn, userID, account string }

// fakeID makes a stable IAM unique id (such as AROA and 17 characters) from
// a name.
func fakeID(prefix, name string) string {
	sum := sha256.Sum256([]byte(name))
	return prefix + strings.ToUpper(hex.EncodeToString(sum[:]))[:17]
}
