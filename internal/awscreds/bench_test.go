package awscreds

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/fakeaws"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/testenv"
)

// BenchmarkResolve measures what get does before it can sign, in process:
// with keys in the environment, and with an assume-role profile whose
// credentials are cached (the fake STS is asked once, before timing).
func BenchmarkResolve(b *testing.B) {
	ctx := context.Background()
	b.Run("environment", func(b *testing.B) {
		testenv.Isolate(b)
		b.Setenv("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
		b.Setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
		b.ReportAllocs()
		for b.Loop() {
			if _, err := Resolve(ctx, Options{DefaultRegion: "us-east-1"}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("assume-role-cached", func(b *testing.B) {
		home := testenv.Isolate(b)
		keys := fakeaws.NewKeys()
		sts, err := fakeaws.StartSTS(keys)
		if err != nil {
			b.Fatal(err)
		}
		defer sts.Close()
		base := fakeaws.Credentials{AccessKeyID: "AKIABENCHBASE0000001", SecretAccessKey: "bench/base/secret+key000000000000000000"}
		keys.Add(base)
		write(b, filepath.Join(home, ".aws", "credentials"), "[base]\naws_access_key_id = "+base.AccessKeyID+"\naws_secret_access_key = "+base.SecretAccessKey+"\n")
		write(b, filepath.Join(home, ".aws", "config"), "[profile deploy]\nrole_arn = arn:aws:iam::111122223333:role/Deploy\nsource_profile = base\n")
		b.Setenv("AWS_ENDPOINT_URL_STS", sts.URL)
		b.Setenv("AWS_PROFILE", "deploy")
		b.ReportAllocs()
		for b.Loop() {
			if _, err := Resolve(ctx, Options{DefaultRegion: "us-east-1"}); err != nil {
				b.Fatal(err)
			}
		}
		if n := sts.Calls("AssumeRole"); n != 1 {
			b.Fatalf("%d AssumeRole calls, want 1", n)
		}
	})
}

func write(b *testing.B, name, body string) {
	if err := os.MkdirAll(filepath.Dir(name), 0o700); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(body), 0o600); err != nil {
		b.Fatal(err)
	}
}
