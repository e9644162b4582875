package sigv4

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/smithy-go/logging"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/awsclivectors"
)

// TestCodeCommitAWSCLIVectors reproduces, byte for byte, the username and
// password the AWS CLI v2's credential helper printed for each vector.
func TestCodeCommitAWSCLIVectors(t *testing.T) {
	for _, v := range awsclivectors.Load(t) {
		c := Credentials{AccessKeyID: v.AccessKeyID, SecretAccessKey: v.SecretAccessKey, SessionToken: v.SessionToken}
		got := CodeCommit(c, regionOf(t, v.Host), v.Host, v.Path, v.Time)
		if got.Username != v.Username {
			t.Errorf("%s %s: username\n got %q\nwant %q", v.Time, v.URL(), got.Username, v.Username)
		}
		if got.Password != v.Password {
			t.Errorf("%s %s: password\n got %q\nwant %q", v.Time, v.URL(), got.Password, v.Password)
		}
	}
}

// regionOf takes the region label out of a CodeCommit host the way the AWS
// CLI does, independently of the endpoint package that SignURL uses.
func regionOf(t *testing.T, host string) string {
	m := regexp.MustCompile(`^(vpce-.+\.)?git-codecommit(-fips)?\.([^.]+)\.`).FindStringSubmatch(host)
	if m == nil {
		t.Fatalf("no region in %q", host)
	}
	return m[3]
}

// TestCodeCommitAWSCLIUnitVectors checks the three fixed vectors of the AWS
// CLI's own unit tests for its credential helper. They send the path with a
// leading slash, so the signed path starts with two.
func TestCodeCommitAWSCLIUnitVectors(t *testing.T) {
	when := time.Date(2010, 10, 8, 0, 0, 0, 0, time.UTC)
	c := Credentials{AccessKeyID: "foo", SecretAccessKey: "bar"}
	for _, tc := range []struct{ host, want string }{
		{"git-codecommit.us-east-1.amazonaws.com",
			"20101008T000000Z7dc259e2d505af354a1219b9bcd784bd384dc706efa0d9aefc571f214be4c89c"},
		{"git-codecommit-fips.us-east-1.amazonaws.com",
			"20101008T000000Z500037cb3514b3fe01ebcda7c80973f5b4c0d8199a7a6563b85fd6edf272d460"},
		{"vpce-0b47ea360adebf88a-jkl88hez.git-codecommit.us-east-1.vpce.amazonaws.com",
			"20101008T000000Z9ed987cc6336c3de2d9f06b9236c7a9fd76b660b080db15983290e636dbfbd6b"},
	} {
		got := CodeCommit(c, "us-east-1", tc.host, "/v1/repos/myrepo", when)
		if got.Password != tc.want || got.Username != "foo" {
			t.Errorf("%s: got %s %s, want foo %s", tc.host, got.Username, got.Password, tc.want)
		}
	}
}

func TestCodeCommitCanonicalForm(t *testing.T) {
	when := time.Date(2026, 11, 25, 12, 0, 0, 999, time.FixedZone("X", 3600))
	got := CodeCommit(Credentials{AccessKeyID: "AKID", SecretAccessKey: "s"},
		"eu-west-1", "git-codecommit.eu-west-1.amazonaws.com:8443", "v1/repos/r?x#y", when)
	wantCreq := "GIT\n/v1/repos/r\n\nhost:git-codecommit.eu-west-1.amazonaws.com\n\nhost\n"
	if got.CanonicalRequest != wantCreq {
		t.Errorf("canonical request %q, want %q", got.CanonicalRequest, wantCreq)
	}
	sum := sha256.Sum256([]byte(wantCreq))
	wantSTS := "AWS4-HMAC-SHA256\n20261125T110000\n20261125/eu-west-1/codecommit/aws4_request\n" + hex.EncodeToString(sum[:])
	if got.StringToSign != wantSTS {
		t.Errorf("string to sign %q, want %q", got.StringToSign, wantSTS)
	}
	if !strings.HasPrefix(got.Password, "20261125T110000Z") {
		t.Errorf("password %q does not start with the UTC timestamp", got.Password)
	}
}

// suiteCase is one case of the AWS SigV4 test suite in testdata/aws4_testsuite
// (copied from botocore's tests/unit/auth/aws4_testsuite; see its NOTICE).
type suiteCase struct {
	name                  string
	req, creq, sts, authz string
}

const (
	suiteKeyID  = "AKIDEXAMPLE"
	suiteSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
	suiteToken  = "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267"
	suiteRegion = "us-east-1"
	suiteSvc    = "service"
)

var suiteTime = time.Date(2015, 8, 30, 12, 36, 0, 0, time.UTC)

