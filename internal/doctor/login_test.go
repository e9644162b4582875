package doctor

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/testenv"
)

// TestLoginTokenCheck: doctor's findings on a console sign-in session's
// token file, each with the one-line fix.
func TestLoginTokenCheck(t *testing.T) {
	const session = "arn:aws:iam::111122223333:user/dev"
	now := time.Date(2026, 1, 2, 3, 0, 0, 0, time.UTC)
	token := func(expires string) string {
		return `{"accessToken":{"accessKeyId":"ASIAX","secretAccessKey":"S","sessionToken":"T","accountId":"111122223333","expiresAt":"` + expires +
			`"},"tokenType":"aws_sigv4","clientId":"arn:aws:signin:::devtools/same-device","refreshToken":"R","idToken":"I","dpopKey":"K"}`
	}
	const fix = "git-credential-codecommit login --console --profile dev"
	for _, tc := range []struct {
		name, body string
		mode       os.FileMode
		credsOK    bool
		status     Status
		detail     string
		fix        string
	}{
		{"no token", "", 0, false, Fail, "no token of the console sign-in session " + session + ": no ", fix},
		{"shared", token("2026-01-02T03:10:00Z"), 0o666, true, Fail, "the console sign-in token ", "remove it, then run " + fix},
		{"not a token", `{"accessToken":{}}`, 0o600, false, Fail, "cannot be used (", fix},
		{"valid", token("2026-01-02T03:10:00Z"), 0o600, true, OK, "has credentials until 2026-01-02T03:10:00Z, in 10m; the AWS SDK renews them", ""},
		{"expired, renewed on use", token("2026-01-02T02:50:00Z"), 0o600, true, OK, "expired at 2026-01-02T02:50:00Z; the AWS SDK renews them when next used", ""},
		{"ended", token("2026-01-02T02:50:00Z"), 0o600, false, Fail, "has ended: its credentials expired at 2026-01-02T02:50:00Z, and its refresh token did not renew them", fix},
	} {
		t.Run(tc.name, func(t *testing.T) {
			home := testenv.Isolate(t)
			path := filepath.Join(home, ".aws", "login", "cache", "x.json")
			if tc.body != "" {
				testenv.WriteFile(t, home, ".aws/login/cache/x.json", tc.body)
				os.Chmod(path, tc.mode)
			}
			c := loginTokenCheck(context.Background(), "dev", session, path, tc.credsOK, now)
			if c.Name != "login" || c.Status != tc.status || !strings.Contains(c.Detail, tc.detail) || c.Fix != tc.fix {
				t.Errorf("%+v\nwant %v, a detail with %q, fix %q", c, tc.status, tc.detail, tc.fix)
			}
		})
	}
}
