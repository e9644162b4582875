package awscreds

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/awsconfig"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/failure"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/fakeaws"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/safefile"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/testenv"
)

// TestCacheFastPath checks, for every source that fetches, that the entry a
// full resolution writes is the one the fast path (no credential chain)
// finds, so that a warm get never builds the chain; and that the fast path
// finds nothing for keys in the environment.
func TestCacheFastPath(t *testing.T) {
	ctx := context.Background()
	keys := fakeaws.NewKeys()
	sts, err := fakeaws.StartSTS(keys)
	if err != nil {
		t.Fatal(err)
	}
	defer sts.Close()
	sts.SetWebIdentityToken("web-token")
	imds, err := fakeaws.StartIMDS(keys, "role")
	if err != nil {
		t.Fatal(err)
	}
	defer imds.Close()
	ct, err := fakeaws.StartContainer(keys, "container-token")
	if err != nil {
		t.Fatal(err)
	}
	defer ct.Close()
	ic, err := fakeaws.StartIdentityCenter(keys)
	if err != nil {
		t.Fatal(err)
	}
	defer ic.Close()
	ic.AllowRole("111122223333", "Developer")
	base := fakeaws.Credentials{AccessKeyID: "AKIABASEPROFILE00001", SecretAccessKey: "base/secret+key00000000000000000000000000"}
	keys.Add(base)

	for _, tc := range []struct {
		name  string
		files map[string]string
		env   map[string]string
		opts  Options
	}{
		{name: "assume-role",
			files: map[string]string{
				".aws/credentials": "[base]\naws_access_key_id = " + base.AccessKeyID + "\naws_secret_access_key = " + base.SecretAccessKey + "\n",
				".aws/config":      "[profile deploy]\nrole_arn = arn:aws:iam::111122223333:role/Deploy\nsource_profile = base\n",
			},
			env: map[string]string{"AWS_PROFILE": "deploy"}},
		{name: "assume-role by --profile, beating keys in the environment",
			files: map[string]string{
				".aws/credentials": "[base]\naws_access_key_id = " + base.AccessKeyID + "\naws_secret_access_key = " + base.SecretAccessKey + "\n",
				".aws/config":      "[profile deploy]\nrole_arn = arn:aws:iam::111122223333:role/Deploy\nsource_profile = base\n",
			},
			env:  map[string]string{"AWS_ACCESS_KEY_ID": "AKIAENVIRONMENT00001", "AWS_SECRET_ACCESS_KEY": "s"},
			opts: Options{Profile: "deploy"}},
		{name: "web identity",
			files: map[string]string{"token": "web-token"},
			env:   map[string]string{"AWS_WEB_IDENTITY_TOKEN_FILE": "$HOME/token", "AWS_ROLE_ARN": "arn:aws:iam::111122223333:role/Web"}},
		{name: "container",
			env: map[string]string{"AWS_CONTAINER_CREDENTIALS_FULL_URI": ct.URL, "AWS_CONTAINER_AUTHORIZATION_TOKEN": "container-token"}},
		{name: "IMDS",
			env: map[string]string{"AWS_EC2_METADATA_DISABLED": "false", "AWS_EC2_METADATA_SERVICE_ENDPOINT": imds.URL}},
		{name: "SSO",
			files: map[string]string{
				".aws/config": "[profile dev]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Developer\n" +
					"[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n",
				ssoCacheFile("corp"): fmt.Sprintf(`{"accessToken": %q, "expiresAt": %q}`, first(ic.IssueToken()), time.Now().Add(time.Hour).UTC().Format(time.RFC3339)),
			},
			env: map[string]string{"AWS_PROFILE": "dev"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			home := testenv.Isolate(t)
			for name, body := range tc.files {
				writeFile(t, filepath.Join(home, name), body)
			}
			for k, v := range tc.env {
				t.Setenv(k, os.Expand(v, func(string) string { return home }))
			}
			t.Setenv("AWS_ENDPOINT_URL_STS", sts.URL)
			t.Setenv("AWS_ENDPOINT_URL_SSO", ic.URL)
			o := tc.opts
			o.DefaultRegion = "us-east-1"
			if _, ok := o.fromCache(o.cache(), mustLoad(t, o.Profile)); ok {
				t.Fatal("the fast path found an entry before anything was cached")
			}
			full, err := Resolve(ctx, o)
			if err != nil {
				t.Fatal(err)
			}
			fast, ok := o.fromCache(o.cache(), mustLoad(t, o.Profile))
			if !ok {
				t.Fatal("the fast path does not find the entry the full resolution wrote")
			}
			if fast.AccessKeyID != full.AccessKeyID || fast.SecretAccessKey != full.SecretAccessKey || fast.SessionToken != full.SessionToken ||
				fast.Profile != full.Profile || fast.Region != full.Region || !fast.Expires.Equal(full.Expires) {
				t.Errorf("fast path %+v\nfull resolution %+v", fast, full)
			}
		})
	}

	t.Run("keys in the environment", func(t *testing.T) {
		testenv.Isolate(t)
		t.Setenv("AWS_ACCESS_KEY_ID", "AKIAENVIRONMENT00001")
		t.Setenv("AWS_SECRET_ACCESS_KEY", "s")
		o := Options{DefaultRegion: "us-east-1"}
		if _, err := Resolve(ctx, o); err != nil {
			t.Fatal(err)
		}
		if _, ok := o.fromCache(o.cache(), mustLoad(t, o.Profile)); ok {
			t.Fatal("the fast path answered for keys in the environment")
		}
		if _, err := os.Stat(o.cache().Dir); !os.IsNotExist(err) {
			t.Fatalf("keys in the environment made a cache directory: %v", err)
		}
	})
}

