//go:build unix

package doctor

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/testenv"
)

// TestDoctorSpecialSSOToken plants a FIFO or a link to /dev/zero in place of
// the IAM Identity Center token: doctor finishes at once, and both the
// credentials check and the sso check name the file and say why.
func TestDoctorSpecialSSOToken(t *testing.T) {
	const tokenFile = ".aws/sso/cache/ee0bfd2552fbd840c02cc48b6e823320543c450f.json"
	for what, why := range map[string]string{"fifo": "is not a regular file", "zero": "is a symbolic link"} {
		t.Run(what, func(t *testing.T) {
			w := newDoctorWorld(t)
			w.install("--profile", "dev")
			w.ssoProfile()
			path := filepath.Join(w.home, tokenFile)
			os.Remove(path)
			testenv.Plant(t, path, what)
			var r Report
			testenv.Within(t, time.Minute, "doctor", func() { r = w.doctor(Options{URL: testURL}) })
			creds := find(r, "credentials", Fail)
			if len(creds) != 1 || creds[0].Detail != "the SSO token "+path+" "+why || creds[0].Fix != "remove it, then run: git-credential-codecommit login --profile dev" {
				t.Errorf("checks %+v", r.Checks)
			}
			sso := find(r, "sso", Fail)
			if want := `the IAM Identity Center token of SSO session "corp" cannot be read (` + path + " " + why + ")"; len(sso) != 1 || sso[0].Detail != want {
				t.Errorf("sso checks %+v\nwant detail %s", r.Checks, want)
			}
		})
	}
}
