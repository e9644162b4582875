//go:build unix

package doctor

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/testenv"
)

// TestDoctorSpecialSSOToken plants a FIFO or a link to /dev/zero in place of
// the IAM Identity Center token: doctor finishes at once, and both the
// credentials check and the sso check name the file and say why.
func TestDoctorSpecialSSOToken(t *testing.T) {
	const tokenFile = testenv.SSOTokenFile
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

// TestDoctorStopped stops doctor while git waits for a credential helper
// that waits for input: doctor returns, kills the helper, fails the helper
// check, skips the checks that need it, and keeps every check in its
// place. The test stops doctor once the helper has started, so every
// check before the probe has finished.
func TestDoctorStopped(t *testing.T) {
	t.Parallel()
	w := newDoctorWorld(t)
	w.install()
	started, hold := filepath.Join(w.home, "started"), filepath.Join(w.home, "hold")
	testenv.Plant(t, started, "fifo")
	testenv.Plant(t, hold, "fifo")
	w.git("config", "--global", "--add", "credential.helper", "!f() { echo started >"+started+"; cat "+hold+" >/dev/null; }; f")
	release := func(fifo string) { // lets go whoever waits at fifo for a writer
		if f, err := os.OpenFile(fifo, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			f.Close()
		}
	}
	t.Cleanup(func() { release(started); release(hold) })

	ctx, cancel := context.WithCancel(t.Context())
	go func() {
		os.ReadFile(started) // returns once the helper has written
		cancel()
	}()
	var r Report
	testenv.Within(t, time.Minute, "doctor", func() { r = Doctor(ctx, Options{URL: testURL, Online: true, Dir: w.home, Env: w.env}) })
	want := []struct {
		name   string
		status Status
	}{
		{"git", OK}, {"url", OK}, {"fips", Skip}, {"helper", Fail}, {"usehttppath", Skip}, {"credentials", Skip},
		{"sso", Skip}, {"login", Skip}, {"cache", Skip}, {"region", Skip}, {"identity", Skip}, {"clock", Skip},
		{"go", Skip}, {"cargo", Skip}, {"yarn", Skip}, {"ssh-deps", Skip}, {"submodules", Skip},
	}
	if len(r.Checks) != len(want) {
		t.Fatalf("checks %+v", r.Checks)
	}
	for i, w := range want {
		if c := r.Checks[i]; c.Name != w.name || c.Status != w.status || c.Detail == "" {
			t.Errorf("check %d: %+v, want %s %s", i, c, w.name, w.status)
		}
	}
	if h := r.Checks[3]; !strings.Contains(h.Detail, "git credential fill did not finish: doctor was stopped") {
		t.Errorf("helper check %+v does not say the probe was stopped", h)
	}
	if c := r.Checks[5]; c.Detail != "not run: doctor was stopped before the checks this one needs finished" {
		t.Errorf("credentials check %+v does not say why it did not run", c)
	}
}