func first(a, _ string) string { return a }

func ssoCacheFile(session string) string {
	sum := sha1.Sum([]byte(session))
	return filepath.Join(".aws", "sso", "cache", hex.EncodeToString(sum[:])+".json")
}

func writeFile(t *testing.T, name, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
}

// mustLoad loads the configuration of profile.
func mustLoad(t *testing.T, profile string) awsconfig.Config {
	t.Helper()
	cfg, err := awsconfig.Load(context.Background(), profile)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// TestTokenFilesVetted checks that the web identity and container
// authorization token files are read by safefile's rules for a file a
// setting names, before the SDK sends them: a link to a regular file is
// followed; a link to /dev/zero, a FIFO or a file over
// safefile.MaxSmallFile is refused at once.
func TestTokenFilesVetted(t *testing.T) {
	keys := fakeaws.NewKeys()
	sts, err := fakeaws.StartSTS(keys)
	if err != nil {
		t.Fatal(err)
	}
	defer sts.Close()
	sts.SetWebIdentityToken("web-token")
	ct, err := fakeaws.StartContainer(keys, "web-token")
	if err != nil {
		t.Fatal(err)
	}
	defer ct.Close()
	sources := []struct {
		name, problem, fix string
		env                func(token string) map[string]string
	}{
		{"web identity", `assuming a role with a web identity token failed for profile "default"`, "check AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE and the role's trust policy",
			func(token string) map[string]string {
				return map[string]string{"AWS_WEB_IDENTITY_TOKEN_FILE": token, "AWS_ROLE_ARN": "arn:aws:iam::111122223333:role/Web", "AWS_ENDPOINT_URL_STS": sts.URL}
			}},
		{"container", "no credentials from the container endpoint", "check AWS_CONTAINER_CREDENTIALS_*_URI, its token and the task's role",
			func(token string) map[string]string {
				return map[string]string{"AWS_CONTAINER_CREDENTIALS_FULL_URI": ct.URL, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": token}
			}},
	}
	files := []struct {
		name string
		make func(t *testing.T, path string)
		why  string // why it is refused, or "" for credentials
	}{
		{"a link to a regular file", func(t *testing.T, path string) {
			writeFile(t, path+".real", "web-token")
			symlink(t, path+".real", path)
		}, ""},
		{"a link to /dev/zero", func(t *testing.T, path string) { symlink(t, "/dev/zero", path) }, "is not a regular file"},
		{"a FIFO", func(t *testing.T, path string) {
			if err := syscall.Mkfifo(path, 0o600); err != nil {
				t.Fatal(err)
			}
		}, "is not a regular file"},
		{"too large", func(t *testing.T, path string) {
			writeFile(t, path, strings.Repeat("x", safefile.MaxSmallFile+1))
		}, fmt.Sprintf("is larger than %d bytes", safefile.MaxSmallFile)},
	}
	for _, src := range sources {
		for _, tc := range files {
			t.Run(src.name+", "+tc.name, func(t *testing.T) {
				home := testenv.Isolate(t)
				token := filepath.Join(home, "token")
				tc.make(t, token)
				for k, v := range src.env(token) {
					t.Setenv(k, v)
				}
				var (
					r   Resolved
					err error
				)
				testenv.Within(t, 20*time.Second, "Resolve", func() {
					r, err = Resolve(context.Background(), Options{DefaultRegion: "us-east-1", NoCache: true})
				})
				if tc.why == "" {
					if err != nil || !strings.HasPrefix(r.AccessKeyID, "ASIA") {
						t.Errorf("got %q, %v, want credentials", r.AccessKeyID, err)
					}
					return
				}
				e := failure.As(err)
				if e == nil {
					t.Fatalf("got %v, want a refusal", err)
				}
				// The container provider keeps only the text of the refusal,
				// which --debug shows whole; web identity keeps the error.
				if e.Problem != src.problem || e.Fix != src.fix || !strings.HasSuffix(e.Detail(), token+" "+tc.why) ||
					src.name == "web identity" && e.Cause != "token "+tc.why {
					t.Errorf("got %v (in full: %s)\nwant %s (token %s); %s, in full ending %q", err, e.Detail(), src.problem, tc.why, src.fix, token+" "+tc.why)
				}
			})
		}
	}
}

func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}
