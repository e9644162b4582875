package awscreds

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/awsconfig"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/fakeaws"
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
