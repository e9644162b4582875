package awscreds

import (
	"crypto/fips140"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/ssocreds"

	"github.com/git-credential-codecommit/git-credential-codecommit/internal/safefile"
)

// MaxSSOTokenFile bounds an IAM Identity Center token cache file: the AWS
// CLI writes a few KiB.
const MaxSSOTokenFile = 64 << 10

// checkSSOToken vets the IAM Identity Center token file the SDK is about to
// read for cfg, by the rules of internal/safefile, and adds its tokens to
// the request's secrets (internal/redact). The SDK reads the file with a plain read, which a FIFO
// in its place would block forever and a link to /dev/zero would fill
// memory from; the file is checked first, without opening it, then read
// without following a link or blocking. A missing file is left to the SDK,
// which explains it.
func (o Options) checkSSOToken(cfg Config) error {
	if cfg.Env.Credentials.HasKeys() && o.Profile == "" {
		return nil // keys in the environment come first: no token is read
	}
	key := ssoTokenKey(&cfg.Shared)
	if key == "" {
		return nil
	}
	if fips140.Enforced() {
		// The SDK names the token cache file with SHA-1, which strict FIPS
		// 140-3 mode refuses: nothing the user sets up can help.
		return &Error{Problem: fmt.Sprintf("profile %q uses IAM Identity Center (SSO), which cannot work under GODEBUG=fips140=only", cfg.Profile),
			Fix: "the AWS SDK names its token cache with SHA-1: use fips140=on, or another credential source"}
	}
	path, err := ssocreds.StandardCachedTokenFilepath(key)
	if err != nil {
		return nil // no home directory: the SDK says so
	}
	// The directory first: a link or a directory others may write holds a
	// token someone else chose.
	err = safefile.CheckDir(filepath.Dir(path))
	if err == nil {
		err = safefile.CheckFile(path)
	}
	var b []byte
	if err == nil {
		b, err = safefile.ReadFile(path, MaxSSOTokenFile)
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case errors.Is(err, safefile.ErrUntrusted):
		// The path and the reason say enough, and the line stays short.
		var u *safefile.UntrustedError
		if errors.As(err, &u) && u.Path != path {
			return &Error{Problem: "the SSO token cache " + err.Error(), Fix: "make it a directory of yours that others cannot write (chmod go-w), then run: " + LoginCommand(cfg.Profile), Err: err}
		}
		return &Error{Problem: "the SSO token " + err.Error(), Fix: "remove it, then run: " + LoginCommand(cfg.Profile), Err: err}
	case err != nil:
		return nil // unreadable: the SDK reports it as it finds it
	}
	var t struct{ AccessToken, RefreshToken, ClientSecret string }
	if json.Unmarshal(b, &t) == nil {
		cfg.secrets.Add(t.AccessToken, t.RefreshToken, t.ClientSecret)
	}
	return nil
}

// ssoTokenKey names the token cache file the SDK reads for profile sc, as
// the SDK walks it: to the end of its source profiles, and there only if no
// other setting comes before IAM Identity Center. The key is the
// sso-session's name, or a legacy profile's start URL; "" when no token is
// read.
func ssoTokenKey(sc *config.SharedConfig) string {
	p := sc
	for p.Source != nil {
		p = p.Source
	}
	switch {
	case p.Credentials.HasKeys() || p.CredentialSource != "" || p.WebIdentityTokenFile != "":
		return ""
	case p.SSOSessionName != "":
		return p.SSOSessionName
	case p.SSORegion != "" || p.SSOAccountID != "" || p.SSOStartURL != "" || p.SSORoleName != "":
		return p.SSOStartURL
	}
	return ""
}
