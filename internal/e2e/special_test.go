//go:build unix

package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/testenv"
)

// specialBound is how long a command may take with a special file planted
// in its way: far more than any needs, far less than get's own bound.
const specialBound = 30 * time.Second

// plant puts a FIFO ("fifo") or a link to /dev/zero ("zero") at name under
// home, in place of a file the helper reads.
func (w *world) plant(name, what string) string {
	w.t.Helper()
	p := filepath.Join(w.home, name)
	testenv.Plant(w.t, p, what)
	return p
}

// runWithin runs the helper binary with args and stdin, and fails the test
// unless it ends within specialBound.
func (w *world) runWithin(stdin string, args ...string) (stdout, stderr string, code int) {
	w.t.Helper()
	type result struct {
		stdout, stderr string
		code           int
		err            error
	}
	done := make(chan result, 1)
	go func() {
		var r result
		r.stdout, r.stderr, r.code, r.err = w.start("", stdin, testenv.HelperBinary(w.t), args...)
		done <- r
	}()
	select {
	case r := <-done:
		if r.err != nil {
			w.t.Fatal(r.err)
		}
		return r.stdout, r.stderr, r.code
	case <-time.After(specialBound):
		w.t.Fatalf("%s is still running after %s", strings.Join(args, " "), specialBound)
	}
	return "", "", 0
}

// TestSpecialSSOToken plants a FIFO or a link to /dev/zero in place of the
// IAM Identity Center token: get fails at once with one line that names the
// file and the fix; login replaces it with a token; logout removes it.
func TestSpecialSSOToken(t *testing.T) {
	t.Parallel()
	for what, why := range map[string]string{"fifo": "is not a regular file", "zero": "is a symbolic link"} {
		t.Run(what, func(t *testing.T) {
			t.Parallel()
			w, ic := ssoWorld(t)
			path := w.plant(ssoCache, what)
			get := "protocol=https\nhost=" + host + "\npath=v1/repos/special\n\n"
			stdout, stderr, code := w.runWithin(get, "get")
			want := printed("git-credential-codecommit: the SSO token "+path+" "+why+"; remove it, then run: git-credential-codecommit login --profile dev") + "\n"
			if code != 1 || stdout != "" || stderr != want {
				t.Errorf("get: exit %d\nstdout %q\nstderr %q\nwant   %q", code, stdout, stderr, want)
			}

			stdout, stderr, code = w.runWithin("", "login", "--no-browser", "--use-device-code")
			if code != 0 || stdout != "" || strings.Count(stderr, "Not reading the old token: "+path+" "+why+"; signing in replaces it.\n") != 1 {
				t.Fatalf("login: exit %d\nstdout %q\nstderr %q", code, stdout, stderr)
			}
			if fi, err := os.Lstat(path); err != nil || !fi.Mode().IsRegular() || ic.Calls("CreateToken") == 0 {
				t.Fatalf("login left %v (%v)", fi, err)
			}
			if stdout, stderr, code = w.runWithin(get, "get"); code != 0 || !strings.HasPrefix(stdout, "username=ASIASSO") {
				t.Errorf("get after login: exit %d\nstdout %q\nstderr %q", code, stdout, stderr)
			}

			os.Remove(path)
			w.plant(ssoCache, what)
			w.plant(".aws/cli/cache/"+what+".json", what)
			stdout, stderr, code = w.runWithin("", "logout")
			if code != 0 || stdout != "" || !strings.HasPrefix(stderr, "Removed the token of SSO session \"corp\": "+path+"\n") {
				t.Errorf("logout: exit %d\nstdout %q\nstderr %q", code, stdout, stderr)
			}
			if _, err := os.Lstat(path); !os.IsNotExist(err) {
				t.Errorf("logout left the token (%v)", err)
			}
		})
	}
}

// TestSpecialAWSCLICache plants a FIFO or a link to /dev/zero in place of
// the AWS CLI's cache file of an assume-role profile: get does not read it
// and asks STS instead; logout passes it by.
func TestSpecialAWSCLICache(t *testing.T) {
	t.Parallel()
	for _, what := range []string{"fifo", "zero"} {
		t.Run(what, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			sts := w.startSTS()
			w.assumeRoleProfile()
			w.write(".aws/config", "[profile deploy]\nrole_arn = "+roleARN+"\nsource_profile = base\n"+
				"[profile dev]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Developer\n"+
				"[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n")
			file := w.plant(".aws/cli/cache/f553113ab03f10986b8503b601ff219b8f3584f3.json", what)
			stdout, stderr, code := w.runWithin("protocol=https\nhost="+host+"\npath=v1/repos/special\n\n", "--profile", "deploy", "--debug", "get")
			if code != 0 || !strings.HasPrefix(stdout, "username=") || !strings.Contains(stderr, "not using the AWS CLI's cache file: "+file+" is ") {
				t.Errorf("get: exit %d\nstdout %q\nstderr %q", code, stdout, stderr)
			}
			if n := sts.Calls("AssumeRole"); n != 1 {
				t.Errorf("%d AssumeRole calls, want 1", n)
			}
			if _, stderr, code := w.runWithin("", "logout", "--profile", "dev"); code != 0 {
				t.Errorf("logout: exit %d\nstderr %q", code, stderr)
			}
			if _, err := os.Lstat(file); err != nil {
				t.Errorf("logout removed %s (%v)", file, err)
			}
		})
	}
}
