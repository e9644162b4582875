package fakeaws

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/smithy-go"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// setup gives the test an environment built from nothing, with a region,
// and returns its HOME.
func setup(t *testing.T) string {
	t.Helper()
	home := testenv.Isolate(t)
	t.Setenv("AWS_REGION", "us-east-1")
	return home
}

// enableIMDS lets the SDK use instance metadata, at endpoint.
func enableIMDS(t *testing.T, endpoint string) {
	t.Helper()
	t.Setenv("AWS_EC2_METADATA_DISABLED", "") // restored when the test ends
	os.Unsetenv("AWS_EC2_METADATA_DISABLED")
	t.Setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", endpoint)
}

// writeFile writes content to path, making its directory.
func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// retrieve resolves credentials as the helper does: the SDK's default chain,
// configured by the environment only.
func retrieve(t *testing.T, opts ...func(*config.LoadOptions) error) (aws.Credentials, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return aws.Credentials{}, err
	}
	return cfg.Credentials.Retrieve(ctx)
}

// mustRetrieve is retrieve that fails the test on error.
func mustRetrieve(t *testing.T, opts ...func(*config.LoadOptions) error) aws.Credentials {
	t.Helper()
	c, err := retrieve(t, opts...)
	if err != nil {
		t.Fatalf("retrieve: %v", err)
	}
	return c
}

// checkIssued checks that got are credentials keys issued with prefix.
func checkIssued(t *testing.T, keys *Keys, got aws.Credentials, prefix string) Credentials {
	t.Helper()
	if !strings.HasPrefix(got.AccessKeyID, prefix) || len(got.AccessKeyID) != 20 {
		t.Fatalf("access key id %q, want 20 characters starting with %s", got.AccessKeyID, prefix)
	}
	want, ok := keys.Get(got.AccessKeyID)
	if !ok {
		t.Fatalf("access key id %s is not in Keys", got.AccessKeyID)
	}
	if got.SecretAccessKey != want.SecretAccessKey || got.SessionToken != want.SessionToken {
		t.Errorf("secret key or session token of %s differ from what Keys recorded", got.AccessKeyID)
	}
	return want
}

// errorCode returns the AWS error code in err, or "".
func errorCode(err error) string {
	var api smithy.APIError
	if errors.As(err, &api) {
		return api.ErrorCode()
	}
	return ""
}

// do sends a request with header (name, value, ...) and returns the response
// and its body.
func do(t *testing.T, method, url, body string, header ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}