func loadSuite(t *testing.T) []suiteCase {
	t.Helper()
	reqs, err := filepath.Glob("testdata/aws4_testsuite/*/*.req")
	if err != nil {
		t.Fatal(err)
	}
	more, _ := filepath.Glob("testdata/aws4_testsuite/*/*/*.req")
	reqs = append(reqs, more...)
	read := func(p string) string {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	var cases []suiteCase
	for _, r := range reqs {
		base := strings.TrimSuffix(r, ".req")
		cases = append(cases, suiteCase{
			name:  strings.TrimPrefix(base, "testdata/aws4_testsuite/"),
			req:   read(r),
			creq:  read(base + ".creq"),
			sts:   read(base + ".sts"),
			authz: read(base + ".authz"),
		})
	}
	if len(cases) != 34 {
		t.Fatalf("found %d suite cases, want 34", len(cases))
	}
	return cases
}

var authzSignature = regexp.MustCompile(`Signature=([0-9a-f]{64})`)

// TestSuite signs every canonical request of the AWS SigV4 test suite and
// compares the string to sign and the signature with the suite's exactly.
func TestSuite(t *testing.T) {
	scope := Scope(suiteTime, suiteRegion, suiteSvc)
	key := SigningKey(suiteSecret, suiteTime, suiteRegion, suiteSvc)
	for _, c := range loadSuite(t) {
		sts := StringToSign("20150830T123600Z", scope, c.creq)
		if sts != c.sts {
			t.Errorf("%s: string to sign\n got %q\nwant %q", c.name, sts, c.sts)
		}
		m := authzSignature.FindStringSubmatch(c.authz)
		if m == nil {
			t.Fatalf("%s: no signature in %q", c.name, c.authz)
		}
		if got := Signature(key, sts); got != m[1] {
			t.Errorf("%s: signature %s, want %s", c.name, got, m[1])
		}
	}
}

// TestCoreMatchesSDKSigner signs each suite request with aws-sdk-go-v2's own
// SigV4 signer, an independent implementation, and checks that this package,
// given the canonical request the SDK built, yields the SDK's string to sign
// and the SDK's signature.
func TestCoreMatchesSDKSigner(t *testing.T) {
	scope := Scope(suiteTime, suiteRegion, suiteSvc)
	key := SigningKey(suiteSecret, suiteTime, suiteRegion, suiteSvc)
	checked := 0
	for _, c := range loadSuite(t) {
		req, body, err := parseSuiteRequest(c.req)
		if err != nil {
			t.Logf("%s: the SDK cannot take this request (%v); the suite test covers it", c.name, err)
			continue
		}
		var logged strings.Builder
		signer := v4.NewSigner(func(o *v4.SignerOptions) {
			o.LogSigning = true
			o.Logger = logging.LoggerFunc(func(_ logging.Classification, format string, v ...any) {
				fmt.Fprintf(&logged, format, v...)
			})
		})
		sum := sha256.Sum256([]byte(body))
		creds := aws.Credentials{AccessKeyID: suiteKeyID, SecretAccessKey: suiteSecret}
		if strings.Contains(c.name, "session-token") || strings.Contains(c.name, "sts-header") {
			creds.SessionToken = suiteToken
		}
		err = signer.SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), suiteSvc, suiteRegion, suiteTime)
		if err != nil {
			t.Fatalf("%s: SDK signer: %v", c.name, err)
		}
		creq, sdkSTS := splitSigningLog(t, logged.String())
		if got := StringToSign("20150830T123600Z", scope, creq); got != sdkSTS {
			t.Errorf("%s: string to sign\n got %q\n SDK %q", c.name, got, sdkSTS)
		}
		m := authzSignature.FindStringSubmatch(req.Header.Get("Authorization"))
		if m == nil {
			t.Fatalf("%s: SDK wrote no signature", c.name)
		}
		if got := Signature(key, sdkSTS); got != m[1] {
			t.Errorf("%s: signature %s, SDK %s", c.name, got, m[1])
		}
		checked++
	}
	if checked < 33 {
		t.Fatalf("only %d suite requests were cross-checked with the SDK; want at least 33", checked)
	}
}

// parseSuiteRequest reads a .req file: a request line, headers that may be
// folded, a blank line and a body.
func parseSuiteRequest(s string) (*http.Request, string, error) {
	head, body, _ := strings.Cut(s, "\n\n")
	lines := strings.Split(head, "\n")
	f := strings.Fields(lines[0])
	if len(f) != 3 {
		return nil, "", fmt.Errorf("request line %q", lines[0])
	}
	h := http.Header{}
	var last string
	for _, l := range lines[1:] {
		if l == "" {
			continue
		}
		if strings.HasPrefix(l, " ") || strings.HasPrefix(l, "\t") {
			if last == "" {
				return nil, "", fmt.Errorf("continuation without header")
			}
			v := h[last]
			v[len(v)-1] += "," + strings.TrimSpace(l)
			continue
		}
		k, v, ok := strings.Cut(l, ":")
		if !ok {
			return nil, "", fmt.Errorf("header line %q", l)
		}
		last = http.CanonicalHeaderKey(k)
		h.Add(last, v)
	}
	u, err := url.ParseRequestURI(f[1])
	if err != nil {
		return nil, "", err
	}
	u.Scheme, u.Host = "https", h.Get("Host")
	req := &http.Request{Method: f[0], URL: u, Header: h, Host: h.Get("Host")}
	h.Del("Host")
	h.Del("X-Amz-Date")
	return req, body, nil
}

// splitSigningLog takes the canonical request and string to sign out of the
// SDK signer's LogSigning output.
func splitSigningLog(t *testing.T, log string) (creq, sts string) {
	t.Helper()
	const (
		c = "---[ CANONICAL STRING  ]-----------------------------\n"
		s = "\n---[ STRING TO SIGN ]--------------------------------\n"
		e = "\n-----------------------------------------------------"
	)
	_, rest, ok1 := strings.Cut(log, c)
	creq, rest, ok2 := strings.Cut(rest, s)
	sts, _, ok3 := strings.Cut(rest, e)
	if !ok1 || !ok2 || !ok3 {
		t.Fatalf("cannot read the SDK's signing log:\n%s", log)
	}
	return creq, sts
}

func BenchmarkCodeCommit(b *testing.B) {
	c := Credentials{AccessKeyID: "AKIAZPQ7BACL9JSN3PCY", SecretAccessKey: "wAETd0JhOXoruaQMpdKMbKFgc0P6OmMK90gcSmyk", SessionToken: strings.Repeat("x", 400)}
	when := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	b.ReportAllocs()
	for b.Loop() {
		CodeCommit(c, "us-east-1", "git-codecommit.us-east-1.amazonaws.com", "v1/repos/myrepo", when)
	}
}
