package doctor

import (
	"crypto/sha1"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/fakeaws"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/testenv"
)

// TestDoctorSSOToken checks the report on the IAM Identity Center token of
// an SSO profile: its expiry, whether it renews itself, and the sign-in
// that fixes it.
//
// The AWS side (HOME, the config file, IAM Identity Center) is in the
// process environment, which the cases share: each has a profile and an
// sso-session of its own in one config file, dev-N and corp-N, so that
// their tokens and cached role credentials are apart, and they run in
// parallel.
func TestDoctorSSOToken(t *testing.T) {
	aws := newDoctorWorld(t)
	aws.isolate()
	aws.noEnvCredentials()
	ic, err := fakeaws.StartIdentityCenter(fakeaws.NewKeys())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ic.Close)
	ic.AllowRole("111122223333", "Developer")
	t.Setenv("AWS_ENDPOINT_URL_SSO", ic.URL)
	t.Setenv("AWS_ENDPOINT_URL_SSO_OIDC", ic.URL)
	in := func(d time.Duration) string { return time.Now().Add(d).UTC().Format(time.RFC3339) }
	cases := []struct {
		name string
		// token returns the token file, "" for none. cached first runs
		// doctor with a valid token, which caches role credentials.
		token  func(ic *fakeaws.IdentityCenter) string
		cached bool
		// status is that of the sso check, whose detail holds detail, then
		// a time and also when also is set; ok says doctor passes, fix that
		// the check names the sign-in.
		status       Status
		detail, also string
		ok, fix      bool
	}{{
		name: "renewable",
		token: func(ic *fakeaws.IdentityCenter) string {
			id, secret := ic.RegisterClient()
			access, refresh := ic.IssueToken()
			return fmt.Sprintf(`{"accessToken": %q, "expiresAt": %q, "refreshToken": %q, "clientId": %q, "clientSecret": %q, "registrationExpiresAt": %q}`,
				access, in(time.Hour), refresh, id, secret, in(90*24*time.Hour))
		},
		status: OK, detail: `the IAM Identity Center token of SSO session "corp" expires at `, also: ", in 1h0m; the AWS SDK renews it with its refresh token", ok: true,
	}, {
		name: "renewed by the credentials check",
		token: func(ic *fakeaws.IdentityCenter) string {
			id, secret := ic.RegisterClient()
			access, refresh := ic.IssueToken()
			return fmt.Sprintf(`{"accessToken": %q, "expiresAt": %q, "refreshToken": %q, "clientId": %q, "clientSecret": %q}`,
				access, in(-time.Hour), refresh, id, secret)
		},
		status: OK, detail: "expires at ", also: ", in 1h0m; the AWS SDK renews it with its refresh token", ok: true,
	}, {
		name: "refresh token refused",
		token: func(ic *fakeaws.IdentityCenter) string {
			id, secret := ic.RegisterClient()
			return fmt.Sprintf(`{"accessToken": "old", "expiresAt": %q, "refreshToken": "revoked", "clientId": %q, "clientSecret": %q}`, in(-time.Hour), id, secret)
		},
		status: Fail, detail: "expired at ", also: ", and its refresh token did not renew it", fix: true,
	}, {
		name: "only a sign-in renews it, soon",
		token: func(ic *fakeaws.IdentityCenter) string {
			access, _ := ic.IssueToken()
			return fmt.Sprintf(`{"accessToken": %q, "expiresAt": %q}`, access, in(30*time.Minute))
		},
		status: Warn, detail: "expires at ", also: ", in 30m, and only a sign-in renews it", ok: true, fix: true,
	}, {
		name: "only a sign-in renews it",
		token: func(ic *fakeaws.IdentityCenter) string {
			access, _ := ic.IssueToken()
			return fmt.Sprintf(`{"accessToken": %q, "expiresAt": %q}`, access, in(8*time.Hour))
		},
		status: OK, detail: "expires at ", also: ", in 8h0m; only a sign-in renews it", ok: true,
	}, {
		name:   "missing",
		token:  func(*fakeaws.IdentityCenter) string { return "" },
		status: Fail, detail: `the IAM Identity Center token of SSO session "corp" is missing: no /`, fix: true,
	}, {
		name: "expired, role credentials cached",
		token: func(*fakeaws.IdentityCenter) string {
			return fmt.Sprintf(`{"accessToken": "old", "expiresAt": %q}`, in(-time.Minute))
		},
		cached: true,
		status: Warn, detail: "expired at ", also: ", and only a sign-in renews it; git works with role credentials cached from it until ", ok: true, fix: true,
	}}
	var config strings.Builder
	for i := range cases {
		config.WriteString(strings.NewReplacer("profile dev", fmt.Sprintf("profile dev-%d", i), "corp", fmt.Sprintf("corp-%d", i)).Replace(testenv.SSOConfig))
	}
	aws.write(".aws/config", config.String())
	for i, tc := range cases {
		profile, session := fmt.Sprintf("dev-%d", i), fmt.Sprintf("corp-%d", i)
		// The SDK's token cache: ~/.aws/sso/cache/ + hex(sha1(session)) + ".json".
		tokenFile := fmt.Sprintf(".aws/sso/cache/%x.json", sha1.Sum([]byte(session)))
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newDoctorWorld(t)
			w.install("--profile", profile)
			if tc.cached {
				access, _ := ic.IssueToken()
				testenv.WriteFile(t, aws.home, tokenFile, fmt.Sprintf(`{"accessToken": %q, "expiresAt": %q}`, access, in(time.Hour)))
				if r := w.doctor(Options{URL: testURL}); !r.OK {
					t.Fatalf("failed checks %v with a valid token", failed(r))
				}
			}
			os.Remove(filepath.Join(aws.home, tokenFile))
			if body := tc.token(ic); body != "" {
				testenv.WriteFile(t, aws.home, tokenFile, body)
			}

			r := w.doctor(Options{URL: testURL})
			cs := find(r, "sso", tc.status)
			detail := strings.ReplaceAll(tc.detail, `"corp"`, strconv.Quote(session))
			want := regexp.MustCompile(regexp.QuoteMeta(detail))
			if tc.also != "" {
				want = regexp.MustCompile(regexp.QuoteMeta(detail) + `\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ` + regexp.QuoteMeta(tc.also))
			}
			if len(cs) != 1 || !want.MatchString(cs[0].Detail) {
				t.Fatalf("checks %+v\nwant an sso check %s matching %s", r.Checks, tc.status, want)
			}
			if fix := cs[0].Fix == "git-credential-codecommit login --profile "+profile; fix != tc.fix || !tc.fix && cs[0].Fix != "" {
				t.Errorf("sso check fix %q; want the sign-in: %v", cs[0].Fix, tc.fix)
			}
			if r.OK != tc.ok {
				t.Errorf("OK %v, want %v; failed checks %v", r.OK, tc.ok, failed(r))
			}
		})
	}
}

// TestDoctorSSOTokenNotChecked checks that doctor reports no token for
// profiles without IAM Identity Center settings, nor when keys in the
// environment beat the SSO profile AWS_PROFILE names.
func TestDoctorSSOTokenNotChecked(t *testing.T) {
	w := newDoctorWorld(t)
	w.install()
	w.ssoProfile()
	for _, tc := range []struct{ profile, why string }{
		{"", "the credentials come from keys in the environment, not from IAM Identity Center"},
		{"dev", "the credentials come from keys in the environment, not from IAM Identity Center"},
	} {
		t.Setenv("AWS_PROFILE", tc.profile)
		r := w.doctor(Options{URL: testURL})
		if cs := find(r, "sso", Skip); !r.OK || len(cs) != 1 || !strings.Contains(cs[0].Detail, tc.why) ||
			slices.ContainsFunc(r.Checks, func(c Check) bool { return c.Name == "sso" && c.Status != Skip }) {
			t.Errorf("AWS_PROFILE=%q: failed checks %v, checks %+v; want the sso check skipped: %s", tc.profile, failed(r), r.Checks, tc.why)
		}
	}
}
