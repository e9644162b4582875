package login

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/testenv"
)

// TestLogout checks that logout removes the session's token, the role
// credentials this program cached from that session, and the AWS CLI's
// cached SSO role credentials, and nothing else.
func TestLogout(t *testing.T) {
	home := testenv.Isolate(t)
	writeFile(t, home, ".aws/config", testConfig)
	token := writeFile(t, home, corpCache, `{"accessToken": "a", "expiresAt": "2030-01-01T00:00:00Z"}`)
	legacyToken := writeFile(t, home, ".aws/sso/cache/79e435d7a515078e81c9dffc35f38d5687ebd3a7.json", `{"accessToken": "b", "expiresAt": "2030-01-01T00:00:00Z"}`)
	removed := []string{
		token,
		writeFile(t, home, ".cache/git-credential-codecommit/1111.json", `{"version": 1, "ssoSession": "corp"}`),
		writeFile(t, home, ".cache/git-credential-codecommit/2222.json", `{"version": 1, "ssoSession": "corp"}`),
		writeFile(t, home, ".aws/cli/cache/sso.json", `{"ProviderType": "sso", "Credentials": {}}`),
	}
	kept := []string{
		legacyToken,
		writeFile(t, home, ".cache/git-credential-codecommit/3333.json", `{"version": 1, "ssoSession": "other"}`),
		writeFile(t, home, ".cache/git-credential-codecommit/4444.json", `{"version": 1}`),
		writeFile(t, home, ".cache/git-credential-codecommit/5555.json", `{"version": 1, "ssoSession": "https://legacy.awsapps.com/start"}`),
		writeFile(t, home, ".cache/git-credential-codecommit/1111.lock", ""),
		writeFile(t, home, ".aws/cli/cache/assume-role.json", `{"Credentials": {}}`),
		writeFile(t, home, ".aws/cli/cache/broken.json", `{"ProviderType": "ss`),
	}

	var out bytes.Buffer
	if err := Logout(context.Background(), Options{Profile: "dev", Stderr: &out}); err != nil {
		t.Fatal(err)
	}
	want := "Removed the token of SSO session \"corp\": " + token + "\n" +
		"Removed the cached role credentials (3 files), which would stay valid at AWS until they expire.\n"
	if out.String() != want {
		t.Errorf("stderr:\n%s\nwant:\n%s", out.String(), want)
	}
	for _, p := range removed {
		if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s is still there (%v)", p, err)
		}
	}
	for _, p := range kept {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s was removed: %v", p, err)
		}
	}

	// Again: nothing to remove is no error.
	out.Reset()
	if err := Logout(context.Background(), Options{Profile: "dev", Stderr: &out}); err != nil {
		t.Fatal(err)
	}
	if want := "No token of SSO session \"corp\" to remove: " + token + " does not exist.\n"; out.String() != want {
		t.Errorf("stderr:\n%s\nwant:\n%s", out.String(), want)
	}
}

// TestLogoutFails checks that logout says what to do when it cannot
// remove the token, and when the profile has no session.
func TestLogoutFails(t *testing.T) {
	home := testenv.Isolate(t)
	writeFile(t, home, ".aws/config", testConfig)
	if err := Logout(context.Background(), Options{Profile: "static"}); err == nil || !strings.Contains(err.Error(), `AWS profile "static" has no IAM Identity Center settings`) {
		t.Errorf("logout of a profile without SSO: %v", err)
	}
	// A directory that is not empty stands in the token's place: no one,
	// root included, removes it with os.Remove.
	token := writeFile(t, home, filepath.Join(corpCache, "x"), "")
	token = filepath.Dir(token)
	dir := filepath.Dir(token)
	err := Logout(context.Background(), Options{Profile: "dev"})
	if err == nil || !strings.HasPrefix(err.Error(), `cannot remove the token of SSO session "corp" (`) || !strings.HasSuffix(err.Error(), "; check the permissions of "+dir) {
		t.Errorf("logout of a token it cannot remove: %v", err)
	}
}
