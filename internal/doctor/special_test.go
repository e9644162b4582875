//go:build unix

package doctor

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
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
			var err error
			if what == "fifo" {
				err = syscall.Mkfifo(path, 0o600)
			} else {
				err = os.Symlink("/dev/zero", path)
			}
			if err != nil {
				t.Fatal(err)
			}
			done := make(chan Report, 1)
			go func() { done <- w.doctor(Options{URL: testURL}) }()
			var r Report
			select {
			case r = <-done:
			case <-time.After(time.Minute):
				t.Fatal("doctor is still running")
			}
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
