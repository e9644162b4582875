//go:build unix

package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/awsclicache"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/failure"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/fakeaws"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/testenv"
)

// runWithin runs the program with args and stdin, and fails the test if it
// has not returned well within get's own bound: a read that blocks on a
// FIFO or fills memory from /dev/zero never returns.
func runWithin(t *testing.T, args []string, stdin string) (stdout, stderr string, code int) {
	t.Helper()
	var o, e bytes.Buffer
	done := make(chan int, 1)
	go func() {
		c := testCLI(strings.NewReader(stdin), &o, &e, time.Now)
		done <- c.run(args)
	}()
	select {
	case code = <-done:
	case <-time.After(30 * time.Second):
		t.Fatalf("%q is still running", args)
	}
	return o.String(), e.String(), code
}

// plant puts what at path, in place of a file: "fifo", "zero" (a link to
// /dev/zero), "shared" (a token that others may write) or "foreign" (one
// owned by another user; only root can make it, so the test skips
// otherwise).
func plant(t *testing.T, path, what string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	var err error
	switch what {
	case "fifo", "zero":
		testenv.Plant(t, path, what)
	case "shared", "foreign":
		body := `{"accessToken": "PlantedAccessTokenValue", "expiresAt": "2099-01-01T00:00:00Z"}`
		if err = os.WriteFile(path, []byte(body), 0o600); err != nil {
			break
		}
		if what == "shared" {
			err = os.Chmod(path, 0o666)
		} else if os.Geteuid() != 0 {
			t.Skip("only root can give a file to another user")
		} else {
			err = os.Chown(path, 65534, 65534)
		}
	}
	if err != nil {
		t.Fatal(err)
	}
}

// TestGetRefusesSpecialSSOToken plants special and untrusted files in place
// of the IAM Identity Center token: get fails at once, in one line that
// names the file and the fix, before the SDK would read it.
func TestGetRefusesSpecialSSOToken(t *testing.T) {
	const ssoConfig = "[profile dev]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Developer\nregion = us-east-1\n" +
		"[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n"
	const token = ".aws/sso/cache/ee0bfd2552fbd840c02cc48b6e823320543c450f.json"
	for what, why := range map[string]string{
		"fifo":    "is not a regular file",
		"zero":    "is a symbolic link",
		"shared":  "is writable by group or others (mode 0666)",
		"foreign": "is owned by uid 65534, not by this user (uid 0)",
	} {
		t.Run(what, func(t *testing.T) {
			home := isolate(t)
			if err := os.MkdirAll(filepath.Join(home, ".aws"), 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(home, ".aws/config"), []byte(ssoConfig), 0o600); err != nil {
				t.Fatal(err)
			}
			plant(t, filepath.Join(home, token), what)
			stdout, stderr, code := runWithin(t, []string{"--profile", "dev", "get"}, get1)
			// The path is long under the test's temporary directory: the
			// line is shortened, as every line, by failure.Line.
			want := failure.Line("git-credential-codecommit: ", &failure.Error{
				Problem: "the SSO token " + filepath.Join(home, token) + " " + why,
				Fix:     "remove it, then run: git-credential-codecommit login --profile dev"}, nil) + "\n"
			if code != 1 || stdout != "" || stderr != want {
				t.Errorf("exit %d\nstdout %q\nstderr %q\nwant   %q", code, stdout, stderr, want)
			}
		})
	}
}

// TestGetRefusesSpecialLoginToken: the same for the token file of a
// console sign-in session (login_session).
func TestGetRefusesSpecialLoginToken(t *testing.T) {
	const token = ".aws/login/cache/11fc4cc919a5a20db9df757c8a1b149bd4c42115ef36c7152c0d33f1e05a9027.json" // sha256 of the session
	for what, why := range map[string]string{"fifo": "is not a regular file", "zero": "is a symbolic link", "shared": "is writable by group or others (mode 0666)"} {
		t.Run(what, func(t *testing.T) {
			home := isolate(t)
			testenv.WriteFile(t, home, ".aws/config", "[profile dev]\nlogin_session = "+fakeaws.SignInSession+"\nregion = us-east-1\n")
			plant(t, filepath.Join(home, token), what)
			stdout, stderr, code := runWithin(t, []string{"--profile", "dev", "get"}, get1)
			want := failure.Line("git-credential-codecommit: ", &failure.Error{
				Problem: "the console sign-in token " + filepath.Join(home, token) + " " + why,
				Fix:     "remove it, then run: git-credential-codecommit login --console --profile dev"}, nil) + "\n"
			if code != 1 || stdout != "" || stderr != want {
				t.Errorf("exit %d\nstdout %q\nstderr %q\nwant   %q", code, stdout, stderr, want)
			}
		})
	}
}

