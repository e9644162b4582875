package doctor

import (
	"context"
	"testing"
	"time"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/awscreds"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/login"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/testenv"
)

// TestSSOTokenClock checks the token check against the clock it is given,
// not the machine's: the same token file is fine, soon to expire, or
// expired, depending on now alone.
func TestSSOTokenClock(t *testing.T) {
	t.Parallel()
	path := testenv.WriteFile(t, t.TempDir(), "token.json", `{"accessToken": "token-of-the-clock-test", "expiresAt": "2030-01-01T00:00:00Z"}`)
	s := login.Session{Name: "corp", Profile: "dev"}
	const what = `the IAM Identity Center token of SSO session "corp" `
	for _, tc := range []struct {
		now    string
		status Status
		detail string
	}{
		{"2029-12-31T00:00:00Z", OK, what + "expires at 2030-01-01T00:00:00Z, in 24h0m; only a sign-in renews it"},
		{"2029-12-31T23:30:00Z", Warn, what + "expires at 2030-01-01T00:00:00Z, in 30m, and only a sign-in renews it"},
		{"2030-01-01T01:00:00Z", Fail, what + "expired at 2030-01-01T00:00:00Z, and only a sign-in renews it"},
	} {
		now, err := time.Parse(time.RFC3339, tc.now)
		if err != nil {
			t.Fatal(err)
		}
		c := ssoTokenCheck(context.Background(), s, path, awscreds.Resolved{}, false, now)
		if c.Name != "sso" || c.Status != tc.status || c.Detail != tc.detail || (c.Status != OK) != (c.Fix == "git-credential-codecommit login --profile dev") {
			t.Errorf("now %s: %+v, want %s %q", tc.now, c, tc.status, tc.detail)
		}
	}
}
