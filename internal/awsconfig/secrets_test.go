package awsconfig

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/redact"
	"github.com/git-credential-codecommit/git-credential-codecommit/internal/testenv"
)

// TestLoadNotesSecrets checks that loading the configuration hands
// every secret in it to internal/redact: keys in the environment, in the
// profile and in its source profile, the container authorization token and
// the content of the token files; and that the access key ids stay.
func TestLoadNotesSecrets(t *testing.T) {
	home := testenv.Isolate(t)
	secrets := map[string]string{
		"environment secret key":    "EnvironmentSecretWithoutDigits",
		"environment session token": "EnvironmentSessionTokenValue",
		"profile secret key":        "ProfileSecretKeyValue",
		"source profile secret key": "SourceProfileSecretKey",
		"container token":           "ContainerAuthorizationToken",
		"container token file":      "ContainerTokenFromTheFile",
		"web identity token file":   "WebIdentityTokenFromTheFile",
	}
	writeFile(t, filepath.Join(home, ".aws/credentials"),
		"[static]\naws_access_key_id = AKIAPROFILE000000001\naws_secret_access_key = "+secrets["profile secret key"]+"\n"+
			"[base]\naws_access_key_id = AKIABASE000000000001\naws_secret_access_key = "+secrets["source profile secret key"]+"\n")
	writeFile(t, filepath.Join(home, ".aws/config"), "[profile deploy]\nrole_arn = arn:aws:iam::111122223333:role/Deploy\nsource_profile = base\n")
	writeFile(t, filepath.Join(home, "container-token"), secrets["container token file"]+"\n")
	writeFile(t, filepath.Join(home, "web-token"), secrets["web identity token file"])
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID":                      "AKIAENVIRONMENT00001",
		"AWS_SECRET_ACCESS_KEY":                  secrets["environment secret key"],
		"AWS_SESSION_TOKEN":                      secrets["environment session token"],
		"AWS_CONTAINER_AUTHORIZATION_TOKEN":      secrets["container token"],
		"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": filepath.Join(home, "container-token"),
		"AWS_WEB_IDENTITY_TOKEN_FILE":            filepath.Join(home, "web-token"),
	} {
		t.Setenv(k, v)
	}
	// One request's secrets: both loads add to the Set its context carries.
	ctx, kept := redact.Ensure(context.Background())
	for _, profile := range []string{"deploy", "static"} {
		if _, err := Load(ctx, profile); err != nil {
			t.Fatal(err)
		}
	}
	for what, s := range secrets {
		if got := kept.String("x " + s + " y"); got != "x [redacted] y" {
			t.Errorf("the %s is not redacted: %q", what, got)
		}
	}
	for _, id := range []string{"AKIAENVIRONMENT00001", "AKIAPROFILE000000001", "AKIABASE000000000001"} {
		if got := kept.String(id); got != id {
			t.Errorf("the access key id %s is redacted: %q", id, got)
		}
	}
}
