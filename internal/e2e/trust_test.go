package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/credcache"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/testenv"
)

// TestCacheHome: a relative HOME (a CI job's HOME=.) puts no cache in the
// working tree, and a HOME that does not exist is not created; the gets
// share their credentials through $XDG_RUNTIME_DIR instead.
func TestCacheHome(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, home string }{
		{"relative HOME", "."},
		{"missing HOME", "/nonexistent-home-of-e2e"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			sts := w.startSTS()
			w.assumeRoleProfile()
			work := filepath.Join(w.home, "work")
			if err := os.Mkdir(work, 0o755); err != nil {
				t.Fatal(err)
			}
			// The AWS files are named explicitly, as a job would: only the
			// cache depends on HOME here.
			w.setenv("AWS_PROFILE=deploy", "HOME="+tc.home)
			run := filepath.Join(w.home, "run")
			if err := os.Mkdir(run, 0o700); err != nil {
				t.Fatal(err)
			}
			w.setenv("XDG_RUNTIME_DIR=" + run)
			for range 2 {
				stdout, stderr, code := w.run(work, "protocol=https\nhost="+host+"\npath=v1/repos/r\n\n", testenv.HelperBinary(t), "--debug", "get")
				if code != 0 || !strings.HasPrefix(stdout, "username=") || !strings.Contains(stderr, "; using "+filepath.Join(run, "git-credential-codecommit")+"\n") {
					t.Fatalf("exit %d\nstdout %q\nstderr:\n%s", code, stdout, stderr)
				}
			}
			if n := sts.Calls("AssumeRole"); n != 1 {
				t.Errorf("%d AssumeRole calls, want 1", n)
			}
			if entries, _ := os.ReadDir(work); len(entries) != 0 {
				t.Errorf("the working directory holds %v", entries)
			}
			if _, err := os.Stat("/nonexistent-home-of-e2e"); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("HOME was created: %v", err)
			}
		})
	}
}

// TestCacheNotConsultedForStaticKeys: a profile with static keys, which the
// SDK reads from the file, neither reads nor writes the cache.
func TestCacheNotConsultedForStaticKeys(t *testing.T) {
	t.Parallel()
	w := newWorld(t, "--profile", "dev")
	keys := w.staticProfiles("dev")
	// An entry under the key of the profile, with other keys the fake
	// accepts: were it looked at, the fake would see them sign.
	sc, err := config.LoadSharedConfigProfile(context.Background(), "dev", func(o *config.LoadSharedConfigOptions) {
		o.ConfigFiles, o.CredentialsFiles = []string{filepath.Join(w.home, ".aws", "config")}, []string{filepath.Join(w.home, ".aws", "credentials")}
	})
	if err != nil {
		t.Fatal(err)
	}
	other := w.keys.Issue("ASIAPLANTED", time.Now().Add(time.Hour))
	entry, _ := json.Marshal(map[string]any{"version": 1, "key": credcache.Key(&sc), "accessKeyId": other.AccessKeyID,
		"secretAccessKey": other.SecretAccessKey, "sessionToken": other.SessionToken,
		"obtained": time.Now().UTC(), "expiration": other.Expiration.UTC()})
	w.write(".cache/git-credential-codecommit/"+credcache.Key(&sc)+".json", string(entry))
	_, stderr := w.mustGet("--profile", "dev", "--debug")
	if strings.Contains(stderr, "cache:") {
		t.Errorf("the cache was consulted for static keys:\n%s", stderr)
	}
	w.roundTrip("static")
	w.assertSignedBy(func(id string) bool { return id == keys["dev"].AccessKeyID })
	if entries := w.cacheEntries(); len(entries) != 1 {
		t.Errorf("static keys were cached: %q", entries)
	}
}

// TestSSOUnderStrictFIPS: under GODEBUG=fips140=only the SDK cannot name
// its IAM Identity Center token cache (SHA-1), and get says so in one line
// rather than blaming the profile.
func TestSSOUnderStrictFIPS(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.write(".aws/config", "[profile dev]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Developer\n"+
		"[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n")
	w.setenv("GODEBUG=fips140=only")
	stdout, stderr, code := w.get("r", "--profile", "dev")
	want := `git-credential-codecommit: profile "dev" uses IAM Identity Center, which cannot work under GODEBUG=fips140=only (the SDK names its token cache with SHA-1); use fips140=on, or another credential source` + "\n"
	if code != 1 || stdout != "" || stderr != want {
		t.Errorf("exit %d\nstdout %q\nstderr %q\nwant   %q", code, stdout, stderr, want)
	}
}