// TestGetSkipsSpecialAWSCLICache plants special files in place of the AWS
// CLI's cache file of an assume-role profile: get does not use it, says why
// in one --debug line, and gets the role's credentials from STS.
func TestGetSkipsSpecialAWSCLICache(t *testing.T) {
	const (
		baseID     = "AKIABASEPROFILE00001"
		baseSecret = "base/secret+key00000000000000000000000000"
		roleARN    = "arn:aws:iam::111122223333:role/Deploy"
	)
	keys := fakeaws.NewKeys()
	keys.Add(fakeaws.Credentials{AccessKeyID: baseID, SecretAccessKey: baseSecret})
	sts, err := fakeaws.StartSTS(keys)
	if err != nil {
		t.Fatal(err)
	}
	defer sts.Close()
	for _, what := range []string{"fifo", "zero"} {
		t.Run(what, func(t *testing.T) {
			home := isolate(t)
			t.Setenv("AWS_ENDPOINT_URL_STS", sts.URL)
			for name, body := range map[string]string{
				".aws/credentials": "[base]\naws_access_key_id = " + baseID + "\naws_secret_access_key = " + baseSecret + "\n",
				".aws/config":      "[profile deploy]\nrole_arn = " + roleARN + "\nsource_profile = base\n",
			} {
				if err := os.MkdirAll(filepath.Join(home, ".aws"), 0o700); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(home, name), []byte(body), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			f := awsclicache.File(home, &config.SharedConfig{RoleARN: roleARN}, []aws.CredentialSource{aws.CredentialSourceSTSAssumeRole})
			plant(t, f, what)
			before := sts.Calls("AssumeRole")
			stdout, stderr, code := runWithin(t, []string{"--profile", "deploy", "--debug", "get"}, get1)
			if code != 0 || !strings.HasPrefix(stdout, "username=") {
				t.Fatalf("exit %d\nstdout %q\nstderr:\n%s", code, stdout, stderr)
			}
			if n := sts.Calls("AssumeRole") - before; n != 1 {
				t.Errorf("%d AssumeRole calls, want 1", n)
			}
			if n := strings.Count(stderr, "debug: cache: not using the AWS CLI's cache file: "+f+" is "); n != 1 {
				t.Errorf("%d debug lines say why the AWS CLI's file is not used, want 1:\n%s", n, stderr)
			}
		})
	}
}

// TestGetRefusesUntrustedSSOCacheDirectory: a token cache directory that
// others may write, or a link to one, holds tokens someone else could have
// chosen: get refuses it in one line, and changes nothing.
func TestGetRefusesUntrustedSSOCacheDirectory(t *testing.T) {
	const ssoConfig = "[profile dev]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Developer\nregion = us-east-1\n" +
		"[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n"
	const token = `{"accessToken": "PlantedAccessTokenValue", "expiresAt": "2099-01-01T00:00:00Z"}`
	for _, what := range []string{"shared", "linked"} {
		t.Run(what, func(t *testing.T) {
			home := isolate(t)
			dir := filepath.Join(home, ".aws", "sso", "cache")
			real := dir
			if what == "linked" {
				real = filepath.Join(home, "elsewhere")
			}
			if err := os.MkdirAll(real, 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(real, "ee0bfd2552fbd840c02cc48b6e823320543c450f.json"), []byte(token), 0o600); err != nil {
				t.Fatal(err)
			}
			why := "is a symbolic link"
			if what == "linked" {
				if err := os.MkdirAll(filepath.Dir(dir), 0o700); err != nil {
					t.Fatal(err)
				}
				if err := os.Symlink(real, dir); err != nil {
					t.Fatal(err)
				}
			} else {
				if err := os.Chmod(dir, 0o777); err != nil {
					t.Fatal(err)
				}
				why = "is writable by group or others (mode 0777)"
			}
			if err := os.WriteFile(filepath.Join(home, ".aws", "config"), []byte(ssoConfig), 0o600); err != nil {
				t.Fatal(err)
			}
			stdout, stderr, code := runWithin(t, []string{"--profile", "dev", "get"}, get1)
			want := failure.Line("git-credential-codecommit: ", &failure.Error{
				Problem: "the SSO token cache " + dir + " " + why,
				Fix:     "make it a directory of yours that others cannot write (chmod go-w), then run: git-credential-codecommit login --profile dev"}, nil) + "\n"
			if code != 1 || stdout != "" || stderr != want {
				t.Errorf("exit %d\nstdout %q\nstderr %q\nwant   %q", code, stdout, stderr, want)
			}
			if fi, err := os.Lstat(dir); err != nil || what == "shared" && fi.Mode().Perm() != 0o777 {
				t.Errorf("the directory was changed: %v, %v", fi.Mode(), err)
			}
		})
	}
}
