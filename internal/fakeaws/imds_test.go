package fakeaws

import (
	"strings"
	"testing"
	"time"
)

func startIMDS(t *testing.T) (*IMDS, *Keys) {
	t.Helper()
	keys := NewKeys()
	m, err := StartIMDS(keys, "BuildRole")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Close)
	return m, keys
}

func TestIMDS(t *testing.T) {
	setup(t)
	m, keys := startIMDS(t)
	enableIMDS(t, m.URL)

	got := mustRetrieve(t)
	want := checkIssued(t, keys, got, "ASIAIMDS")
	if want != m.Issued() {
		t.Errorf("retrieved %s, the fake serves %s", got.AccessKeyID, m.Issued().AccessKeyID)
	}
	if d := time.Until(want.Expiration); d < 5*time.Hour || d > 6*time.Hour {
		t.Errorf("credentials expire in %v, want 6h", d)
	}
	// A token, the role list, the role's credentials.
	if m.Requests() != 3 || m.CredentialFetches() != 1 {
		t.Errorf("%d requests and %d credential fetches, want 3 and 1", m.Requests(), m.CredentialFetches())
	}
}

// TestIMDSRequiresToken checks the IMDSv2 exchange request by request.
func TestIMDSRequiresToken(t *testing.T) {
	m, _ := startIMDS(t)
	list := m.URL + "/latest/meta-data/iam/security-credentials/"

	for _, tc := range []struct {
		name, method, path string
		header             []string
		status             int
	}{
		{"list without token", "GET", list, nil, 401},
		{"credentials without token", "GET", list + "BuildRole", nil, 401},
		{"list with a made-up token", "GET", list, []string{"X-aws-ec2-metadata-token", "made-up"}, 401},
		{"token without TTL", "PUT", m.URL + "/latest/api/token", nil, 400},
		{"token with too long a TTL", "PUT", m.URL + "/latest/api/token", []string{"X-aws-ec2-metadata-token-ttl-seconds", "21601"}, 400},
		{"token by GET", "GET", m.URL + "/latest/api/token", []string{"X-aws-ec2-metadata-token-ttl-seconds", "300"}, 405},
	} {
		resp, body := do(t, tc.method, tc.path, "", tc.header...)
		if resp.StatusCode != tc.status {
			t.Errorf("%s: %d %s, want %d", tc.name, resp.StatusCode, body, tc.status)
		}
	}

	resp, token := do(t, "PUT", m.URL+"/latest/api/token", "", "X-aws-ec2-metadata-token-ttl-seconds", "300")
	if resp.StatusCode != 200 || token == "" || resp.Header.Get("X-aws-ec2-metadata-token-ttl-seconds") != "300" {
		t.Fatalf("token: %d %q, TTL header %q", resp.StatusCode, token, resp.Header.Get("X-aws-ec2-metadata-token-ttl-seconds"))
	}
	resp, body := do(t, "GET", list, "", "X-aws-ec2-metadata-token", token)
	if resp.StatusCode != 200 || body != "BuildRole" {
		t.Errorf("role list: %d %q", resp.StatusCode, body)
	}
	resp, body = do(t, "GET", list+"BuildRole", "", "X-aws-ec2-metadata-token", token)
	if resp.StatusCode != 200 || !strings.Contains(body, `"Code":"Success"`) || !strings.Contains(body, `"Type":"AWS-HMAC"`) ||
		!strings.Contains(body, `"AccessKeyId":"`+m.Issued().AccessKeyID+`"`) {
		t.Errorf("credentials: %d %s", resp.StatusCode, body)
	}
	resp, _ = do(t, "GET", list+"OtherRole", "", "X-aws-ec2-metadata-token", token)
	if resp.StatusCode != 404 {
		t.Errorf("credentials of another role: %d, want 404", resp.StatusCode)
	}
	if n := m.CredentialFetches(); n != 2 {
		t.Errorf("%d credential fetches, want 2", n)
	}
}
